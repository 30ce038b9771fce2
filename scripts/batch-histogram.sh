#!/usr/bin/env bash
# Group commit under growing offered load: for each window of requests in flight, a fresh zkd
# (fsync on) takes N creates from examples/populate.rs, then mntr's zkd_log_batch_records_ge_*
# lines give the histogram of records per fdatasync. Prints a table; --append-perf adds it to
# PERF.md. Bounded: N creates per window, every wait has a limit.
#   scripts/batch-histogram.sh [--creates N] [--windows "1 4 16 64 256 1024"] [--append-perf]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$HOME/.cargo/bin:$PATH"
CREATES=20000
WINDOWS="1 4 16 64 256 1024"
APPEND=0
while [ $# -gt 0 ]; do
  case $1 in
    --creates) CREATES=$2; shift 2 ;;
    --windows) WINDOWS=$2; shift 2 ;;
    --append-perf) APPEND=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
cargo build --release --bin zkd --example populate --example first_read >&2
WORK=$(mktemp -d "$ROOT/target/batch-hist.XXXXXX")
PID=""
cleanup() { [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

buckets="1 2 4 8 16 32 64 128 256 512 1024"
TABLE="| in flight | creates/s | records per fdatasync (mean) | batches of ≥1 | ≥2 | ≥4 | ≥8 | ≥16 | ≥32 | ≥64 | ≥128 | ≥256 | ≥512 | ≥1024 |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for w in $WINDOWS; do
  rm -rf "$WORK/data"
  printf 'dataDir=%s\nclientPort=%s\nclientPortAddress=127.0.0.1\nforceSync=yes\n4lw.commands.whitelist=*\n' "$WORK/data" "$port" >"$WORK/zoo.cfg"
  target/release/zkd "$WORK/zoo.cfg" >"$WORK/log" 2>&1 &
  PID=$!
  target/release/examples/first_read "127.0.0.1:$port" / "$(date +%s.%N)" 60 >/dev/null
  rate=$(POPULATE_WINDOW=$w target/release/examples/populate "127.0.0.1:$port" "$CREATES" 100 1000 2>/dev/null | sed -n 's/.*(\([0-9]*\)\/s).*/\1/p')
  mntr=$(exec 3<>/dev/tcp/127.0.0.1/$port; printf mntr >&3; cat <&3)
  get() { echo "$mntr" | awk -v k="$1" '$1 == k {print $2}'; }
  batches=$(get zk_zkd_log_batches); records=$(get zk_zkd_log_records)
  row="| $w | $rate | $(awk -v r="$records" -v b="$batches" 'BEGIN{printf "%.1f", r / b}') |"
  # ge_X counts batches in [X, 2X); print cumulative "at least X" counts.
  counts=()
  for b in $buckets; do counts+=("$(get "zk_zkd_log_batch_records_ge_$b")"); done
  for i in "${!counts[@]}"; do
    s=0
    for j in $(seq "$i" 19); do
      v=$(get "zk_zkd_log_batch_records_ge_$((1 << j))"); s=$((s + ${v:-0}))
    done
    row="$row $s |"
  done
  TABLE="$TABLE
$row"
  echo "[window $w] $rate creates/s, $records records in $batches batches" >&2
  kill -9 "$PID"; wait "$PID" 2>/dev/null || true
  PID=""
done
echo "$TABLE"
if [ "$APPEND" = 1 ]; then
  {
    echo
    echo "### Group commit: records per fdatasync vs offered load — $(date -u +%Y-%m-%d), commit $(git rev-parse --short HEAD), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, fsync on"
    echo
    echo "Command: \`scripts/batch-histogram.sh --creates $CREATES --windows \"$WINDOWS\"\`. Each row: a fresh zkd, $CREATES creates (100-byte values) with that many requests in flight from one session; counts are batches (one fdatasync each) with at least that many records."
    echo
    echo "$TABLE"
  } >>PERF.md
fi
