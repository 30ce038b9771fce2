#!/usr/bin/env bash
# Differential test: run tests/java/ZkTranscript against Apache ZooKeeper 3.8 and zkd, diff the
# normalised transcripts (allow-list: tests/differential/compat-allowlist.txt).
# Env: ZKD_BIN (default target/debug/zkd), DIFF_TARGET=apache for a ZooKeeper-vs-ZooKeeper self-check.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/python.sh
exec "$PYTHON" -m pytest tests/differential -q -p no:cacheprovider "$@"
