#!/usr/bin/env bash
# Side by side: the same zkd-bench workloads against Apache ZooKeeper 3.8 (Debian, forceSync=yes)
# and zkd (fsync on), alternately for several rounds, both on loopback with data on the same disk.
# Prints per-workload medians and ratios zkd/ZooKeeper for throughput, p99 and server CPU seconds
# per 1k ops (utime+stime from /proc/PID/stat around each run), then a half-load comparison:
# both servers open-loop at 50% of ZooKeeper's measured peak, p99 compared.
#
#   scripts/bench-vs-zookeeper.sh [--rounds N] [--duration S] [--workloads a,b,...]
#       [--sessions N] [--window N] [--half-load a,b] [--warmup S] [--append-perf]
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
ROUNDS=3
DURATION=5
WORKLOADS=create,set,get,exists,getchildren,multi,mix90,mix50,create-ephemeral-sequential,watch-fanout,session-churn
HALF_LOAD=set,get
SESSIONS=16
WINDOW=8
WARMUP=5
APPEND_PERF=0
COMMAND="scripts/bench-vs-zookeeper.sh $*"

while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) ROUNDS="$2"; shift 2 ;;
        --duration) DURATION="$2"; shift 2 ;;
        --workloads) WORKLOADS="$2"; shift 2 ;;
        --sessions) SESSIONS="$2"; shift 2 ;;
        --window) WINDOW="$2"; shift 2 ;;
        --half-load) HALF_LOAD="$2"; shift 2 ;;
        --warmup) WARMUP="$2"; shift 2 ;;
        --append-perf) APPEND_PERF=1; shift ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

JAVA="${JAVA:-java}"
ZK_CLASSPATH="${ZK_CLASSPATH:-/etc/zookeeper/conf:/usr/share/java/zookeeper.jar}"
TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
ZKD="$TARGET_DIR/release/zkd"
BENCH="$TARGET_DIR/release/zkd-bench"
CLK_TCK="$(getconf CLK_TCK)"

echo "== building release zkd and zkd-bench" >&2
(cd "$REPO" && cargo build --release -p zkd --bin zkd && cargo build --release -p zkd-bench --bin zkd-bench) >&2

