#!/usr/bin/env bash
# Live capture throughput (issue 6, item 6; not CI): the highest packet rate at which
# `blockwatch live -s 256` loses 0 packets in the kernel, with tcpreplay pushing the benchmark
# capture into a veth whose peer (in a namespace of its own) is captured.
#
#   Benchmarks/live-throughput.sh [--packets N] [--loops L] [--rates "250000 500000 ..."] [--buffer KiB]
#                                 [--baseline BINARY [--baseline-name NAME] | --baseline-commit REV] [--keep]
#
# Every rate (and --topspeed) is sent once to each peer in turn, in the same run, so the figures
# share one machine load:
#   none          tcpreplay alone, nothing capturing: the sender's own ceiling
#   tcpdump       tcpdump -s 256 -B KiB -w /dev/null (its default: blocks, 1000 ms buffer timeout)
#   blockwatch    blockwatch live -s 256 -B KiB (default: blocks, 100 ms buffer timeout)
#   immediate     blockwatch live --immediate-mode (a wakeup per packet)
#   baseline      another build of blockwatch live (--baseline, or --baseline-commit built from git)
# For each: packets sent and the rate tcpreplay achieved, packets received and dropped by the
# kernel, the capturer's CPU (user+sys from GNU time) per packet received, and tcpreplay's CPU.
#
# Root, Debian/Ubuntu. Installs tcpreplay and tcpdump if missing. Builds blockwatch and
# craft-captures (release) in .build-live-bench. Writes the capture to Benchmarks/work/ and
# appends one JSON line per run to Benchmarks/results/live-<UTC date>-<host>.jsonl, labelled with
# the commit (BW_BENCH_COMMIT overrides it, for a run from an export of that commit).
set -euo pipefail
cd "$(dirname "$0")/.."

packets=1000000
loops=3
rates="250000 500000 1000000"
keep=0
buffer=32768
baseline=""
baseline_name=""
baseline_commit=""
while [ $# -gt 0 ]; do
  case "$1" in
    --packets) packets="$2"; shift 2 ;;
    --loops) loops="$2"; shift 2 ;;
    --rates) rates="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    --buffer) buffer="$2"; shift 2 ;;
    --baseline) baseline="$2"; shift 2 ;;
    --baseline-name) baseline_name="$2"; shift 2 ;;
    --baseline-commit) baseline_commit="$2"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 64 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "live-throughput.sh needs root (veth, namespaces, capture)" >&2; exit 1; }
for tool in tcpreplay tcpdump; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "==> installing $tool" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null; }
  fi
done

scratch=.build-live-bench
echo "==> building (release, $scratch)" >&2
swift build -c release --scratch-path "$scratch" --product blockwatch >/dev/null
swift build -c release --scratch-path "$scratch" --product craft-captures >/dev/null
bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)"

if [ -n "$baseline_commit" ]; then
  # The other build from a clean export of that commit, with this tree's dependency checkouts
  # (nothing fetched); kept in Benchmarks/work for the next run.
  source_dir="Benchmarks/work/baseline-$(git rev-parse --short "$baseline_commit")"
  if [ ! -x "$source_dir/.build/release/blockwatch" ]; then
    echo "==> building $baseline_commit (release, $source_dir)" >&2
    rm -rf "$source_dir"; mkdir -p "$source_dir/.build"
    git archive "$baseline_commit" | tar -x -C "$source_dir"
    cp Package.resolved "$source_dir/" 2>/dev/null || true
    cp -a "$scratch/checkouts" "$scratch/repositories" "$scratch/workspace-state.json" "$source_dir/.build/" 2>/dev/null || true
    (cd "$source_dir" && swift build -c release --product blockwatch >/dev/null)
  fi
  baseline="$source_dir/.build/release/blockwatch"
  baseline_name="$(git rev-parse --short "$baseline_commit")"
fi
[ -z "$baseline" ] || [ -x "$baseline" ] || { echo "baseline $baseline is not an executable" >&2; exit 1; }

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
  [ -n "${capture_pid:-}" ] && kill "$capture_pid" 2>/dev/null || true
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

