#!/usr/bin/env bash
# zkd's whole test run: build, Rust tests, then the real-client suites against Apache ZooKeeper 3.8
# (the reference) and zkd. Each step prints its name; the last line is "steps: N passed, M failed".
#
# Env: ZKD_BIN (default target/debug/zkd), ZK_TARGETS (default "apache,zkd"; e.g. "apache" to
# validate the suites alone), ZKD_TEST_STEPS (space-separated subset of step names to run).
# Needs the Debian packages .ci/run installs (zookeeper, zookeeper-bin, libzookeeper-java,
# python3-kazoo, python3-pytest, python3-pytest-timeout, a JDK).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$HOME/.cargo/bin:$PATH"
# shellcheck source=scripts/python.sh
source scripts/python.sh
export ZKD_BIN=${ZKD_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/debug/zkd}
export PYTHONDONTWRITEBYTECODE=1

PASSED=0
FAILED=0
SKIPPED=0
RESULTS=()

# step NAME TIMEOUT_SECONDS CMD... : run one step under a deadline and record its outcome.
step() {
  local name=$1 limit=$2
  shift 2
  if [ -n "${ZKD_TEST_STEPS:-}" ] && [[ " $ZKD_TEST_STEPS " != *" $name "* ]]; then
    return 0
  fi
  echo
  echo "==================== step: $name ===================="
  echo "\$ $*"
  local t0=$SECONDS rc=0
  timeout --kill-after=15 "$limit" "$@" || rc=$?
  local took=$((SECONDS - t0))
  if [ "$rc" -eq 0 ]; then
    PASSED=$((PASSED + 1)); RESULTS+=("PASS  $name (${took}s)")
  elif [ "$rc" -eq 5 ] && [ "$1" = "$PYTHON" ]; then
    SKIPPED=$((SKIPPED + 1)); RESULTS+=("SKIP  $name (no tests collected)")
  elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    FAILED=$((FAILED + 1)); RESULTS+=("FAIL  $name (timed out after ${limit}s)")
  else
    FAILED=$((FAILED + 1)); RESULTS+=("FAIL  $name (exit $rc, ${took}s)")
  fi
}

pytest_step() {  # pytest_step NAME DIR
  step "$1" 900 "$PYTHON" -m pytest "$2" -q
}

step "cargo-build" 1800 cargo build
step "cargo-test" 1800 cargo test --workspace
pytest_step "kazoo" tests/kazoo
# Concurrent kazoo clients recorded as a history and judged by `zkd check-history` (~10 s).
pytest_step "history" tests/python
pytest_step "java-client" tests/java
pytest_step "cli-and-c-client" tests/cli
if compgen -G "tests/badinput/test_*.py" >/dev/null; then
  pytest_step "bad-input" tests/badinput
fi
step "differential" 900 tests/differential/run.sh
# kazoo's own upstream suite: zkd must pass every test Apache ZooKeeper 3.8 passes (committed baseline).
step "kazoo-upstream" 1200 scripts/kazoo-upstream.sh --server zkd

echo
echo "==================== summary ===================="
printf '%s\n' "${RESULTS[@]}"
if [ "$SKIPPED" -gt 0 ]; then
  echo "steps: $PASSED passed, $FAILED failed, $SKIPPED skipped"
else
  echo "steps: $PASSED passed, $FAILED failed"
fi
[ "$FAILED" -eq 0 ]
