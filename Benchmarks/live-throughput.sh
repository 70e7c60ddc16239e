#!/usr/bin/env bash
# Live capture throughput (issue 6, item 6; not CI): the highest packet rate at which
# `blockwatch live -s 256` loses 0 packets in the kernel, with tcpreplay pushing the benchmark
# capture into a veth whose peer (in a namespace of its own) is captured.
#
#   Benchmarks/live-throughput.sh [--packets N] [--loops L] [--rates "200000 400000 ..."] [--buffer KiB] [--keep]
#
# Root, Debian/Ubuntu. Installs tcpreplay if missing. Builds blockwatch and craft-captures
# (release) in .build-live-bench. Writes the capture to Benchmarks/work/ and appends one JSON line
# per run to Benchmarks/results/live-<UTC date>-<host>.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."

packets=1000000
loops=3
rates="250000 500000 750000 1000000 1250000 1500000 2000000"
keep=0
buffer=32768
while [ $# -gt 0 ]; do
  case "$1" in
    --packets) packets="$2"; shift 2 ;;
    --loops) loops="$2"; shift 2 ;;
    --rates) rates="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    --buffer) buffer="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 64 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "live-throughput.sh needs root (veth, namespaces, capture)" >&2; exit 1; }
if ! command -v tcpreplay >/dev/null 2>&1; then
  echo "==> installing tcpreplay" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tcpreplay >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tcpreplay >/dev/null; }
fi

scratch=.build-live-bench
echo "==> building (release, $scratch)" >&2
swift build -c release --scratch-path "$scratch" --product blockwatch >/dev/null
swift build -c release --scratch-path "$scratch" --product craft-captures >/dev/null
bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)"

mkdir -p Benchmarks/work Benchmarks/results
capture=Benchmarks/work/live-bench.pcap
if [ ! -s "$capture" ] || [ "$(cat "$capture.stamp" 2>/dev/null)" != "$packets" ]; then
  echo "==> generating $packets packets" >&2
  "$bin/craft-captures" --benchmark "$capture" --packets "$packets" --flows $((packets / 20)) >/dev/null
  echo "$packets" > "$capture.stamp"
fi

tag=$$
tx="bwlivetx$((tag % 10000))"; rx="bwliverx$((tag % 10000))"; ns="bwlive-bench-$tag"
work="$(mktemp -d)"
cleanup() {
  [ -n "${live_pid:-}" ] && kill "$live_pid" 2>/dev/null || true
  ip link del "$tx" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$work"
  [ "$keep" -eq 1 ] || rm -f "$capture" "$capture.stamp"
}
trap cleanup EXIT INT TERM
ip netns add "$ns"
ip link add "$tx" type veth peer name "$rx"
ip link set "$rx" netns "$ns"
ip link set "$tx" up
ip -n "$ns" link set "$rx" up
ip -n "$ns" link set lo up

# One run: capture on rx, replay into tx at `rate` (or top speed), stop, read the statistics.
run() {
  local rate="$1" speed
  if [ "$rate" = top ]; then speed=--topspeed; else speed="--pps=$rate"; fi
  # GNU time writes the sensor's CPU seconds to its own file, after blockwatch's statistics.
  ip netns exec "$ns" /usr/bin/time -o "$work/cpu" -f '%U %S' "$bin/blockwatch" live -i "$rx" -s 256 -B "$buffer" -Z root --format jsonl --bin 30s \
    >"$work/out" 2>"$work/err" &
  live_pid=$!
  sleep 1.5
  # -K: the capture is preloaded into memory, so reading the file does not limit the rate.
  tcpreplay -q -K -i "$tx" "$speed" --loop="$loops" "$capture" >"$work/replay" 2>&1 || true
  sleep 1
  # SIGINT to blockwatch itself: GNU time (which ip netns exec became) ignores it while it waits.
  kill -INT $(cat "/proc/$live_pid/task/$live_pid/children" 2>/dev/null) 2>/dev/null || true
  wait "$live_pid" || true; live_pid=
  local stats sent achieved received kernel ifdrop
  stats="$(tail -1 "$work/err")"
  received="$(echo "$stats" | sed -nE 's/^([0-9]+) packets received.*/\1/p')"
  kernel="$(echo "$stats" | sed -nE 's/.* ([0-9]+) dropped by kernel.*/\1/p')"
  ifdrop="$(echo "$stats" | sed -nE 's/.* ([0-9]+) dropped by interface.*/\1/p')"
  sent="$(sed -nE 's/.*Actual: ([0-9]+) packets.*/\1/p' "$work/replay" | head -1)"
  achieved="$(sed -nE 's/.*Rated: [0-9.]+ Bps, [0-9.]+ Mbps, ([0-9.]+) pps.*/\1/p' "$work/replay" | head -1)"
  local cpu capacity
  cpu="$(awk '{ print $1 + $2 }' "$work/cpu" 2>/dev/null)"
  # What one core would sustain at the sensor's measured CPU cost per packet.
  capacity="$(awk -v p="${received:-0}" -v c="${cpu:-0}" 'BEGIN { if (c > 0) printf "%.0f", p / c; else print "null" }')"
  printf '%-10s %10s %12s %12s %10s %10s %8s %14s\n' "$rate" "${sent:-?}" "${achieved:-?}" "${received:-?}" "${kernel:-?}" "${ifdrop:-?}" "${cpu:-?}" "$capacity"
  echo "{\"rate\":\"$rate\",\"sent\":${sent:-null},\"achieved_pps\":${achieved:-null},\"received\":${received:-null},\"dropped_by_kernel\":${kernel:-null},\"dropped_by_interface\":${ifdrop:-null},\"sensor_cpu_s\":${cpu:-null},\"packets_per_cpu_s\":${capacity}}" >> "$work/rounds"
  last_kernel="${kernel:-1}"; last_achieved="${achieved:-0}"
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
printf '%-10s %10s %12s %12s %10s %10s %8s %14s\n' rate sent achieved_pps received kern_drop if_drop cpu_s pkts_per_cpu_s
run top
top_achieved="$last_achieved"; top_kernel="$last_kernel"
best=0
for rate in $rates; do
  run "$rate"
  if [ "$last_kernel" = 0 ]; then
    best="$(awk -v a="$last_achieved" -v b="$best" 'BEGIN { print (a > b ? a : b) }')"
  fi
done
if [ "$top_kernel" = 0 ]; then best="$(awk -v a="$top_achieved" -v b="$best" 'BEGIN { print (a > b ? a : b) }')"; fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "highest rate with 0 kernel drops: ${best} packets/s (snaplen 256; goal >= 1000000)"
echo "(achieved_pps is what tcpreplay managed to send; when it stays below the rate asked for, tcpreplay"
echo " and the veth, not the sensor, set the ceiling: pkts_per_cpu_s is the sensor's own cost per packet)"
commit="$(git rev-parse --short HEAD)"
results="Benchmarks/results/live-$(date -u +%F)-$(hostname).jsonl"
echo "{\"kind\":\"live-throughput\",\"time\":\"$(date -u +%FT%TZ)\",\"commit\":\"$commit\",\"packets\":$packets,\"loops\":$loops,\"snaplen\":256,\"buffer_kib\":$buffer,\"best_zero_drop_pps\":$best,\"load\":\"$(cut -d' ' -f1-3 /proc/loadavg)\",\"rounds\":[$(paste -sd, "$work/rounds")]}" >> "$results"
echo "results appended to $results" >&2
