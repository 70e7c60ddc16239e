#!/usr/bin/env bash
# The main job on a bundled capture: builds BlockWatch (release) and shows the flows it finds.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build -c release --product blockwatch
.build/release/blockwatch flows captures/ethernet-mixed.pcap
