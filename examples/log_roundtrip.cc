// log_roundtrip: rill's commit log used on its own, as an embedded journal.
//
// Writes a few thousand keyed records with headers, in batches compressed
// with each of Kafka's codecs, to a log directory; closes the log cleanly;
// reopens it (no recovery needed after a clean shutdown); reads everything
// back and checks every record. Exits 0 only if all of them match.
//
//   ./build/examples/log_roundtrip [log-dir]     # default ./data/example-log
//
// Uses only rill's public headers, so it builds against an installed rill.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rill/io/file_system.h"
#include "rill/log/log.h"
#include "rill/log/log_config.h"
#include "rill/record/record_batch.h"
#include "rill/types.h"

namespace {

using rill::Offset;
using rill::record::Compression;

constexpr int kBatches = 50;
constexpr int kRecordsPerBatch = 100;
// Small segments, so the example shows the log rolling.
constexpr int32_t kSegmentBytes = 64 << 10;
// The marker Close() leaves in the log directory (part of the on-disk
// format): while it is there, Open() trusts the segments and skips recovery.
constexpr const char* kCleanShutdownMarker = ".clean-shutdown";

// The codecs the batches cycle through.
constexpr std::pair<Compression, const char*> kCodecs[] = {
    {Compression::kNone, "none"},     {Compression::kGzip, "gzip"},
    {Compression::kSnappy, "snappy"}, {Compression::kLz4, "lz4"},
    {Compression::kZstd, "zstd"},
};

// ExpectedRecord is what we wrote, owned (the builder's views are not).
struct ExpectedRecord {
  int64_t timestamp_ms = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
  Compression compression = Compression::kNone;
};

// Check prints `what` and the status when it failed.
bool Check(const absl::Status& status, const char* what) {
  if (status.ok()) return true;
  std::fprintf(stderr, "log_roundtrip: %s: %s\n", what,
               status.ToString().c_str());
  return false;
}

// MakeRecords builds the records of batch `b`: keys repeat across batches (a
// user id), a few keys and values are null, every record carries headers.
std::vector<ExpectedRecord> MakeRecords(int b, int64_t now_ms) {
  std::vector<ExpectedRecord> records;
  for (int i = 0; i < kRecordsPerBatch; ++i) {
    const int n = b * kRecordsPerBatch + i;
    ExpectedRecord r;
    r.timestamp_ms = now_ms + n;
    if (n % 50 != 7) r.key = "user-" + std::to_string(n % 97);
    if (n % 40 != 3) {
      r.value = "{\"event\":\"click\",\"seq\":" + std::to_string(n) +
                ",\"page\":\"/products/" + std::to_string(n % 13) + "\"}";
    }
    r.headers.emplace_back("source", "log_roundtrip");
    r.headers.emplace_back("seq", std::to_string(n));
    if (n % 10 == 0) r.headers.emplace_back("trace", std::nullopt);
    r.compression = kCodecs[b % std::size(kCodecs)].first;
    records.push_back(std::move(r));
  }
  return records;
}

// BuildBatch encodes `records` as one RecordBatch v2.
absl::StatusOr<std::string> BuildBatch(
    const std::vector<ExpectedRecord>& records) {
  rill::record::RecordBatchBuilder builder(
      {.compression = records.front().compression});
  for (const ExpectedRecord& r : records) {
    rill::record::Record record{.timestamp_ms = r.timestamp_ms};
    if (r.key) record.key = *r.key;
    if (r.value) record.value = *r.value;
    for (const auto& [key, value] : r.headers) {
      rill::record::RecordHeader header{.key = key};
      if (value) header.value = *value;
      record.headers.push_back(header);
    }
    builder.Append(record);
  }
  return builder.Build();
}

std::optional<std::string> Own(std::optional<std::string_view> v) {
  if (!v) return std::nullopt;
  return std::string(*v);
}

// Matches tells whether the decoded record equals what was written.
bool Matches(const rill::record::RecordView& got, const ExpectedRecord& want,
             Compression compression) {
  if (compression != want.compression) return false;
  if (got.timestamp_ms != want.timestamp_ms) return false;
  if (Own(got.key) != want.key || Own(got.value) != want.value) return false;
  if (got.headers.size() != want.headers.size()) return false;
  for (size_t i = 0; i < got.headers.size(); ++i) {
    if (got.headers[i].key != want.headers[i].first ||
        Own(got.headers[i].value) != want.headers[i].second) {
      return false;
    }
  }
  return true;
}

void PrintLog(const char* when, const rill::Log& log) {
  std::printf(
      "%s: offsets [%lld, %lld), %d segment(s), %lld bytes, "
      "recovery point %lld\n",
      when, static_cast<long long>(log.log_start_offset().value()),
      static_cast<long long>(log.log_end_offset().value()), log.num_segments(),
      static_cast<long long>(log.size_bytes()),
      static_cast<long long>(log.recovery_point().value()));
}

// Write appends every batch to a fresh log in `dir` and closes it cleanly.
bool Write(const std::string& dir, const rill::LogConfig& config,
           std::vector<ExpectedRecord>& expected) {
  absl::StatusOr<std::unique_ptr<rill::Log>> log =
      rill::Log::Open({.dir = dir, .config = config});
  if (!Check(log.status(), "open")) return false;
  // A log left by an earlier run starts over at offset 0.
  const bool empty = (*log)->log_start_offset() == Offset(0) &&
                     (*log)->log_end_offset() == Offset(0);
  if (!empty &&
      !Check((*log)->TruncateFullyAndStartAt(Offset(0)), "truncate")) {
    return false;
  }

  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  int64_t bytes = 0;
  for (int b = 0; b < kBatches; ++b) {
    std::vector<ExpectedRecord> records = MakeRecords(b, now_ms);
    absl::StatusOr<std::string> batch = BuildBatch(records);
    if (!Check(batch.status(), "build batch")) return false;
    absl::StatusOr<rill::AppendInfo> info = (*log)->Append(*batch);
    if (!Check(info.status(), "append")) return false;
    if (info->first_offset != Offset(static_cast<int64_t>(expected.size()))) {
      std::fprintf(stderr, "log_roundtrip: batch %d got offset %lld\n", b,
                   static_cast<long long>(info->first_offset.value()));
      return false;
    }
    bytes += info->bytes;
    for (ExpectedRecord& r : records) expected.push_back(std::move(r));
  }
  std::printf("wrote %zu records in %d batches (%lld bytes; codecs:",
              expected.size(), kBatches, static_cast<long long>(bytes));
  for (const auto& [codec, name] : kCodecs) std::printf(" %s", name);
  std::printf(") to %s\n", dir.c_str());
  PrintLog("before close", **log);
  if (!Check((*log)->Close(), "close")) return false;
  std::printf("closed cleanly\n");
  return true;
}

// ReadBack reopens the log and checks every record against `expected`.
bool ReadBack(const std::string& dir, const rill::LogConfig& config,
              const std::vector<ExpectedRecord>& expected) {
  std::shared_ptr<rill::io::FileSystem> fs = rill::io::NewPosixFileSystem();
  absl::StatusOr<bool> clean =
      fs->Exists(rill::io::JoinPath(dir, kCleanShutdownMarker));
  if (!Check(clean.status(), "look for the clean-shutdown marker")) {
    return false;
  }
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<std::unique_ptr<rill::Log>> log =
      rill::Log::Open({.dir = dir, .config = config});
  const std::chrono::duration<double, std::milli> took =
      std::chrono::steady_clock::now() - start;
  if (!Check(log.status(), "reopen")) return false;
  std::printf("reopened in %.2f ms\n", took.count());
  PrintLog("after reopen", **log);
  const auto end = Offset(static_cast<int64_t>(expected.size()));
  if ((*log)->log_end_offset() != end ||
      (*log)->recovery_point() != (*log)->log_end_offset()) {
    std::fprintf(stderr, "log_roundtrip: reopened log lost data\n");
    return false;
  }
  if (*clean) {
    std::printf(
        "recovery skipped: the clean-shutdown marker was present, so no "
        "segment was scanned\n");
  } else {
    std::fprintf(stderr,
                 "log_roundtrip: no clean-shutdown marker after Close()\n");
    return false;
  }

  int64_t read = 0;
  int64_t batches = 0;
  int64_t mismatches = 0;
  Offset next(0);
  while (next < (*log)->log_end_offset()) {
    absl::StatusOr<rill::LogReadResult> result =
        (*log)->Read(next, {.max_bytes = 64 << 10});
    if (!Check(result.status(), "read")) return false;
    absl::StatusOr<std::string> bytes = result->ReadAll();
    if (!Check(bytes.status(), "read bytes")) return false;
    rill::record::BatchIterator it(*bytes);
    Offset before = next;
    while (it.Next()) {
      const rill::record::RecordBatchView& batch = it.batch();
      if (!Check(batch.VerifyCrc(), "crc")) return false;
      absl::StatusOr<rill::record::DecodedRecords> records =
          batch.DecodeRecords();
      if (!Check(records.status(), "decode")) return false;
      for (const rill::record::RecordView& r : *records) {
        const int64_t o = r.offset.value();
        if (o != read || o >= static_cast<int64_t>(expected.size()) ||
            !Matches(r, expected[static_cast<size_t>(o)],
                     batch.header().compression())) {
          if (++mismatches <= 5) {
            std::fprintf(stderr,
                         "log_roundtrip: record at offset %lld differs\n",
                         static_cast<long long>(o));
          }
        }
        ++read;
      }
      ++batches;
      next = Offset(batch.header().last_offset() + 1);
    }
    if (!Check(it.status(), "iterate batches")) return false;
    if (next == before) {
      std::fprintf(stderr, "log_roundtrip: no progress at offset %lld\n",
                   static_cast<long long>(next.value()));
      return false;
    }
  }
  std::printf("read back %lld records in %lld batches: %s\n",
              static_cast<long long>(read), static_cast<long long>(batches),
              mismatches == 0 && read == static_cast<int64_t>(expected.size())
                  ? "all match"
                  : "MISMATCH");
  if (!Check((*log)->Close(), "close")) return false;
  return mismatches == 0 && read == static_cast<int64_t>(expected.size());
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "./data/example-log";
  const rill::LogConfig config{.segment_bytes = kSegmentBytes};
  std::vector<ExpectedRecord> expected;
  if (!Write(dir, config, expected)) return 1;
  if (!ReadBack(dir, config, expected)) return 1;
  std::printf("OK\n");
  return 0;
}