# One run: `peer` captures on rx (or nothing does), tcpreplay sends into tx at `rate` (or top
# speed), the capturer is stopped with SIGINT, and its statistics are read.
run() {
  local peer="$1" rate="$2" speed
  if [ "$rate" = top ]; then speed=--topspeed; else speed="--pps=$rate"; fi
  local -a command=()
  case "$peer" in
    none) ;;
    tcpdump) command=(tcpdump -n -i "$rx" -s 256 -B "$buffer" -w /dev/null) ;;
    blockwatch) command=("$bin/blockwatch" live -i "$rx" -s 256 -B "$buffer" -Z root --format jsonl --bin 30s) ;;
    immediate) command=("$bin/blockwatch" live -i "$rx" -s 256 -B "$buffer" -Z root --format jsonl --bin 30s --immediate-mode) ;;
    baseline) command=("$baseline" live -i "$rx" -s 256 -B "$buffer" -Z root --format jsonl --bin 30s) ;;
  esac
  : >"$work/cpu"; : >"$work/err"
  if [ "${#command[@]}" -gt 0 ]; then
    # GNU time writes the capturer's CPU seconds to its own file.
    ip netns exec "$ns" /usr/bin/time -o "$work/cpu" -f '%U %S' "${command[@]}" >"$work/out" 2>"$work/err" &
    capture_pid=$!
    sleep 1.5
  fi
  # -K: the capture is preloaded into memory, so reading the file does not limit the rate.
  /usr/bin/time -o "$work/sender" -f '%U %S %e' tcpreplay -q -K -i "$tx" "$speed" --loop="$loops" "$capture" >"$work/replay" 2>&1 || true
  if [ -n "${capture_pid:-}" ]; then
    sleep 1
    # SIGINT to the capturer itself: GNU time (which ip netns exec became) ignores it while it waits.
    kill -INT $(cat "/proc/$capture_pid/task/$capture_pid/children" 2>/dev/null) 2>/dev/null || true
    wait "$capture_pid" || true; capture_pid=
  fi
  local sent achieved received="" kernel="" ifdrop=""
  sent="$(sed -nE 's/.*Actual: ([0-9]+) packets.*/\1/p' "$work/replay" | head -1)"
  achieved="$(sed -nE 's/.*Rated: [0-9.]+ Bps, [0-9.]+ Mbps, ([0-9.]+) pps.*/\1/p' "$work/replay" | head -1)"
  case "$peer" in
    none) ;;
    tcpdump)
      received="$(sed -nE 's/^([0-9]+) packets received by filter.*/\1/p' "$work/err")"
      kernel="$(sed -nE 's/^([0-9]+) packets dropped by kernel.*/\1/p' "$work/err")"
      ifdrop="$(sed -nE 's/^([0-9]+) packets dropped by interface.*/\1/p' "$work/err")"; ifdrop="${ifdrop:-0}" ;;
    *)
      local stats; stats="$(tail -1 "$work/err")"
      received="$(echo "$stats" | sed -nE 's/^([0-9]+) packets received.*/\1/p')"
      kernel="$(echo "$stats" | sed -nE 's/.* ([0-9]+) dropped by kernel.*/\1/p')"
      ifdrop="$(echo "$stats" | sed -nE 's/.* ([0-9]+) dropped by interface.*/\1/p')" ;;
  esac
  local cpu="" us_per_packet=null sender_cpu sender_busy load
  [ "$peer" = none ] || cpu="$(awk 'NF >= 2 { print $1 + $2 }' "$work/cpu")"
  if [ -n "$cpu" ] && [ -n "$received" ] && [ "$received" -gt 0 ]; then
    us_per_packet="$(awk -v p="$received" -v c="$cpu" 'BEGIN { printf "%.3f", c * 1e6 / p }')"
  fi
  # tcpreplay's CPU, and how busy it kept its core: near 100 % means the sender is the limit.
  sender_cpu="$(awk 'NF >= 3 { print $1 + $2 }' "$work/sender")"
  sender_busy="$(awk 'NF >= 3 && $3 > 0 { printf "%.0f", 100 * ($1 + $2) / $3 }' "$work/sender")"
  load="$(cut -d' ' -f1 /proc/loadavg)"
  printf '%-10s %-8s %9s %11s %9s %9s %7s %7s %8s %10s %6s\n' "$peer" "$rate" "${sent:-?}" "${achieved:-?}" \
    "${received:--}" "${kernel:--}" "${ifdrop:--}" "${cpu:--}" "$us_per_packet" "${sender_busy:-?}%" "$load"
  echo "{\"peer\":\"$peer\",\"rate\":\"$rate\",\"sent\":${sent:-null},\"achieved_pps\":${achieved:-null},\"received\":${received:-null},\"dropped_by_kernel\":${kernel:-null},\"dropped_by_interface\":${ifdrop:-null},\"cpu_s\":${cpu:-null},\"cpu_us_per_packet\":$us_per_packet,\"sender_cpu_s\":${sender_cpu:-null},\"sender_busy_pct\":${sender_busy:-null},\"load1\":$load}" >> "$work/rounds"
}

