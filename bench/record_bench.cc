// RecordBatch v2 throughput: building and decoding a batch of 100 records of
// 1 KiB values with each codec, beside memcpy of the same (uncompressed)
// bytes in the same run, so results read as a fraction of memory bandwidth.
// Bytes processed are always the uncompressed batch's bytes, so codecs
// compare on equal terms.
#include <benchmark/benchmark.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "rill/record/record_batch.h"

namespace {

using rill::record::BatchOptions;
using rill::record::Compression;
using rill::record::RecordBatchBuilder;
using rill::record::RecordBatchView;

constexpr int kRecords = 100;
constexpr size_t kValueSize = 1024;

// Records whose values look like log lines or JSON events: repetitive
// structure with varying fields, so codecs see realistic ratios (~3-5x),
// neither all zeros nor random.
struct Workload {
  std::vector<std::string> keys;
  std::vector<std::string> values;

  Workload() {
    std::mt19937_64 rng(42);
    for (int i = 0; i < kRecords; ++i) {
      keys.push_back("user-" + std::to_string(rng() % 100000));
      std::string v;
      while (v.size() < kValueSize) {
        v += "{\"event\":\"page_view\",\"session\":" + std::to_string(rng()) +
             ",\"path\":\"/items/" + std::to_string(rng() % 5000) +
             "\",\"ms\":" + std::to_string(rng() % 1000) + "}";
      }
      v.resize(kValueSize);
      values.push_back(std::move(v));
    }
  }

  std::string Build(Compression codec) const {
    RecordBatchBuilder builder({.compression = codec});
    for (int i = 0; i < kRecords; ++i) {
      builder.Append({.timestamp_ms = 1700000000000 + i,
                      .key = keys[i],
                      .value = values[i],
                      .headers = {{.key = "trace", .value = "abc123"}}});
    }
    return *builder.Build();
  }
};

const Workload& GetWorkload() {
  static const Workload* workload = new Workload();
  return *workload;
}

int64_t UncompressedSize() {
  static const int64_t size =
      static_cast<int64_t>(GetWorkload().Build(Compression::kNone).size());
  return size;
}

void BuildBench(benchmark::State& state, Compression codec) {
  const Workload& w = GetWorkload();
  size_t out_bytes = 0;
  for (auto _ : state) {
    std::string batch = w.Build(codec);
    out_bytes = batch.size();
    benchmark::DoNotOptimize(batch.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          UncompressedSize());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kRecords);
  state.counters["ratio"] =
      static_cast<double>(UncompressedSize()) / static_cast<double>(out_bytes);
}

// One iteration: what a consumer in the same process does with a fetched
// batch — parse, verify the CRC, decompress and decode every record.
void DecodeBench(benchmark::State& state, Compression codec) {
  const std::string batch = GetWorkload().Build(codec);
  for (auto _ : state) {
    auto view = RecordBatchView::Parse(batch);
    if (!view.ok() || !view->VerifyCrc().ok()) {
      state.SkipWithError("bad batch");
      return;
    }
    auto records = view->DecodeRecords();
    if (!records.ok()) {
      state.SkipWithError("decode failed");
      return;
    }
    benchmark::DoNotOptimize(records->records().data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          UncompressedSize());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kRecords);
}

// The physical reference: copying the uncompressed batch once.
void BM_MemcpyReference_Record(benchmark::State& state) {
  const std::string src = GetWorkload().Build(Compression::kNone);
  std::string dst(src.size(), '\0');
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), src.size());
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(src.size()));
}
BENCHMARK(BM_MemcpyReference_Record);

#define RILL_RECORD_CODEC_BENCHMARKS(name, codec)             \
  void BM_RecordBatchBuild_##name(benchmark::State& state) {  \
    BuildBench(state, codec);                                 \
  }                                                           \
  void BM_RecordBatchDecode_##name(benchmark::State& state) { \
    DecodeBench(state, codec);                                \
  }                                                           \
  BENCHMARK(BM_RecordBatchBuild_##name);                      \
  BENCHMARK(BM_RecordBatchDecode_##name)

RILL_RECORD_CODEC_BENCHMARKS(none, Compression::kNone);
RILL_RECORD_CODEC_BENCHMARKS(gzip, Compression::kGzip);
RILL_RECORD_CODEC_BENCHMARKS(snappy, Compression::kSnappy);
RILL_RECORD_CODEC_BENCHMARKS(lz4, Compression::kLz4);
RILL_RECORD_CODEC_BENCHMARKS(zstd, Compression::kZstd);

}  // namespace
