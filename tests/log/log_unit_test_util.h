// log_unit_test_util.h — small helpers for the log layer's unit tests
// (config, sparse index, checkpoint, segment, Log, LogManager): status
// assertions, building batches from owned records, and reading back and
// decoding what a Log serves.
#ifndef RILL_TESTS_LOG_LOG_UNIT_TEST_UTIL_H_
#define RILL_TESTS_LOG_LOG_UNIT_TEST_UTIL_H_

#include <catch2/catch.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "log/log_test_util.h"
#include "rill/clock.h"
#include "rill/io/file_system.h"
#include "rill/log/log.h"
#include "rill/log/log_config.h"
#include "rill/record/record_batch.h"
#include "rill/types.h"
#include "status_test_util.h"

namespace rill::log_unit_test {
using ::rill::test::StatusText;
// Shared with the model and crash tests.
using log_test::BatchHeaderOf;
using log_test::SegmentFileName;
using log_test::WithOffsetAndEpoch;

// Rec is a record with owned bytes; `offset` is filled in when decoding.
struct Rec {
  int64_t timestamp_ms = 0;
  std::optional<std::string> key = {};
  std::optional<std::string> value = {};
  int64_t offset = -1;

  friend bool operator==(const Rec&, const Rec&) = default;
  friend std::ostream& operator<<(std::ostream& os, const Rec& r) {
    return os << "{offset=" << r.offset << " ts=" << r.timestamp_ms
              << " key=" << r.key.value_or("<null>")
              << " value=" << r.value.value_or("<null>") << "}";
  }
};

// Batch encodes `records` as one producer batch.
inline std::string Batch(const std::vector<Rec>& records,
                         record::BatchOptions options = {}) {
  record::RecordBatchBuilder builder(options);
  for (const Rec& r : records) {
    record::Record rec;
    rec.timestamp_ms = r.timestamp_ms;
    if (r.key) rec.key = std::string_view(*r.key);
    if (r.value) rec.value = std::string_view(*r.value);
    builder.Append(rec);
  }
  absl::StatusOr<std::string> batch = builder.Build();
  REQUIRE_OK(batch);
  return *std::move(batch);
}

// ValueBatch encodes `count` records "<key_prefix><i>" -> `value_size` bytes
// of filler, all at `timestamp_ms`.
inline std::string ValueBatch(int count, int64_t timestamp_ms,
                              size_t value_size = 32,
                              const std::string& key_prefix = "k") {
  std::vector<Rec> records;
  for (int i = 0; i < count; ++i) {
    std::string value(value_size, static_cast<char>('a' + i % 26));
    records.push_back({.timestamp_ms = timestamp_ms,
                       .key = key_prefix + std::to_string(i),
                       .value = std::move(value)});
  }
  return Batch(records);
}

// SplitBatches splits concatenated whole batches, requiring well-formed
// bytes with no partial tail.
inline std::vector<std::string> SplitBatches(std::string_view bytes) {
  std::vector<std::string> out;
  record::BatchIterator it(bytes);
  while (it.Next()) out.emplace_back(it.batch().data());
  REQUIRE_OK(it.status());
  REQUIRE_FALSE(it.truncated_tail());
  REQUIRE(it.consumed() == bytes.size());
  return out;
}

// DecodeAll checks every batch's CRC and decodes every record of `bytes`.
inline std::vector<Rec> DecodeAll(std::string_view bytes) {
  std::vector<Rec> out;
  for (const std::string& batch : SplitBatches(bytes)) {
    absl::StatusOr<record::RecordBatchView> view =
        record::RecordBatchView::Parse(batch);
    REQUIRE_OK(view);
    REQUIRE_OK(view->VerifyCrc());
    absl::StatusOr<record::DecodedRecords> records = view->DecodeRecords();
    REQUIRE_OK(records);
    for (const record::RecordView& r : *records) {
      Rec rec;
      rec.offset = r.offset.value();
      rec.timestamp_ms = r.timestamp_ms;
      if (r.key) rec.key = std::string(*r.key);
      if (r.value) rec.value = std::string(*r.value);
      out.push_back(std::move(rec));
    }
  }
  return out;
}

// OpenTestLog opens a log on `fs` in `dir` with `config` and `clock`.
inline std::unique_ptr<Log> OpenTestLog(std::shared_ptr<io::FileSystem> fs,
                                        const std::string& dir,
                                        const LogConfig& config,
                                        std::shared_ptr<Clock> clock) {
  absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(
      {.dir = dir, .config = config, .fs = std::move(fs), .clock = clock});
  REQUIRE_OK(log);
  return *std::move(log);
}

// ReadBytes is one Read's bytes.
inline std::string ReadBytes(Log& log, Offset offset,
                             const ReadOptions& options = {}) {
  absl::StatusOr<LogReadResult> result = log.Read(offset, options);
  REQUIRE_OK(result);
  absl::StatusOr<std::string> bytes = result->ReadAll();
  REQUIRE_OK(bytes);
  REQUIRE(bytes->size() == result->size_bytes);
  return *std::move(bytes);
}

// ReadFrom reads every batch from `offset` to the log end, Read after Read
// (each Read serves at most one segment).
inline std::string ReadFrom(Log& log, Offset offset) {
  std::string all;
  const Offset end = log.log_end_offset();
  while (offset < end) {
    std::string bytes = ReadBytes(log, offset);
    REQUIRE_FALSE(bytes.empty());
    std::vector<std::string> batches = SplitBatches(bytes);
    offset = Offset(BatchHeaderOf(batches.back()).last_offset() + 1);
    all += bytes;
  }
  return all;
}

// ReadEverything reads from the log start to the log end.
inline std::string ReadEverything(Log& log) {
  return ReadFrom(log, log.log_start_offset());
}

}  // namespace rill::log_unit_test

#endif  // RILL_TESTS_LOG_LOG_UNIT_TEST_UTIL_H_
