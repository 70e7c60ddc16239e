#!/usr/bin/env bash
# Removes everything the lab made: its processes, namespaces, the client's resolv.conf, the run
# directory. Idempotent: safe to run when nothing is there.
set -uo pipefail
source "$(dirname "$0")/common.sh"
need_root

# The lab's daemons, by the pids it recorded.
if [ -d "$RUN_DIR/pids" ]; then
  for file in "$RUN_DIR"/pids/*.pid "$RUN_DIR"/*.pid; do
    [ -f "$file" ] || continue
    pid=$(cat "$file" 2>/dev/null || true)
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
fi
# Anything still running inside the lab's own namespaces (started by the lab, nothing else lives there).
for ns in $NAMESPACES; do
  ip netns list 2>/dev/null | grep -qw "^$ns" || continue
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
done
sleep 0.5
for ns in $NAMESPACES; do
  ip netns list 2>/dev/null | grep -qw "^$ns" || continue
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
  ip netns del "$ns" 2>/dev/null || true
done
rm -rf "/etc/netns/$NS_CLIENT"
rmdir /etc/netns 2>/dev/null || true   # only if the lab made it and nothing else is there
rm -rf "$RUN_DIR"
log "lab torn down"
