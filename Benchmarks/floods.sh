#!/usr/bin/env bash
# Benchmarks/floods.sh: BlockWatch on hostile and extreme captures (issue 8): a SYN flood, a
# fragment flood that never completes, a DNS answer flood, one flow of several GB, and a month
# with a 15-day gap. Each is generated deterministically at N and 2N packets and read by release
# builds of `blockwatch flows` and `blockwatch analyze`; the table shows time, packets/s, peak
# RSS, the evictions the reports count, and the 2N/N time ratio (2.0 = linear).
#
#   Benchmarks/floods.sh [--packets N] [--elephant-packets N] [--kinds syn,dns,...] [--no-analyze]
#                        [--scratch DIR] [--work DIR]
#
#   --packets N           N for syn, fragments, dns, hello and month (default 1000000; 2N is run too)
#   --elephant-packets N  N for the elephant flow (default 2500000, about 2.6 GB; 2N is 5.1 GB)
#   --kinds LIST          which floods (default syn,fragments,dns,hello,elephant,month)
#   --no-analyze          time `blockwatch flows` only
#   --scratch DIR         SwiftPM scratch path of the release build (default .build-perf)
#   --work DIR            where captures are written, each deleted after use (default
#                         Benchmarks/work, gitignored; needs 2 × 2N × 1 KB for the elephant)
#
# Results: a table on the terminal and JSON lines in Benchmarks/results/<date>-<host>-floods.jsonl.
set -euo pipefail

PACKETS=1000000
ELEPHANT=2500000
KINDS=syn,fragments,dns,hello,elephant,month
ANALYZE=1
cd "$(dirname "$0")/.."
SCRATCH=.build-perf
WORK=Benchmarks/work

usage() { awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; }
need_value() { [ $# -ge 2 ] && [[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -gt 0 ] || { echo "floods.sh: $1 needs a positive number" >&2; exit 64; }; }
while [ $# -gt 0 ]; do
  case "$1" in
    --packets) need_value "$@"; PACKETS=$2; shift 2 ;;
    --elephant-packets) need_value "$@"; ELEPHANT=$2; shift 2 ;;
    --kinds) [ $# -ge 2 ] || { echo "floods.sh: --kinds needs a list" >&2; exit 64; }; KINDS=$2; shift 2 ;;
    --no-analyze) ANALYZE=0; shift ;;
    --scratch) [ $# -ge 2 ] || exit 64; SCRATCH=$2; shift 2 ;;
    --work) [ $# -ge 2 ] || exit 64; WORK=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "floods.sh: unknown option '$1' (see --help)" >&2; exit 64 ;;
  esac
done
[ -x /usr/bin/time ] || { echo "floods.sh: needs GNU time (apt-get install time)" >&2; exit 1; }
command -v jq >/dev/null || { echo "floods.sh: needs jq (apt-get install jq)" >&2; exit 1; }

echo "== building release binaries in $SCRATCH"
swift build -c release --scratch-path "$SCRATCH" --product blockwatch >/dev/null
swift build -c release --scratch-path "$SCRATCH" --product craft-captures >/dev/null
BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)
mkdir -p "$WORK" Benchmarks/results
RESULTS="Benchmarks/results/$(date -u +%F)-$(hostname)-floods.jsonl"
RUN=$(date -u +%FT%TZ)
COMMIT=$(git rev-parse --short HEAD)
git diff --quiet HEAD -- Sources Package.swift || COMMIT="$COMMIT+dirty"
echo "run $RUN, tree $COMMIT, load $(cut -d' ' -f1-3 /proc/loadavg)"

# time_run LABEL OUT -- command...: sets SECONDS_ MAXRSS_KB (GNU time) and leaves stderr in OUT.
time_run() {
  local out=$1; shift
  /usr/bin/time -f '%e %M' -o "$WORK/time.txt" "$@" 2>"$out" >/dev/null || {
    echo "floods.sh: '$*' failed:" >&2; tail -3 "$out" >&2; exit 1; }
  read -r SECONDS_ MAXRSS_KB < "$WORK/time.txt"
}