# Both data dirs under the target dir: the same disk for both servers.
WORK="$(mktemp -d "$TARGET_DIR/bench-vs-zk.XXXXXX")"
ZK_PID=""
ZKD_PID=""
cleanup() {
    for pid in $ZK_PID $ZKD_PID; do kill "$pid" 2>/dev/null || true; done
    for pid in $ZK_PID $ZKD_PID; do wait "$pid" 2>/dev/null || true; done
    # Server data runs to gigabytes over a full run; the results and logs stay in $WORK.
    rm -rf "$WORK/zookeeper/data" "$WORK/zkd/data"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

write_cfg() { # dir port
    mkdir -p "$1/data"
    cat > "$1/zoo.cfg" <<EOF
tickTime=2000
dataDir=$1/data
clientPort=$2
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=*
forceSync=yes
EOF
}

wait_ruok() { # port name log
    for _ in $(seq 1 90); do
        if [ "$(echo ruok | timeout 2 nc -q1 127.0.0.1 "$1" 2>/dev/null || true)" = imok ]; then return 0; fi
        sleep 0.5
    done
    echo "$2 did not answer ruok on port $1; log tail:" >&2
    tail -20 "$3" >&2
    exit 1
}

ZK_PORT="$(free_port)"
write_cfg "$WORK/zookeeper" "$ZK_PORT"
"$JAVA" -Dzookeeper.forceSync=yes -cp "$ZK_CLASSPATH" org.apache.zookeeper.server.ZooKeeperServerMain \
    "$WORK/zookeeper/zoo.cfg" > "$WORK/zookeeper/server.log" 2>&1 &
ZK_PID=$!
ZKD_PORT="$(free_port)"
while [ "$ZKD_PORT" = "$ZK_PORT" ]; do ZKD_PORT="$(free_port)"; done
write_cfg "$WORK/zkd" "$ZKD_PORT"
"$ZKD" "$WORK/zkd/zoo.cfg" > "$WORK/zkd/server.log" 2>&1 &
ZKD_PID=$!
wait_ruok "$ZK_PORT" zookeeper "$WORK/zookeeper/server.log"
wait_ruok "$ZKD_PORT" zkd "$WORK/zkd/server.log"
echo "== zookeeper pid $ZK_PID port $ZK_PORT, zkd pid $ZKD_PID port $ZKD_PORT, work dir $WORK" >&2

port_of() { if [ "$1" = zookeeper ]; then echo "$ZK_PORT"; else echo "$ZKD_PORT"; fi; }
pid_of() { if [ "$1" = zookeeper ]; then echo "$ZK_PID"; else echo "$ZKD_PID"; fi; }

# utime+stime of the whole process in clock ticks (fields 14 and 15; comm may contain spaces).
cpu_ticks() {
    sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}

RESULTS="$WORK/results.tsv"
printf 'phase\tround\tserver\tworkload\tops\tops_per_sec\tp99_us\tcpu_s\terrors\n' > "$RESULTS"

# run_one phase round server workload [extra zkd-bench args...]: one measured run, one TSV row.
run_one() {
    local phase="$1" round="$2" server="$3" workload="$4"; shift 4
    local pid json before after
    pid="$(pid_of "$server")"
    json="$WORK/$phase-$round-$server-$workload.json"
    before="$(cpu_ticks "$pid")"
    if ! timeout $((DURATION + 120)) "$BENCH" run --server "127.0.0.1:$(port_of "$server")" --workload "$workload" \
        --sessions "$SESSIONS" --window "$WINDOW" --duration "$DURATION" --json "$json" "$@" 2>"$json.log" >/dev/null; then
        echo "   $server $workload failed: $(tail -1 "$json.log")" >&2
        return 0
    fi
    after="$(cpu_ticks "$pid")"
    python3 - "$json" "$phase" "$round" "$server" "$workload" "$before" "$after" "$CLK_TCK" >> "$RESULTS" <<'EOF'
import json, sys
path, phase, rnd, server, workload, before, after, tck = sys.argv[1:]
r = json.load(open(path))["runs"][0]
cpu = (int(after) - int(before)) / int(tck)
print(f"{phase}\t{rnd}\t{server}\t{workload}\t{r['ops']}\t{r['ops_per_sec']:.1f}\t{r['p99_us']}\t{cpu:.2f}\t{r['errors']}")
EOF
    tail -1 "$RESULTS" | awk -F'\t' '{printf "   %-10s %-28s %10.0f ops/s  p99 %7d us  cpu %6.2f s  errors %s\n", $3, $4, $6, $7, $8, $9}' >&2
}

if [ "$WARMUP" != 0 ]; then
    echo "== warm-up ($WARMUP s of mix50 and create per server, not measured)" >&2
    for s in zookeeper zkd; do
        for w in mix50 create; do
            timeout $((WARMUP + 120)) "$BENCH" run --server "127.0.0.1:$(port_of "$s")" --workload "$w" \
                --sessions "$SESSIONS" --window "$WINDOW" --duration "$WARMUP" >/dev/null 2>&1 || true
        done
    done
fi

IFS=, read -r -a WL <<< "$WORKLOADS"
for round in $(seq 1 "$ROUNDS"); do
    echo "== round $round/$ROUNDS" >&2
    for w in "${WL[@]}"; do
        # Alternate which server goes first, so neither always runs on the warmer machine.
        if [ $((round % 2)) -eq 1 ]; then order="zookeeper zkd"; else order="zkd zookeeper"; fi
        for s in $order; do run_one peak "$round" "$s" "$w"; done
    done
done

# Half load: 50% of ZooKeeper's median closed-loop peak, open loop, for both servers.
if [ -n "$HALF_LOAD" ]; then
    IFS=, read -r -a HL <<< "$HALF_LOAD"
    for w in "${HL[@]}"; do
        if ! awk -F'\t' -v w="$w" '$1=="peak" && $3=="zookeeper" && $4==w {found=1} END {exit !found}' "$RESULTS"; then
            run_one peak 1 zookeeper "$w"
        fi
        rate="$(awk -F'\t' -v w="$w" '$1=="peak" && $3=="zookeeper" && $4==w {print $6}' "$RESULTS" | sort -n |
            awk '{a[NR]=$1} END {if (NR==0) print 0; else if (NR%2) print a[(NR+1)/2]/2; else print (a[NR/2]+a[NR/2+1])/4}')"
        if [ "${rate%.*}" -lt 1 ] 2>/dev/null; then echo "   no ZooKeeper peak for $w: half-load skipped" >&2; continue; fi
        echo "== half load: $w open loop at $rate ops/s (50% of ZooKeeper's median peak)" >&2
        for round in $(seq 1 "$ROUNDS"); do
            if [ $((round % 2)) -eq 1 ]; then order="zookeeper zkd"; else order="zkd zookeeper"; fi
            for s in $order; do run_one half "$round" "$s" "$w" --rate "$rate"; done
        done
    done
fi

