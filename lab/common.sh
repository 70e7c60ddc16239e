# Shared by the lab scripts: names, paths, the built tool. Sourced, not run.
LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$LAB_DIR/.." && pwd)"
RUN_DIR="${BWLAB_RUN_DIR:-/run/bwlab}"
# .build-lab by default (others build in .build at the same time); CI reuses .build.
BUILD_DIR="${BWLAB_BUILD_DIR:-$REPO_DIR/.build-lab}"
TOOL="$BUILD_DIR/debug/lab-traffic"
NS_CLIENT=bwlab-client
NS_ISP=bwlab-isp
NS_INET=bwlab-inet
NS_DOM=bwlab-dom
NAMESPACES="$NS_CLIENT $NS_ISP $NS_INET $NS_DOM"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'lab: error: %s\n' "$*" >&2; exit 1; }
need_root() { [ "$(id -u)" -eq 0 ] || die "the lab needs root (network namespaces, iptables, tcpdump)"; }
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# Starts a long-running process in a namespace, detached, with its pid in $RUN_DIR/pids/NAME.pid.
start_daemon() {
  local name=$1 ns=$2; shift 2
  mkdir -p "$RUN_DIR/pids"
  setsid ip netns exec "$ns" "$@" >>"$RUN_DIR/$name.log" 2>&1 < /dev/null &
  echo $! > "$RUN_DIR/pids/$name.pid"
}
