#!/usr/bin/env bash
# The main job on a bundled capture: builds BlockWatch (release) and analyzes the lab's
# time-compressed replay of Kazakhstan, January 2022 (messengers blocked, the network cut,
# briefly restored, cut again, partly restored).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build -c release --product blockwatch
.build/release/blockwatch analyze captures/lab/kazakhstan-2022.pcap --domestic 95.56.0.0/14,2.132.0.0/14