peers="none tcpdump blockwatch immediate"
[ -z "$baseline" ] || peers="$peers baseline"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "load before: $load_before" >&2
printf '%-10s %-8s %9s %11s %9s %9s %7s %7s %8s %10s %6s\n' peer rate sent achieved_pps received kern_drop if_drop cpu_s us/pkt sender_cpu load1
for rate in top $rates; do
  for peer in $peers; do run "$peer" "$rate"; done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "load after: $load_after" >&2

# Per peer: the highest rate tcpreplay achieved with 0 kernel drops (and 0 interface drops), and
# the median CPU per packet over its runs.
summary="$(python3 - "$work/rounds" <<'PY'
import json, sys, statistics
rounds = [json.loads(line) for line in open(sys.argv[1])]
out = {}
for peer in dict.fromkeys(r["peer"] for r in rounds):
    mine = [r for r in rounds if r["peer"] == peer]
    clean = [r["achieved_pps"] for r in mine if r["achieved_pps"] is not None
             and (peer == "none" or (r["dropped_by_kernel"] == 0 and (r["dropped_by_interface"] or 0) == 0))]
    dropping = [r["achieved_pps"] for r in mine if r["achieved_pps"] is not None and peer != "none"
                and ((r["dropped_by_kernel"] or 0) > 0 or (r["dropped_by_interface"] or 0) > 0)]
    costs = [r["cpu_us_per_packet"] for r in mine if r["cpu_us_per_packet"] is not None]
    out[peer] = {"best_zero_drop_pps": max(clean) if clean else 0,
                 "lowest_dropping_pps": min(dropping) if dropping else None,
                 "median_cpu_us_per_packet": round(statistics.median(costs), 3) if costs else None}
print(json.dumps(out, separators=(",", ":")))
PY
)"
echo
echo "per peer: highest rate sent with 0 kernel drops, median CPU µs per packet received (snaplen 256; goal >= 1000000 pps):"
python3 -c 'import json, sys
for peer, s in json.loads(sys.argv[1]).items():
    best, cost, lowest = s["best_zero_drop_pps"], s["median_cpu_us_per_packet"], s["lowest_dropping_pps"]
    one_core = ", one core would sustain about %.0f pps" % (1e6 / cost) if cost else ""
    drops = "   (but dropped at %.0f pps)" % lowest if lowest else ""
    print("  %-10s %10.0f pps   %s µs/packet%s%s" % (peer, best, cost if cost is not None else "-", one_core, drops))' "$summary"
echo "(for 'none' the rate is what tcpreplay sends with nothing capturing: when a capturer's best is that"
echo " rate, tcpreplay, not the capturer, sets the ceiling; sender_cpu near 100 % says the same)"

commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ "$commit" != unknown ] && ! git diff --quiet HEAD -- Sources Package.swift 2>/dev/null; then commit="$commit+dirty"; fi
commit="${BW_BENCH_COMMIT:-$commit}"
results="Benchmarks/results/live-$(date -u +%F)-$(hostname).jsonl"
echo "{\"kind\":\"live-throughput\",\"time\":\"$(date -u +%FT%TZ)\",\"commit\":\"$commit\",\"baseline\":\"${baseline_name:-$baseline}\",\"packets\":$packets,\"loops\":$loops,\"snaplen\":256,\"buffer_kib\":$buffer,\"load_before\":\"$load_before\",\"load_after\":\"$load_after\",\"summary\":$summary,\"rounds\":[$(paste -sd, "$work/rounds")]}" >> "$results"
echo "results appended to $results" >&2
