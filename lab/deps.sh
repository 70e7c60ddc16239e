#!/usr/bin/env bash
# Installs what the lab needs from Debian's packages, and nothing that is already there.
set -euo pipefail
source "$(dirname "$0")/common.sh"
need_root

"$REPO_DIR/scripts/ensure-deps.sh" --test   # libpcap-dev, tshark, editcap, tcpdump

need=()
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v tc >/dev/null 2>&1 || need+=(iproute2)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
command -v dnsmasq >/dev/null 2>&1 || need+=(dnsmasq-base)
command -v nginx >/dev/null 2>&1 || need+=(nginx-light)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v ethtool >/dev/null 2>&1 || need+=(ethtool)
command -v setsid >/dev/null 2>&1 || need+=(util-linux)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  # nginx's package would start a server on the host; keep services from starting while installing.
  made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_policy=1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  [ "$made_policy" -eq 1 ] && rm -f /usr/sbin/policy-rc.d
fi
