#!/usr/bin/env bash
# Every test: installs what is missing (libpcap-dev, tshark), then builds and runs the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh --test
swift build --build-tests
swift test --skip-build
