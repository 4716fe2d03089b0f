#!/usr/bin/env bash
# Builds the libFuzzer targets in tests/fuzz with clang (ASan + UBSan) in
# their own build directory and runs each, from its seed corpus, for a share
# of a time budget. Fails if any of them finds a crash, a leak, a timeout or
# an out-of-memory; the input is kept and its path printed.
#
#   scripts/fuzz.sh            # 60 s in all
#   scripts/fuzz.sh 300        # 300 s in all
#
# Environment: BUILD_DIR (default build-fuzz), JOBS (default nproc),
# FUZZ_WORK_DIR (new inputs, logs and crashes; default $BUILD_DIR/fuzz-work),
# FUZZ_REUSE_BUILD=1 (BUILD_DIR is an existing clang build configured with
# -DRILL_BUILD_FUZZERS=ON, as CI's sanitizer stage: only the fuzz targets
# are built there).
# New inputs found go to the work directory, never into tests/fuzz/corpus.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

budget="${1:-60}"
build="${BUILD_DIR:-build-fuzz}"
jobs="${JOBS:-$(nproc)}"
work="${FUZZ_WORK_DIR:-$build/fuzz-work}"
fuzzers=(request_fuzzer produce_batch_fuzzer)

if ! [[ "$budget" =~ ^[0-9]+$ ]] || [ "$budget" -lt "${#fuzzers[@]}" ]; then
  echo "usage: $0 [total seconds >= ${#fuzzers[@]}]" >&2
  exit 2
fi
per_fuzzer=$((budget / ${#fuzzers[@]}))

if [ "${FUZZ_REUSE_BUILD:-0}" != 1 ]; then
  # -O1 -g1 (as CI's sanitizer build): a quicker build, and ASan reports
  # still carry file:line.
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1" \
    -DRILL_BUILD_FUZZERS=ON -DRILL_BUILD_TESTS=OFF \
    -DRILL_BUILD_BENCHMARKS=OFF -DRILL_BUILD_EXAMPLES=OFF >/dev/null
elif ! grep -q '^RILL_BUILD_FUZZERS:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
  echo "FUZZ_REUSE_BUILD=1: $build is not a build with -DRILL_BUILD_FUZZERS=ON" >&2
  exit 2
fi
cmake --build "$build" --target "${fuzzers[@]}" -j"$jobs"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

failed=()
for fuzzer in "${fuzzers[@]}"; do
  dir="$work/$fuzzer"
  mkdir -p "$dir/corpus" "$dir/crashes"
  args=(-max_total_time="$per_fuzzer" -timeout=10 -rss_limit_mb=2048
        -print_final_stats=1 -artifact_prefix="$dir/crashes/")
  if [ -f "tests/fuzz/$fuzzer.dict" ]; then
    args+=(-dict="tests/fuzz/$fuzzer.dict")
  fi
  echo "==== $fuzzer: ${per_fuzzer} s"
  # The first corpus directory receives new inputs; the seeds stay as
  # they are.
  if "$build/tests/fuzz/$fuzzer" "${args[@]}" "$dir/corpus" \
      "tests/fuzz/corpus/$fuzzer" >"$dir/log" 2>&1; then
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^Done ' "$dir/log" || true
  else
    failed+=("$fuzzer")
    tail -n 60 "$dir/log"
    echo "==== $fuzzer FAILED; inputs: $(ls "$dir/crashes" | tr '\n' ' ')"
    echo "     reproduce: $build/tests/fuzz/$fuzzer $dir/crashes/<file>"
  fi
done

if [ "${#failed[@]}" -ne 0 ]; then
  echo "fuzzers that failed: ${failed[*]} (logs in $work)"
  exit 1
fi
echo "fuzzers ran clean: ${fuzzers[*]} (${budget} s in all)"
