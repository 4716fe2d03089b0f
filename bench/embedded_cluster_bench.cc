// BM_EmbeddedClusterStart: construct an EmbeddedCluster and have it ready:
// one broker (target < 5 ms) and three listening brokers (target < 20 ms),
// on a fresh temporary directory and in memory. The physical limit beside it:
// creating and removing a directory.
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
  const int brokers = static_cast<int>(state.range(1));
  const bool listen = state.range(2) != 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto cluster = std::make_unique<EmbeddedCluster>(EmbeddedClusterOptions{
        .brokers = brokers, .in_memory = in_memory, .listen = listen});
    benchmark::DoNotOptimize(cluster->broker().cluster_id());
    state.SetIterationTime(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
    cluster.reset();  // untimed: close and remove the directory
  }
}
// One broker on disk and in memory (target < 5 ms); three listening
// brokers, the replicated cluster Kafka clients test against (target
// < 20 ms).
BENCHMARK(BM_EmbeddedClusterStart)
    ->ArgNames({"in_memory", "brokers", "listen"})
    ->Args({0, 1, 0})
    ->Args({1, 1, 0})
    ->Args({0, 3, 1})
    ->Args({1, 3, 1})
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
