#!/usr/bin/env bash
# CI's lab self-test (root only): builds the topology, records one short scenario (about 50 s)
# into a temporary directory, checks it with the tshark-based LabTests, and tears everything
# down, also when something fails.
set -euo pipefail
# In CI, scripts/test.sh has just built everything in .build: use it rather than build again.
if [ "${CI:-}" = true ] && [ -z "${BWLAB_BUILD_DIR:-}" ]; then export BWLAB_BUILD_DIR="$(cd "$(dirname "$0")/.." && pwd)/.build"; fi
source "$(dirname "$0")/common.sh"
need_root
out=$(mktemp -d /tmp/bwlab-selftest.XXXXXX)
cleanup() { "$LAB_DIR/teardown.sh" || true; rm -rf "$out"; }
trap cleanup EXIT
started=$(date +%s)
"$LAB_DIR/setup.sh"
"$TOOL" run --run-dir "$RUN_DIR" --out "$out" selftest
log "checking the self-test capture against its truth file (swift test --filter LabTests)"
cd "$REPO_DIR"
BLOCKWATCH_LAB_CAPTURES="$out" swift test --scratch-path "$BUILD_DIR" --filter LabTests
log "lab self-test passed in $(( $(date +%s) - started )) s"
