// log_test_util.h — shared helpers for the log layer's tests: building
// batches, opening a log with a small configuration (so rolls happen often),
// and reading back everything a Log holds with every batch checked (whole,
// contiguous, good CRC, decodable).
#ifndef RILL_TESTS_LOG_LOG_TEST_UTIL_H_
#define RILL_TESTS_LOG_LOG_TEST_UTIL_H_

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
#include "rill/clock.h"
#include "rill/io/file_system.h"
#include "rill/log/log.h"
#include "rill/log/log_config.h"
#include "rill/record/record_batch.h"
#include "rill/types.h"
#include "status_test_util.h"

namespace rill::log_test {
using ::rill::test::StatusText;

// TestRecord is a record the tests write: owned strings, unlike
// record::Record.
struct TestRecord {
  int64_t timestamp_ms = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
};

// BuildBatch encodes `records` as one producer batch (base offset 0).
inline std::string BuildBatch(
    const std::vector<TestRecord>& records,
    record::Compression compression = record::Compression::kNone) {
  record::BatchOptions options;
  options.compression = compression;
  record::RecordBatchBuilder builder(options);
  for (const TestRecord& r : records) {
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

// BuildSimpleBatch encodes `count` records keyed "<key_prefix><i>" with
// values of `value_size` bytes derived from `seed`, all at `timestamp_ms`.
inline std::string BuildSimpleBatch(
    int count, int64_t timestamp_ms, std::string_view key_prefix = "key-",
    size_t value_size = 64, int seed = 0,
    record::Compression compression = record::Compression::kNone) {
  std::vector<TestRecord> records;
  for (int i = 0; i < count; ++i) {
    std::string value(value_size, '\0');
    for (size_t j = 0; j < value_size; ++j) {
      value[j] = static_cast<char>('a' + (seed * 7 + i * 13 + j) % 26);
    }
    records.push_back({.timestamp_ms = timestamp_ms,
                       .key = std::string(key_prefix) + std::to_string(i),
                       .value = std::move(value)});
  }
  return BuildBatch(records, compression);
}

// BatchHeaderOf parses the header of the batch at the start of `bytes`.
inline record::RecordBatchHeader BatchHeaderOf(std::string_view bytes) {
  absl::StatusOr<record::RecordBatchView> view =
      record::RecordBatchView::Parse(bytes);
  REQUIRE_OK(view);
  return view->header();
}

// WithOffsetAndEpoch is `batch` as the log stores it after assigning
// `base_offset` and `epoch` (the only fields an append rewrites).
inline std::string WithOffsetAndEpoch(std::string batch, int64_t base_offset,
                                      int32_t epoch = -1) {
  record::SetBaseOffset(batch.data(), base_offset);
  record::SetPartitionLeaderEpoch(batch.data(), epoch);
  return batch;
}

// SmallLogConfig rolls every few KiB and indexes often, keeps everything and
// never rolls or flushes on time.
inline LogConfig SmallLogConfig() {
  LogConfig config;
  config.segment_bytes = 4096;
  config.segment_ms = int64_t{1} << 50;
  config.segment_index_bytes = 4096;
  config.index_interval_bytes = 128;
  config.retention_ms = -1;
  config.retention_bytes = -1;
  return config;
}

// TryOpenLog opens a log in `dir` on `fs`; the clock defaults to a manual
// one so nothing depends on wall time.
inline absl::StatusOr<std::unique_ptr<Log>> TryOpenLog(
    std::shared_ptr<io::FileSystem> fs, const std::string& dir,
    const LogConfig& config, std::shared_ptr<Clock> clock = nullptr) {
  if (clock == nullptr) clock = std::make_shared<ManualClock>(1'000'000);
  LogOptions options;
  options.dir = dir;
  options.config = config;
  options.fs = std::move(fs);
  options.clock = std::move(clock);
  return Log::Open(std::move(options));
}

// OpenLog is TryOpenLog that requires success.
inline std::unique_ptr<Log> OpenLog(std::shared_ptr<io::FileSystem> fs,
                                    const std::string& dir,
                                    const LogConfig& config,
                                    std::shared_ptr<Clock> clock = nullptr) {
  absl::StatusOr<std::unique_ptr<Log>> log =
      TryOpenLog(std::move(fs), dir, config, std::move(clock));
  REQUIRE_OK(log);
  REQUIRE(*log != nullptr);
  return *std::move(log);
}

// StoredBatch is one batch as a read returned it.
struct StoredBatch {
  int64_t base_offset = 0;
  int64_t last_offset = 0;
  std::string bytes;
};

// LogRecord is one decoded record of a log.
struct LogRecord {
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;

  friend bool operator==(const LogRecord&, const LogRecord&) = default;
  friend std::ostream& operator<<(std::ostream& os, const LogRecord& r) {
    os << "{offset=" << r.offset << " ts=" << r.timestamp_ms
       << " key=" << (r.key ? *r.key : std::string("<null>")) << " value="
       << (r.value ? std::to_string(r.value->size()) + "B" : "<null>") << "}";
    return os;
  }
};

// LogContents is everything a log serves, from the batch holding its start
// offset to its end.
struct LogContents {
  int64_t log_start = 0;
  int64_t log_end = 0;
  std::vector<StoredBatch> batches;
  // Records of `batches`, including any below log_start in the first batch.
  std::vector<LogRecord> records;
};

// DecodeBatchRecords verifies a batch's CRC and decodes its records.
inline std::vector<LogRecord> DecodeBatchRecords(
    const record::RecordBatchView& batch) {
  REQUIRE_OK(batch.VerifyCrc());
  absl::StatusOr<record::DecodedRecords> decoded = batch.DecodeRecords();
  REQUIRE_OK(decoded);
  std::vector<LogRecord> out;
  for (const record::RecordView& r : *decoded) {
    LogRecord rec;
    rec.offset = r.offset.value();
    rec.timestamp_ms = r.timestamp_ms;
    if (r.key) rec.key = std::string(*r.key);
    if (r.value) rec.value = std::string(*r.value);
    out.push_back(std::move(rec));
  }
  return out;
}

struct ReadContentsOptions {
  // Verify CRCs and decode every record (else only check batch framing).
  bool decode = true;
  // max_bytes of each Read.
  int64_t max_bytes = 64 << 10;
  // Require offsets without gaps: each batch starts right after the one
  // before (false for compacted logs, where whole batches may be gone).
  bool contiguous = true;
};

// ReadLogContents reads the whole log from its start offset to its end in
// a loop of Reads, requiring every result to be whole, contiguous batches
// (no truncated tail, no malformed bytes, each starting after the last) that
// end exactly at the log end.
inline LogContents ReadLogContents(Log& log,
                                   const ReadContentsOptions& options = {}) {
  LogContents contents;
  contents.log_start = log.log_start_offset().value();
  contents.log_end = log.log_end_offset().value();
  REQUIRE(contents.log_start <= contents.log_end);
  int64_t next = contents.log_start;
  while (next < contents.log_end) {
    INFO("reading at offset " << next);
    ReadOptions read_options;
    read_options.max_bytes = options.max_bytes;
    ASSIGN_OR_REQUIRE(LogReadResult result,
                      log.Read(Offset(next), read_options));
    CHECK(result.log_start_offset.value() == contents.log_start);
    CHECK(result.log_end_offset.value() == contents.log_end);
    ASSIGN_OR_REQUIRE(std::string bytes, result.ReadAll());
    REQUIRE(bytes.size() == result.size_bytes);
    REQUIRE(!bytes.empty());
    record::BatchIterator it(bytes);
    while (it.Next()) {
      const record::RecordBatchView& batch = it.batch();
      const record::RecordBatchHeader& h = batch.header();
      INFO("batch at base offset " << h.base_offset);
      if (contents.batches.empty()) {
        // The first batch holds the start offset (or, in a compacted log,
        // is the first one after it).
        REQUIRE(h.last_offset() >= next);
        if (options.contiguous) REQUIRE(h.base_offset <= next);
      } else if (options.contiguous) {
        // Every later batch starts right after the one before.
        REQUIRE(h.base_offset == next);
      } else {
        REQUIRE(h.base_offset >= next);
      }
      if (options.decode) {
        std::vector<LogRecord> records = DecodeBatchRecords(batch);
        for (LogRecord& r : records) {
          REQUIRE(r.offset >= h.base_offset);
          REQUIRE(r.offset <= h.last_offset());
          contents.records.push_back(std::move(r));
        }
      }
      contents.batches.push_back({.base_offset = h.base_offset,
                                  .last_offset = h.last_offset(),
                                  .bytes = std::string(batch.data())});
      next = h.last_offset() + 1;
    }
    REQUIRE_OK(it.status());
    REQUIRE_FALSE(it.truncated_tail());
    REQUIRE(it.consumed() == bytes.size());
  }
  REQUIRE(next == contents.log_end);
  return contents;
}

// Describe summarizes contents for failure messages: bounds and each batch's
// offsets and size.
inline std::string Describe(const LogContents& contents) {
  std::string out = "[" + std::to_string(contents.log_start) + ", " +
                    std::to_string(contents.log_end) + "):";
  for (const StoredBatch& b : contents.batches) {
    out += " " + std::to_string(b.base_offset) + "-" +
           std::to_string(b.last_offset) + "(" +
           std::to_string(b.bytes.size()) + "B)";
  }
  return out;
}

// SegmentBaseOffsets lists the base offsets of the `<20 digits>.log` files
// in `dir`, ascending.
inline std::vector<int64_t> SegmentBaseOffsets(io::FileSystem& fs,
                                               const std::string& dir) {
  ASSIGN_OR_REQUIRE(std::vector<std::string> names, fs.ListDir(dir));
  std::vector<int64_t> bases;
  for (const std::string& name : names) {
    if (name.size() != 24 || name.substr(20) != ".log") continue;
    bool digits = true;
    for (size_t i = 0; i < 20; ++i) {
      if (name[i] < '0' || name[i] > '9') digits = false;
    }
    if (digits) bases.push_back(std::stoll(name.substr(0, 20)));
  }
  return bases;
}

// SegmentFileName is the .log file name of the segment at `base_offset`.
inline std::string SegmentFileName(int64_t base_offset) {
  std::string digits = std::to_string(base_offset);
  return std::string(20 - digits.size(), '0') + digits + ".log";
}

}  // namespace rill::log_test

#endif  // RILL_TESTS_LOG_LOG_TEST_UTIL_H_
