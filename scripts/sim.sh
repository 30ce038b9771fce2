#!/usr/bin/env bash
# Runs the replication simulator (src/replication/sim) on random seeds until a time or count
# budget is spent, and keeps every failing seed.
#
#   scripts/sim.sh [--seconds S] [--count N] [--start SEED] [--profile default|slow] [--release]
#                  [--failures FILE]
#
# Seeds are START, START+1, ... (default START: derived from the clock, printed). The run stops
# by itself after S seconds (default 60) or N seeds, whichever comes first. Each failing seed is
# appended to FILE (default target/sim-failures.txt) as one line naming the seed and the command
# that replays it. Exit status 0 when every seed passed, 1 otherwise, 2 on bad usage.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

usage() { echo "usage: $0 [--seconds S] [--count N] [--start SEED] [--profile default|slow] [--release] [--failures FILE]" >&2; exit 2; }
SECS=60
COUNT=
START=$(( ($(date +%s) % 1000000) * 1000000 ))
PROFILE=default
RELEASE=
FAILURES=target/sim-failures.txt
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) SECS=${2:-}; shift 2 ;;
    --count) COUNT=${2:-}; shift 2 ;;
    --start) START=${2:-}; shift 2 ;;
    --profile) PROFILE=${2:-}; shift 2 ;;
    --release) RELEASE=--release; shift ;;
    --failures) FAILURES=${2:-}; shift 2 ;;
    *) usage ;;
  esac
done
[[ $SECS =~ ^[1-9][0-9]*$ ]] || usage
[[ -z $COUNT || $COUNT =~ ^[1-9][0-9]*$ ]] || usage
[[ $START =~ ^[0-9]+$ ]] || usage
[[ $PROFILE == default || $PROFILE == slow ]] || usage
mkdir -p "$(dirname "$FAILURES")"
touch "$FAILURES"
before=$(wc -l < "$FAILURES")

echo "sim: seeds from $START, profile $PROFILE, for ${SECS}s${COUNT:+ or $COUNT seeds}; failures go to $FAILURES"
# The build is not part of the budget; the outer timeout only guards against a hung run.
cargo test --lib $RELEASE --no-run -q 2>&1 | tail -n 5
env ZKD_SIM_START="$START" ZKD_SIM_SECS="$SECS" ZKD_SIM_COUNT="${COUNT:-18446744073709551615}" ZKD_SIM_PROFILE="$PROFILE" \
  ZKD_SIM_FAILURES="$(realpath -m "$FAILURES")" timeout $((SECS + 300)) cargo test --lib $RELEASE -q replication::sim::tests::random_seeds -- --ignored --nocapture 2>&1 \
  | grep -E "seeds from|failed" | head -n 5
after=$(wc -l < "$FAILURES")
new=$((after - before))
if [ "$new" -gt 0 ]; then
  echo "sim: $new failing seed(s); each line of $FAILURES names its replay command"
  exit 1
fi
echo "sim: no failure"
