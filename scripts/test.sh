#!/usr/bin/env bash
# Installs what is missing (scripts/setup.sh), configures, builds and runs the
# whole test suite with ctest. Exits non-zero if any step or test fails.
#
#   bash scripts/test.sh                      # Release build in ./build
#   BUILD_DIR=build-asan bash scripts/test.sh -DRILL_SANITIZE=ON \
#       -DRILL_BUILD_BENCHMARKS=OFF           # extra args go to cmake
#
# Environment:
#   BUILD_DIR    build directory (default: build, relative to the repo root)
#   BUILD_TYPE   CMAKE_BUILD_TYPE (default: Release)
#   JOBS         parallel build and test jobs (default: nproc)
#   SKIP_SETUP=1 do not run scripts/setup.sh
#   CTEST_ARGS   extra ctest arguments (e.g. "-L fast" or "-E slow")
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

build_dir="${BUILD_DIR:-build}"
build_type="${BUILD_TYPE:-Release}"
jobs="${JOBS:-$(nproc)}"

if [ "${SKIP_SETUP:-0}" != 1 ]; then
  bash scripts/setup.sh
fi

echo "test.sh: configuring $build_dir ($build_type) $*"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="$build_type" \
  -DRILL_BUILD_TESTS=ON "$@"

# One compile job more than cores: links and the odd slow file leave a core
# idle otherwise.
build_jobs="${JOBS:-$(($(nproc) + 1))}"
echo "test.sh: building with $build_jobs jobs"
cmake --build "$build_dir" -j"$build_jobs"

echo "test.sh: running tests"
# shellcheck disable=SC2086  # CTEST_ARGS is a list of words
ctest --test-dir "$build_dir" --output-on-failure --no-tests=error -j"$jobs" \
  ${CTEST_ARGS:-}
