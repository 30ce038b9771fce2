#!/usr/bin/env bash
# Runs the kill -9 durability check of tests/durability.rs for many more rounds than CI does.
#
#   scripts/crash-loop.sh ROUNDS [--chunk N]
#
# The rounds run as ceil(ROUNDS/N) runs of the test (default N=25), each on a fresh dataDir and
# under its own deadline, so that neither the tree nor the re-check of every earlier write grows
# without bound. Prints one summary line and exits 1 if any acknowledged write was lost (or any
# run failed otherwise), 0 if every round kept every acknowledged write. Logs of failed runs are
# kept and their paths printed.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

usage() { echo "usage: $0 ROUNDS [--chunk N]" >&2; exit 2; }
[ $# -ge 1 ] || usage
ROUNDS=$1
shift
CHUNK=25
while [ $# -gt 0 ]; do
  case $1 in
    --chunk) CHUNK=${2:-}; shift 2 ;;
    *) usage ;;
  esac
done
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || usage
[[ $CHUNK =~ ^[1-9][0-9]*$ ]] || usage

echo "building the durability test"
cargo test --test durability --no-run -q 2>&1 | tail -n 5
LOGS=$(mktemp -d /tmp/zkd-crash-loop.XXXXXX)
t0=$SECONDS
done_rounds=0 runs=0 passed=0 lost=0 other=0
while [ "$done_rounds" -lt "$ROUNDS" ]; do
  n=$((ROUNDS - done_rounds))
  [ "$n" -gt "$CHUNK" ] && n=$CHUNK
  runs=$((runs + 1))
  log="$LOGS/run-$runs.log"
  # A round takes about a second; the deadline leaves room for a slow shared machine.
  limit=$((120 + 15 * n))
  rc=0
  ZKD_CRASH_ROUNDS=$n timeout --kill-after=10 "$limit" \
    cargo test -q --test durability -- --nocapture >"$log" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    rm -f "$log"
  elif grep -qE "acknowledged .* lost|has other data" "$log"; then
    lost=$((lost + 1))
    echo "run $runs ($n rounds): LOST an acknowledged write; log: $log"
    grep -m 3 -E "acknowledged .* lost|has other data" "$log"
  else
    other=$((other + 1))
    [ "$rc" -eq 124 ] && why="timed out after ${limit}s" || why="exit $rc"
    echo "run $runs ($n rounds): failed ($why); log: $log"
    grep -m 3 -E "panicked|Error|error" "$log"
  fi
  done_rounds=$((done_rounds + n))
  echo "  $done_rounds/$ROUNDS rounds, $((SECONDS - t0))s"
done
[ "$lost" -eq 0 ] && [ "$other" -eq 0 ] && rmdir "$LOGS" 2>/dev/null
echo "crash-loop: $ROUNDS rounds in $runs runs of up to $CHUNK: $passed runs passed, $lost runs lost acknowledged writes, $other runs failed otherwise ($((SECONDS - t0))s)"
[ "$lost" -eq 0 ] && [ "$other" -eq 0 ]