echo "== raw results: $RESULTS" >&2
SUMMARY="$WORK/summary.md"
python3 - "$RESULTS" > "$SUMMARY" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
def med(xs):
    return statistics.median(xs) if xs else float("nan")
def ratio(a, b):
    return a / b if b and b == b and a == a else float("nan")
def pick(phase, server, workload):
    return [r for r in rows if r["phase"] == phase and r["server"] == server and r["workload"] == workload]
workloads = list(dict.fromkeys(r["workload"] for r in rows if r["phase"] == "peak"))
print("Closed loop (peak), medians over rounds; ratio = zkd / ZooKeeper.\n")
print("| workload | ZK ops/s | zkd ops/s | throughput ratio | ZK p99 µs | zkd p99 µs | p99 ratio | ZK CPU s/1k ops | zkd CPU s/1k ops | CPU/1k ratio | errors ZK/zkd |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for w in workloads:
    zk, zd = pick("peak", "zookeeper", w), pick("peak", "zkd", w)
    tz, td = med([float(r["ops_per_sec"]) for r in zk]), med([float(r["ops_per_sec"]) for r in zd])
    pz, pd = med([float(r["p99_us"]) for r in zk]), med([float(r["p99_us"]) for r in zd])
    cz = med([1000 * float(r["cpu_s"]) / max(int(r["ops"]), 1) for r in zk])
    cd = med([1000 * float(r["cpu_s"]) / max(int(r["ops"]), 1) for r in zd])
    ez, ed = sum(int(r["errors"]) for r in zk), sum(int(r["errors"]) for r in zd)
    print(f"| {w} | {tz:.0f} | {td:.0f} | {ratio(td, tz):.2f} | {pz:.0f} | {pd:.0f} | {ratio(pd, pz):.2f} | {cz:.3f} | {cd:.3f} | {ratio(cd, cz):.2f} | {ez}/{ed} |")
half = list(dict.fromkeys(r["workload"] for r in rows if r["phase"] == "half"))
if half:
    print("\nHalf load: both open loop at 50% of ZooKeeper's median peak; latency from each op's due time.\n")
    print("| workload | ZK ops/s | zkd ops/s | ZK p99 µs | zkd p99 µs | p99 ratio | ZK CPU s/1k ops | zkd CPU s/1k ops | CPU/1k ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for w in half:
        zk, zd = pick("half", "zookeeper", w), pick("half", "zkd", w)
        tz, td = med([float(r["ops_per_sec"]) for r in zk]), med([float(r["ops_per_sec"]) for r in zd])
        pz, pd = med([float(r["p99_us"]) for r in zk]), med([float(r["p99_us"]) for r in zd])
        cz = med([1000 * float(r["cpu_s"]) / max(int(r["ops"]), 1) for r in zk])
        cd = med([1000 * float(r["cpu_s"]) / max(int(r["ops"]), 1) for r in zd])
        print(f"| {w} | {tz:.0f} | {td:.0f} | {pz:.0f} | {pd:.0f} | {ratio(pd, pz):.2f} | {cz:.3f} | {cd:.3f} | {ratio(cd, cz):.2f} |")
EOF
cat "$SUMMARY"

if [ "$APPEND_PERF" = 1 ]; then
    COMMIT="$(git -C "$REPO" rev-parse --short HEAD)$(git -C "$REPO" diff --quiet HEAD -- . 2>/dev/null || echo '+dirty')"
    MACHINE="$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
    python3 - "$REPO/PERF.md" "$SUMMARY" "$(date -u +%Y-%m-%d)" "$COMMIT" "$MACHINE" "$(nproc)" "$COMMAND" \
        "$ROUNDS" "$DURATION" "$SESSIONS" "$WINDOW" <<'EOF'
import sys
perf, summary, date, commit, machine, cores, command, rounds, duration, sessions, window = sys.argv[1:]
text = open(perf).read()
block = (f"### {date}, commit {commit}, {machine}, {cores} cores\n\n"
         f"fsync on for both (ZooKeeper forceSync=yes, zkd fdatasync per batch); {rounds} rounds of "
         f"{duration} s per workload and server, {sessions} sessions x window {window}, zkd-bench on the same "
         f"machine. Command: `{command.strip()}`\n\n" + open(summary).read().strip() + "\n\n")
head = "## Side by side with Apache ZooKeeper\n"
start = text.index(head) + len(head)
nxt = text.find("\n## ", start)
end = len(text) if nxt < 0 else nxt + 1
section = text[start:end].rstrip("\n") + "\n\n" + block
open(perf, "w").write(text[:start] + section + text[end:])
EOF
    echo "== appended to PERF.md" >&2
fi
