#!/usr/bin/env bash
# Restart time and memory of zkd vs Apache ZooKeeper 3.8 (Debian) for the same tree, side by side.
#
#   scripts/restart-vs-zookeeper.sh [--nodes N] [--value-bytes B] [--restarts K] [--only zkd|zookeeper] [--append-perf]
#
# For each server: start it on loopback with its own temp dataDir (same disk), fill it with N
# persistent znodes (examples/populate.rs, the same client for both), let it settle, then K times:
# kill -9, restart, and time from the launch of the process to the first successful getData of the
# last-created node (examples/first_read.rs). RSS (VmRSS, RssAnon, RssFile) is read when that
# first read succeeds and again after a settle period. Both run with fsync on (forceSync=yes),
# snapCount 100000 (ZooKeeper's default), ZooKeeper with the heap of its own launcher (-Xmx1000m,
# override with ZK_HEAP). Every wait is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$HOME/.cargo/bin:$PATH"

NODES=1000000
VALUE=100
RESTARTS=3
APPEND=0
ONLY=""
SETTLE=${SETTLE:-20}
ZK_HEAP=${ZK_HEAP:-1000m}
while [ $# -gt 0 ]; do
  case $1 in
    --nodes) NODES=$2; shift 2 ;;
    --value-bytes) VALUE=$2; shift 2 ;;
    --restarts) RESTARTS=$2; shift 2 ;;
    --append-perf) APPEND=1; shift ;;
    --only) ONLY=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
CMD="scripts/restart-vs-zookeeper.sh --nodes $NODES --value-bytes $VALUE --restarts $RESTARTS${ONLY:+ --only $ONLY}"

cargo build --release --bin zkd --example populate --example first_read >&2
ZKD=$ROOT/target/release/zkd
POPULATE=$ROOT/target/release/examples/populate
FIRST_READ=$ROOT/target/release/examples/first_read
ZK_CLASSPATH=${ZK_CLASSPATH:-/etc/zookeeper/conf:/usr/share/java/zookeeper.jar}

