#!/usr/bin/env bash
# Installs what BlockWatch needs on Debian/Ubuntu, and nothing when it is already there.
#   scripts/ensure-deps.sh          build and run: pkg-config, libpcap-dev
#   scripts/ensure-deps.sh --test   also the test tools: tshark (differential oracle), editcap, tcpdump, chromium
set -euo pipefail

need=()
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
pkg-config --exists libpcap 2>/dev/null || need+=(libpcap-dev)
if [ "${1:-}" = "--test" ]; then
  command -v tshark >/dev/null 2>&1 || need+=(tshark)
  command -v editcap >/dev/null 2>&1 || need+=(wireshark-common)
  command -v tcpdump >/dev/null 2>&1 || need+=(tcpdump)
  # headless Chromium loads the HTML report in its end-to-end test
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
fi

if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: missing ${need[*]}; install libpcap's development package (and tshark for the tests) with your package manager" >&2
    exit 1
  fi
  echo "==> installing ${need[*]}" >&2
  $sudo apt-get update -qq
  # tshark asks whether non-root users may capture; the non-interactive default (no) is right here.
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  pkg-config --exists libpcap || { echo "error: libpcap still not found by pkg-config after installing it" >&2; exit 1; }
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "error: no 'swift' on PATH; install a Swift 6 toolchain (https://www.swift.org/install/linux/)" >&2
  exit 1
fi
