// CRC-32C throughput: the hardware path, the portable path, and memcpy of
// the same buffer in the same run, so results read as a fraction of memory
// bandwidth.
#include <benchmark/benchmark.h>

#include <cstring>
#include <random>
#include <string>

#include "util/crc32c.h"

namespace {

std::string RandomBuffer(size_t n) {
  std::mt19937_64 rng(n);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

void BM_Crc32c_Hardware(benchmark::State& state) {
  if (!rill::util::crc32c::HardwareAccelerated()) {
    state.SkipWithError("no CRC instruction on this CPU");
    return;
  }
  const std::string buf = RandomBuffer(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(rill::util::crc32c::internal::ExtendHardware(
        0, buf.data(), buf.size()));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          state.range(0));
}

void BM_Crc32c_Portable(benchmark::State& state) {
  const std::string buf = RandomBuffer(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(rill::util::crc32c::internal::ExtendPortable(
        0, buf.data(), buf.size()));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          state.range(0));
}

// The physical reference: reading (and writing) every byte once.
void BM_MemcpyReference_Crc(benchmark::State& state) {
  const std::string src = RandomBuffer(static_cast<size_t>(state.range(0)));
  std::string dst(src.size(), '\0');
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), src.size());
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          state.range(0));
}

// Sizes: 64 B (a tiny record batch) to 1 MiB (a large fetch); 16 KiB is
// typical.
void Sizes(benchmark::internal::Benchmark* b) {
  for (int64_t n : {64, 1 << 10, 16 << 10, 1 << 20}) b->Arg(n);
}
BENCHMARK(BM_Crc32c_Hardware)->Apply(Sizes);
BENCHMARK(BM_Crc32c_Portable)->Apply(Sizes);
BENCHMARK(BM_MemcpyReference_Crc)->Apply(Sizes);

}  // namespace