WORK=$(mktemp -d "$ROOT/target/restart-bench.XXXXXX")
PID=""
cleanup() { [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
LAST=$(printf '/populate/p%04d/n%08d' $(( (NODES - 1) / 1000 )) $((NODES - 1)))

launch() {  # launch KIND DIR PORT: starts the server in the background, sets PID
  local kind=$1 dir=$2
  if [ "$kind" = zkd ]; then
    "$ZKD" "$dir/zoo.cfg" >>"$dir/server.log" 2>&1 &
  else
    java "-Xmx$ZK_HEAP" -Dzookeeper.admin.enableServer=false "-Dzookeeper.log.dir=$dir" \
      -cp "$ZK_CLASSPATH" org.apache.zookeeper.server.ZooKeeperServerMain "$dir/zoo.cfg" >>"$dir/server.log" 2>&1 &
  fi
  PID=$!
}

rss() {  # rss PID -> "vmrss_mb anon_mb file_mb"
  awk '/^VmRSS/{v=$2} /^RssAnon/{a=$2} /^RssFile/{f=$2} END{printf "%.0f %.0f %.0f", v/1024, a/1024, f/1024}' "/proc/$1/status"
}

declare -A RESULT
measure() {  # measure KIND
  local kind=$1 dir=$WORK/$1 port
  port=$(free_port)
  mkdir -p "$dir/data"
  printf 'tickTime=2000\ndataDir=%s\nclientPort=%s\nclientPortAddress=127.0.0.1\nforceSync=yes\nsnapCount=100000\nmaxClientCnxns=0\n4lw.commands.whitelist=*\n' \
    "$dir/data" "$port" >"$dir/zoo.cfg"
  launch "$kind" "$dir"
  "$FIRST_READ" "127.0.0.1:$port" / "$(date +%s.%N)" 120 >/dev/null
  echo "[$kind] populating $NODES znodes of $VALUE bytes" >&2
  local pop
  pop=$("$POPULATE" "127.0.0.1:$port" "$NODES" "$VALUE" 1000 2>/dev/null | tail -1)
  echo "[$kind] $pop" >&2
  sleep "$SETTLE"
  local live
  live=$(rss "$PID")
  local disk
  disk=$(du -sm "$dir/data" | cut -f1)
  local times=() ready_rss="" settled_rss=""
  for r in $(seq 1 "$RESTARTS"); do
    kill -9 "$PID"; wait "$PID" 2>/dev/null || true
    local t0
    t0=$(date +%s.%N)
    launch "$kind" "$dir"
    local t
    t=$("$FIRST_READ" "127.0.0.1:$port" "$LAST" "$t0" 600)
    ready_rss=$(rss "$PID")
    sleep "$SETTLE"
    settled_rss=$(rss "$PID")
    echo "[$kind] restart $r: first read after ${t}s; RSS at ready $ready_rss, settled $settled_rss (MB: VmRSS RssAnon RssFile)" >&2
    times+=("$t")
  done
  kill -9 "$PID"; wait "$PID" 2>/dev/null || true
  PID=""
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
  RESULT[$kind]="$median|$ready_rss|$settled_rss|$live|$disk|$pop|${times[*]}"
}

for kind in zookeeper zkd; do
  if [ -z "$ONLY" ] || [ "$ONLY" = "$kind" ]; then
    measure "$kind"
  else
    RESULT[$kind]="0|0 0 0|0 0 0|0 0 0|0|not measured|"
  fi
done

field() { echo "${RESULT[$1]}" | cut -d'|' -f"$2"; }
word() { echo "$1" | cut -d' ' -f"$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }

TABLE=$(
  printf '| measure | Apache ZooKeeper 3.8 | zkd | zkd / ZooKeeper |\n|---|---:|---:|---:|\n'
  printf '| restart to first read, median of %s (s) | %s | %s | %s |\n' "$RESTARTS" "$(field zookeeper 1)" "$(field zkd 1)" "$(ratio "$(field zkd 1)" "$(field zookeeper 1)")"
  for pair in "2:at first read" "3:settled ${SETTLE}s after restart" "4:live, after populate"; do
    i=${pair%%:*}; label=${pair#*:}
    z=$(field zookeeper "$i"); k=$(field zkd "$i")
    printf '| VmRSS %s (MB) | %s | %s | %s |\n' "$label" "$(word "$z" 1)" "$(word "$k" 1)" "$(ratio "$(word "$k" 1)" "$(word "$z" 1)")"
    printf '| RssAnon / RssFile %s (MB) | %s / %s | %s / %s | |\n' "$label" "$(word "$z" 2)" "$(word "$z" 3)" "$(word "$k" 2)" "$(word "$k" 3)"
  done
  printf '| data on disk (MB) | %s | %s | %s |\n' "$(field zookeeper 5)" "$(field zkd 5)" "$(ratio "$(field zkd 5)" "$(field zookeeper 5)")"
  printf '| populate (same client) | %s | %s | |\n' "$(field zookeeper 6)" "$(field zkd 6)"
  printf '| all restart times (s) | %s | %s | |\n' "$(field zookeeper 7)" "$(field zkd 7)"
)
echo
echo "$TABLE"

if [ "$APPEND" = 1 ]; then
  COMMIT=$(git rev-parse --short HEAD)
  CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
  {
    echo
    echo "### $(date -u +%Y-%m-%d), commit $COMMIT, $CPU, $(nproc) cores, fsync on (forceSync=yes), $NODES znodes x $VALUE bytes"
    echo
    echo "Command: \`$CMD\` (ZooKeeper heap -Xmx$ZK_HEAP). Shared, noisy machine: compare the ratios."
    echo
    echo "$TABLE"
  } >>PERF.md
  echo "appended to PERF.md" >&2
fi
