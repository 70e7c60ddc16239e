#!/usr/bin/env bash
# THE command: from a fresh clone, as root, on Debian/Ubuntu with a Swift 6 toolchain:
#   lab/record.sh                 # every scenario into captures/lab/ (about 30 minutes)
#   lab/record.sh ipv6 throttling # only these
# Installs what is missing, builds the lab tools, sets the lab up, records each scenario with
# its truth file, and tears everything down again (also on failure or Ctrl-C).
set -euo pipefail
source "$(dirname "$0")/common.sh"
need_root
trap '"$LAB_DIR/teardown.sh"' EXIT
"$LAB_DIR/setup.sh"
mkdir -p "$REPO_DIR/captures/lab"
"$TOOL" run --run-dir "$RUN_DIR" --out "$REPO_DIR/captures/lab" "${@:-all}"
ls -l "$REPO_DIR/captures/lab"