printf '\n%-9s %-7s %10s %8s %12s %9s %10s %10s %10s %10s %7s\n' kind command packets seconds packets/s "RSS MB" "ev.flows" "ev.frags" "ev.dns" "cut.short" "2N/N"
declare -A FIRST
for kind in ${KINDS//,/ }; do
  n=$PACKETS
  [ "$kind" = elephant ] && n=$ELEPHANT
  for size in "$n" $((2 * n)); do
    file="$WORK/flood-$kind-$size.pcap"
    "$BIN/craft-captures" --flood "$kind" "$file" --packets "$size" 2>"$WORK/craft.txt" || { cat "$WORK/craft.txt" >&2; exit 1; }
    bytes=$(stat -c %s "$file")
    cat "$file" > /dev/null   # warm page cache: time the reader, not the disk
    commands=(flows)
    [ "$ANALYZE" = 1 ] && commands+=(analyze)
    for command in "${commands[@]}"; do
      if [ "$command" = flows ]; then
        time_run "$WORK/err.txt" "$BIN/blockwatch" flows "$file" --format jsonl -o /dev/null --no-progress
        summary=$(cat "$WORK/err.txt")
        packets=$(awk 'NR == 1 {print $1}' <<<"$summary")
        ev_flows=$(grep -o '[0-9]* flows written out early' <<<"$summary" | cut -d' ' -f1 || true)
        ev_frags=$(grep -o '[0-9]* fragments given up' <<<"$summary" | cut -d' ' -f1 || true)
        ev_dns=$(grep -o '[0-9]* DNS names forgotten early' <<<"$summary" | cut -d' ' -f1 || true)
        cut_short=$(grep -o '[0-9]* flows identified without reassembling' <<<"$summary" | cut -d' ' -f1 || true)
        balanced=$(grep -c 'every packet accounted for' <<<"$summary" || true)
      else
        time_run "$WORK/err.txt" "$BIN/blockwatch" analyze "$file" --format json -o "$WORK/report.json" --no-progress
        packets=$(jq '.capture.packets' "$WORK/report.json")
        ev_flows=$(jq '.capture.evictions.flows // "n/a"' "$WORK/report.json")
        ev_frags=$(jq '.capture.evictions.fragments // "n/a"' "$WORK/report.json")
        ev_dns=$(jq '.capture.evictions.dns_names // "n/a"' "$WORK/report.json")
        cut_short=$(jq '.capture.evictions.payload_cut_short // "n/a"' "$WORK/report.json")
        balanced=$(jq 'if .capture.accounting.balanced then 1 else 0 end' "$WORK/report.json")
      fi
      rate=$(awk -v p="$packets" -v s="$SECONDS_" 'BEGIN { printf "%.0f", (s > 0 ? p / s : 0) }')
      rss=$(awk -v k="$MAXRSS_KB" 'BEGIN { printf "%.1f", k / 1024 }')
      ratio="-"
      key="$kind-$command"
      if [ "$size" = "$n" ]; then FIRST[$key]=$SECONDS_; else
        ratio=$(awk -v a="${FIRST[$key]}" -v b="$SECONDS_" 'BEGIN { printf "%.2f", (a > 0 ? b / a : 0) }'); fi
      printf '%-9s %-7s %10s %8s %12s %9s %10s %10s %10s %10s %7s\n' "$kind" "$command" "$packets" "$SECONDS_" "$rate" "$rss" \
        "${ev_flows:-0}" "${ev_frags:-0}" "${ev_dns:-0}" "${cut_short:-0}" "$ratio"
      [ "$balanced" = 1 ] || echo "floods.sh: $kind/$command: the report does not say every packet is accounted for" >&2
      printf '{"run":"%s","tree":"%s","kind":"%s","command":"%s","packets":%s,"file_bytes":%s,"seconds":%s,"peak_rss_kb":%s,"evicted_flows":%s,"evicted_fragments":%s,"evicted_dns_names":%s,"payload_cut_short":%s,"ratio_to_half":"%s","load":"%s"}\n' \
        "$RUN" "$COMMIT" "$kind" "$command" "$packets" "$bytes" "$SECONDS_" "$MAXRSS_KB" "${ev_flows:-0}" "${ev_frags:-0}" "${ev_dns:-0}" "${cut_short:-0}" \
        "$ratio" "$(cut -d' ' -f1 /proc/loadavg)" >> "$RESULTS"
    done
    rm -f "$file"
  done
done
rm -f "$WORK/err.txt" "$WORK/time.txt" "$WORK/craft.txt" "$WORK/report.json"
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); results appended to $RESULTS"
