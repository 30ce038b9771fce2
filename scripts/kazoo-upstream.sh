#!/usr/bin/env bash
# Run kazoo's own upstream test suite against one standalone server.
#
#   scripts/kazoo-upstream.sh [--server zookeeper|zkd|both] [--tests-dir DIR] [--record] [-- PYTEST_ARGS...]
#
# --server zookeeper  run against Apache ZooKeeper (java + Debian jars, or ZK_CLASSPATH);
#                     with --record the pass list replaces the committed baseline file.
# --server zkd        run against zkd (ZKD_BIN, default target/debug/zkd) and fail unless
#                     every test in the committed baseline also passes on zkd.
# --server both       (for CI) run against Apache ZooKeeper, then zkd, on this machine, and fail
#                     unless zkd passes every test Apache ZooKeeper just passed. Tests of the
#                     committed baseline that Apache ZooKeeper did not pass here (missing optional
#                     Python packages such as gevent, eventlet, puresasl) are listed as a warning.
# --tests-dir DIR     a directory holding the kazoo package with kazoo/tests (an unpacked
#                     sdist, or site-packages of python3-kazoo). Without it: the installed
#                     kazoo if it ships kazoo/tests and has the baseline's version, otherwise
#                     `pip download` of the kazoo sdist from PyPI (the only network use).
#
# kazoo's code is never copied into this repository; it is used from DIR at run time.
# Needs python3 with pytest, mock, objgraph, six (Debian: python3-pytest python3-mock
# python3-objgraph python3-six). Output: target/kazoo-upstream/<server>/{passed.txt,pytest.log}.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHIM_DIR="$ROOT/tests/kazoo-upstream"
BASELINE="$SHIM_DIR/baseline-zookeeper-3.8.txt"
SERVER=zookeeper
TESTS_DIR=""
RECORD=0
PYTEST_EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --server) SERVER=$2; shift 2 ;;
    --tests-dir) TESTS_DIR=$2; shift 2 ;;
    --record) RECORD=1; shift ;;
    --) shift; PYTEST_EXTRA=("$@"); break ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
case "$SERVER" in zookeeper|zkd|both) ;; *) echo "--server must be zookeeper, zkd or both" >&2; exit 2 ;; esac

# kazoo version the baseline was recorded with ("# kazoo <version>" header line).
KAZOO_VERSION=$( (sed -n "s/^# kazoo \([0-9.]*\).*/\1/p" "$BASELINE" 2>/dev/null || true) | head -1)
KAZOO_VERSION=${KAZOO_VERSION:-2.8.0}

# A python that has pytest (the pyenv shim often does not; Debian's python does).
PY=""
for cand in ${PYTHON:-} /usr/bin/python3 python3; do
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import pytest, mock, objgraph, six' 2>/dev/null; then
    PY=$cand; break
  fi
done
[ -n "$PY" ] || { echo "need python3 with pytest, mock, objgraph, six" >&2; exit 2; }

if [ -z "$TESTS_DIR" ]; then
  inst=$("$PY" -c 'import kazoo, os; print(os.path.dirname(os.path.dirname(kazoo.__file__)) + " " + kazoo.version.__version__)' 2>/dev/null || true)
  if [ -n "$inst" ] && [ -d "${inst% *}/kazoo/tests" ] && [ "${inst#* }" = "$KAZOO_VERSION" ]; then
    TESTS_DIR=${inst% *}
  else
    cache="$ROOT/target/kazoo-upstream/sdist-$KAZOO_VERSION"
    if [ ! -d "$cache/kazoo-$KAZOO_VERSION/kazoo/tests" ]; then
      mkdir -p "$cache"
      "$PY" -m pip download --no-deps --no-binary :all: -d "$cache" "kazoo==$KAZOO_VERSION" >&2
      tar -xzf "$cache/kazoo-$KAZOO_VERSION.tar.gz" -C "$cache"
    fi
    TESTS_DIR="$cache/kazoo-$KAZOO_VERSION"
  fi
fi
[ -d "$TESTS_DIR/kazoo/tests" ] || { echo "no kazoo/tests under $TESTS_DIR" >&2; exit 2; }

