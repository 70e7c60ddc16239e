#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/, seeds their corpora from captures/, and runs each one in
# turn (one fuzzer process at a time). Exits non-zero when any target crashes, hangs, leaks or
# runs out of memory; the input that did it is in Fuzz/work/artifacts/<target>/.
#
#   scripts/fuzz.sh                  every target to 10,000,000 executions
#   scripts/fuzz.sh --runs N         every target to N executions
#   scripts/fuzz.sh --ci             every target for a few seconds (about a minute in all)
#   scripts/fuzz.sh --time S         every target for S seconds
#   scripts/fuzz.sh --only NAME      one target (FuzzDNS, or just DNS); repeatable
#   scripts/fuzz.sh --no-build       use the binaries already built
#   scripts/fuzz.sh --list           the targets
#
# Work files (corpora, crash artifacts, logs, results.tsv) go to Fuzz/work/, which git ignores.
# Environment: FUZZ_RSS_MB (default 2048), FUZZ_TIMEOUT (seconds per input before it counts as
# a hang, default 10). One fuzzer process at a time, by design: no -jobs or -workers (with -jobs
# libFuzzer forks a child per job and logs to ./fuzz-N.log instead).
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(FuzzLinkLayers FuzzIP FuzzFragments FuzzTCPOptions FuzzICMP FuzzDNS FuzzTLS
         FuzzQUICInitial FuzzQUICCrypto FuzzHTTP FuzzSTUN FuzzMTProto FuzzWhatsApp FuzzPipeline)
CI_SECONDS_TOTAL=56

runs=10000000
seconds=""
build=1
only=()
while [ $# -gt 0 ]; do
  case "$1" in
    --ci) seconds=$(( CI_SECONDS_TOTAL / ${#TARGETS[@]} )); shift ;;
    --runs) runs="$2"; seconds=""; shift 2 ;;
    --time) seconds="$2"; shift 2 ;;
    --only) name="$2"; [[ "$name" == Fuzz* ]] || name="Fuzz$name"; only+=("$name"); shift 2 ;;
    --no-build) build=0; shift ;;
    --list) printf '%s\n' "${TARGETS[@]}"; exit 0 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ ${#only[@]} -gt 0 ]; then
  for name in "${only[@]}"; do
    [[ " ${TARGETS[*]} " == *" $name "* ]] || { echo "fuzz.sh: no target $name (see --list)" >&2; exit 2; }
  done
  TARGETS=("${only[@]}")
fi

SCRATCH=Fuzz/.build
WORK=Fuzz/work
BIN="$SCRATCH/release"
rss_mb="${FUZZ_RSS_MB:-2048}"
timeout_s="${FUZZ_TIMEOUT:-10}"

if [ "$build" -eq 1 ]; then
  [ -x scripts/ensure-deps.sh ] && scripts/ensure-deps.sh
  # -sanitize=fuzzer,address on every Swift module, the main package's included (coverage and
  # address checks where the bugs would be); swift-crypto's C code is built without them.
  # No -parse-as-library: SwiftPM links executables with --defsym main=<Module>_main, so each
  # target's main.swift runs libFuzzer itself (FuzzInput.run). -enable-testing: targets reach
  # internal parsers with @testable import.
  start=$(date +%s)
  # SwiftPM plans this build once and does not notice source files added to or removed from the
  # main package (a path dependency here): the build then fails with "cannot find 'X' in scope".
  # Re-plan when the main package's list of sources changed since the last build.
  sources_now=$(find Sources -name '*.swift' | LC_ALL=C sort)
  if [ "$sources_now" != "$(cat "$SCRATCH/blockwatch-sources.txt" 2>/dev/null)" ]; then
    rm -f "$SCRATCH/release.yaml"
  fi
  swift build -c release --package-path Fuzz --scratch-path "$SCRATCH" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing
  printf '%s\n' "$sources_now" > "$SCRATCH/blockwatch-sources.txt"
  echo "fuzz: built in $(( $(date +%s) - start )) s"
fi

mkdir -p "$WORK/corpus" "$WORK/artifacts" "$WORK/logs" "$WORK/seeds"

# Seeds: FuzzSeeds cuts every target's layer out of the packets of captures/ (the lab captures'
# first 256 KB are enough), and the pipeline gets every capture's first 4 KB: a cut capture is
# a valid input, and a dozen or two packets each keeps an execution short. Written once; later runs start from the corpus the earlier ones grew.
if [ ! -f "$WORK/seeds/.done" ]; then
  rm -rf "$WORK/seeds" && mkdir -p "$WORK/seeds/input" "$WORK/seeds/FuzzPipeline"
  for file in captures/*.pcap captures/*.pcapng captures/lab/*.pcap captures/lab/*.pcapng; do
    [ -f "$file" ] || continue
    name=$(echo "$file" | tr '/' '_')
    head -c 262144 "$file" > "$WORK/seeds/input/$name"
    head -c 4096 "$file" > "$WORK/seeds/FuzzPipeline/$name"
  done
  FUZZ_SEED_DIR="$WORK/seeds" ASAN_OPTIONS=detect_leaks=0 "$BIN/FuzzSeeds" "$WORK/seeds/input"/* \
    > "$WORK/logs/FuzzSeeds.log" 2>&1 || { cat "$WORK/logs/FuzzSeeds.log" >&2; exit 1; }
  touch "$WORK/seeds/.done"
fi

max_len_for() {
  case "$1" in
    FuzzTLS|FuzzQUICInitial|FuzzQUICCrypto|FuzzFragments|FuzzPipeline) echo 8192 ;;
    *) echo 4096 ;;
  esac
}

passed=0
failed=0
failures=()
printf '%-16s %12s %9s %8s  %s\n' target executions exec/s "RSS MB" result
for target in "${TARGETS[@]}"; do
  corpus="$WORK/corpus/$target"
  artifacts="$WORK/artifacts/$target/"
  log="$WORK/logs/$target.log"
  mkdir -p "$corpus" "$artifacts"
  seeds=()
  [ -d "$WORK/seeds/$target" ] && seeds=("$WORK/seeds/$target")
  limit=(-runs="$runs")
  [ -n "$seconds" ] && limit=(-max_total_time="$seconds" -runs=-1)
  set +e
  # SWIFT_BACKTRACE=enable=no: on a Swift trap the runtime's own backtracer would run first and
  # trip the address sanitizer in its memory server, hiding libFuzzer's crash report.
  SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=0:handle_abort=1" \
    "$BIN/$target" "${limit[@]}" -max_len="$(max_len_for "$target")" -rss_limit_mb="$rss_mb" \
    -malloc_limit_mb="$rss_mb" -timeout="$timeout_s" -detect_leaks=1 -print_final_stats=1 \
    -artifact_prefix="$artifacts" "$corpus" "${seeds[@]}" > "$log" 2>&1
  status=$?
  set -e
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
  if [ "$status" -eq 0 ]; then
    result=ok
    passed=$((passed + 1))
  else
    result="FAILED (exit $status, see $log)"
    failed=$((failed + 1))
    failures+=("$target")
    grep -m3 -E '^==[0-9]+==ERROR|^SUMMARY|Fatal error|deadly signal|timeout after|out-of-memory' "$log" | sed 's/^/    /' || true
  fi
  printf '%-16s %12s %9s %8s  %s\n' "$target" "${executions:-?}" "${speed:-?}" "${rss:-?}" "$result"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$target" "${executions:-}" "${speed:-}" "${rss:-}" "$result" \
    >> "$WORK/results.tsv"
done

echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || { echo "fuzz: failing targets: ${failures[*]}" >&2; exit 1; }
