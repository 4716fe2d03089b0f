// BM_EmbeddedClusterStart: construct a single-broker EmbeddedCluster and
// have it ready (target < 5 ms), on a fresh temporary directory and in
// memory. The physical limit beside it: creating and removing a directory.
//
//   ./build/bench/embedded_cluster_bench
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "rill/testing/embedded_cluster.h"

namespace rill::testing {
namespace {

void BM_EmbeddedClusterStart(benchmark::State& state) {
  const bool in_memory = state.range(0) != 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto cluster = std::make_unique<EmbeddedCluster>(
        EmbeddedClusterOptions{.in_memory = in_memory});
    benchmark::DoNotOptimize(cluster->broker().cluster_id());
    state.SetIterationTime(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
    cluster.reset();  // untimed: close and remove the directory
  }
}
BENCHMARK(BM_EmbeddedClusterStart)
    ->ArgName("in_memory")
    ->Arg(0)
    ->Arg(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// The floor for the on-disk case: mkdtemp and remove_all of one directory.
void BM_TempDirReference(benchmark::State& state) {
  for (auto _ : state) {
    std::string pattern = "/tmp/rill-bench-XXXXXX";
    benchmark::DoNotOptimize(mkdtemp(pattern.data()));
    std::filesystem::remove_all(pattern);
  }
}
BENCHMARK(BM_TempDirReference)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rill::testing