if [ "$SERVER" != zookeeper ]; then
  export ZKD_BIN=${ZKD_BIN:-$ROOT/target/debug/zkd}
  [ -x "$ZKD_BIN" ] || { echo "zkd binary not found: $ZKD_BIN" >&2; exit 2; }
fi

free_port() {  # a client port whose +1..+3 neighbours are free too (kazoo's harness layout)
  "$PY" -c 'import socket
for _ in range(200):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close()
    ok = p + 3 < 65536
    for q in (p + 1, p + 2, p + 3):
        t = socket.socket()
        try: t.bind(("127.0.0.1", q))
        except OSError: ok = False
        finally: t.close()
    if ok: print(p); break'
}

# run_suite SERVER: run the upstream tests against SERVER; pass list in target/kazoo-upstream/SERVER/passed.txt
run_suite() {
  local server=$1 out="$ROOT/target/kazoo-upstream/$1"
  rm -rf "$out"; mkdir -p "$out/work"
  echo "kazoo tests from: $TESTS_DIR (server: $server)" >&2
  # Run from a private copy so pytest's rootdir, caches and node ids are stable.
  cp -r "$TESTS_DIR/kazoo" "$out/work/kazoo"
  find "$out/work" -name __pycache__ -prune -exec rm -rf {} +
  (
    export KAZOO_UPSTREAM_SERVER=$server
    export KAZOO_UPSTREAM_PASSED="$out/passed.txt"
    export ZOOKEEPER_VERSION=3.8.0 ZOOKEEPER_CLUSTER_SIZE=1
    ZOOKEEPER_PORT_OFFSET=$(free_port); export ZOOKEEPER_PORT_OFFSET
    export PYTHONPATH="$out/work:$SHIM_DIR${PYTHONPATH:+:$PYTHONPATH}"
    export PYTHONDONTWRITEBYTECODE=1
    unset ZOOKEEPER_JAAS_AUTH
    cd "$out/work"
    timeout --kill-after=30 "${KAZOO_UPSTREAM_TIMEOUT:-5400}" \
      "$PY" -m pytest -p zkd_kazoo_shim -p no:cacheprovider -q -rfE \
      kazoo/tests "${PYTEST_EXTRA[@]}"
  ) 2>&1 | tee "$out/pytest.log" || true  # failures are judged by the pass list below, not pytest's exit code
  [ -f "$out/passed.txt" ] || { echo "pytest produced no pass list for $server" >&2; return 1; }
  echo "$(wc -l < "$out/passed.txt") tests passed against $server; list in $out/passed.txt" >&2
}

# missing_from REFERENCE_LIST PASSED_LIST: ids in the reference (comments dropped) not in PASSED_LIST
missing_from() {
  comm -23 <(grep -v '^#' "$1" | sort) <(sort "$2")
}

OUTROOT="$ROOT/target/kazoo-upstream"
case "$SERVER" in
  zookeeper)
    run_suite zookeeper
    if [ "$RECORD" = 1 ]; then
      { echo "# kazoo $KAZOO_VERSION upstream tests passing against Apache ZooKeeper 3.8 standalone"
        echo "# recorded by scripts/kazoo-upstream.sh --server zookeeper --record"
        sort "$OUTROOT/zookeeper/passed.txt"; } > "$BASELINE"
      echo "baseline written: $BASELINE" >&2
    fi
    exit 0 ;;
  zkd)
    run_suite zkd
    reference=$BASELINE ;;
  both)
    run_suite zookeeper
    env_gap=$(missing_from "$BASELINE" "$OUTROOT/zookeeper/passed.txt")
    if [ -n "$env_gap" ]; then
      echo "WARNING: baseline tests Apache ZooKeeper did not pass on this machine (environment?):" >&2
      echo "$env_gap" >&2
    fi
    run_suite zkd
    reference="$OUTROOT/zookeeper/passed.txt" ;;
esac

missing=$(missing_from "$reference" "$OUTROOT/zkd/passed.txt")
if [ -n "$missing" ]; then
  echo "FAIL: tests that pass on Apache ZooKeeper 3.8 ($reference) but not on zkd:" >&2
  echo "$missing" >&2
  exit 1
fi
echo "OK: zkd passes every test of $reference ($(grep -vc '^#' "$reference"))" >&2
