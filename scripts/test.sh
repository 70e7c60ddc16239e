#!/usr/bin/env bash
# Every test: installs what is missing (libpcap-dev, tshark), then builds and runs the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh --test
swift build --build-tests
# Live-capture tests need root (or CAP_NET_RAW); run them whenever we have it, as in CI.
if [ "$(id -u)" -eq 0 ]; then export BLOCKWATCH_LIVE_TESTS=1; fi
swift test --skip-build
if [ "$(id -u)" -eq 0 ]; then lab/selftest.sh; fi
