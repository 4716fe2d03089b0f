// Tests of rill::Log time lookups, timestamps, follower appends, flushing,
// reopening, and one smoke test on the POSIX file system.
// Everything runs on the in-memory file system with a manual clock.
#include <stdlib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "log/log_fixture.h"
#include "log/log_unit_test_util.h"
#include "rill/clock.h"
#include "rill/io/file_system.h"
#include "rill/log/log.h"
#include "rill/log/log_config.h"
#include "rill/record/record_batch.h"

namespace rill::log_unit_test {
namespace {

// ------------------------------------------------------- Time lookups

TEST_CASE("FindOffsetByTimestamp returns the first record at or after a time",
          "[log]") {
  LogTest t;
  t.config.segment_bytes = 600;
  t.config.index_interval_bytes = 0;
  t.Open();
  // Batch i holds records at +100 i, +100 i + 10, +100 i + 20.
  for (int i = 0; i < 12; ++i) {
    std::vector<Rec> records;
    for (int j = 0; j < 3; ++j) {
      records.push_back({.timestamp_ms = kStartMs + 100 * i + 10 * j,
                         .key = "k",
                         .value = std::string(50, 'v')});
    }
    t.Append(Batch(records));
  }
  REQUIRE(t.log->num_segments() > 2);
  auto find = [&](int64_t ts) {
    ASSIGN_OR_REQUIRE(std::optional<TimestampOffset> found,
                      t.log->FindOffsetByTimestamp(ts));
    return found;
  };
  auto found = find(0);
  REQUIRE(found.has_value());
  CHECK(found->offset == Offset(0));

  found = find(kStartMs + 710);  // batch 7, record 1
  REQUIRE(found.has_value());
  CHECK(found->offset == Offset(22));
  CHECK(found->timestamp_ms == kStartMs + 710);

  found = find(kStartMs + 711);
  REQUIRE(found.has_value());
  CHECK(found->offset == Offset(23));
  CHECK(found->timestamp_ms == kStartMs + 720);

  found = find(kStartMs + 1120);  // the very last record
  REQUIRE(found.has_value());
  CHECK(found->offset == Offset(35));

  CHECK_FALSE(find(kStartMs + 1121).has_value());

  // Nothing below the log start is returned.
  REQUIRE_OK(t.log->AdvanceLogStartOffset(Offset(20)));
  found = find(kStartMs);
  REQUIRE(found.has_value());
  CHECK(found->offset == Offset(20));
}

// ----------------------------------------------------------- Timestamps

TEST_CASE("With LogAppendTime the log stamps batches with the broker's clock",
          "[log]") {
  LogTest t;
  t.config.message_timestamp_type = record::TimestampType::kLogAppendTime;
  t.Open();
  t.clock->SetMs(kStartMs + 12'345);
  const std::string batch =
      Batch({{.timestamp_ms = 111, .key = "a", .value = "1"},
             {.timestamp_ms = 222, .key = "b", .value = "2"}});
  ASSIGN_OR_REQUIRE(AppendInfo info, t.log->Append(batch));
  CHECK(info.log_append_time_ms == kStartMs + 12'345);
  CHECK(info.max_timestamp_ms == kStartMs + 12'345);

  const std::string read = ReadEverything(*t.log);
  const record::RecordBatchHeader h = BatchHeaderOf(read);
  CHECK(h.timestamp_type() == record::TimestampType::kLogAppendTime);
  CHECK(h.max_timestamp == kStartMs + 12'345);
  std::vector<Rec> records = DecodeAll(read);  // checks the new CRC
  REQUIRE(records.size() == 2);
  for (const Rec& r : records) CHECK(r.timestamp_ms == kStartMs + 12'345);
  CHECK(records[1].key == "b");
  CHECK(records[1].value == "2");

  auto found = t.log->FindOffsetByTimestamp(kStartMs + 12'345);
  REQUIRE_OK(found);
  REQUIRE(found->has_value());
  CHECK((*found)->offset == Offset(0));
  found = t.log->FindOffsetByTimestamp(kStartMs + 12'346);
  REQUIRE_OK(found);
  CHECK_FALSE(found->has_value());
}

TEST_CASE("With CreateTime the log keeps the producer's timestamps", "[log]") {
  LogTest t;
  t.Open();
  t.clock->SetMs(kStartMs + 12'345);
  const std::string batch = Batch({{.timestamp_ms = 111, .value = "1"},
                                   {.timestamp_ms = 222, .value = "2"}});
  ASSIGN_OR_REQUIRE(AppendInfo info, t.log->Append(batch));
  CHECK(info.log_append_time_ms == -1);
  CHECK(info.max_timestamp_ms == 222);
  CHECK(ReadEverything(*t.log) == WithOffsetAndEpoch(batch, 0));
}

// ------------------------------------------------------ Follower appends

// FollowerBatch is a batch as a leader stored it: base offset and epoch set.
std::string FollowerBatch(int64_t base, int count, int32_t epoch = 5) {
  return WithOffsetAndEpoch(ValueBatch(count, kStartMs), base, epoch);
}

TEST_CASE("A follower append keeps the batches' offsets and epochs", "[log]") {
  LogTest t;
  t.Open();
  const AppendOptions follower{.assign_offsets = false};
  const std::string a = FollowerBatch(0, 3);
  const std::string b = FollowerBatch(3, 2, 6);
  ASSIGN_OR_REQUIRE(AppendInfo info, t.log->Append(a + b, follower));
  CHECK(info.first_offset == Offset(0));
  CHECK(info.last_offset == Offset(4));
  const std::string c = FollowerBatch(5, 4, 6);
  ASSIGN_OR_REQUIRE(info, t.log->Append(c, follower));
  CHECK(info.first_offset == Offset(5));
  CHECK(t.log->log_end_offset() == Offset(9));
  CHECK(ReadEverything(*t.log) == a + b + c);
}

TEST_CASE("A follower append that does not continue the log is rejected",
          "[log]") {
  LogTest t;
  t.Open();
  const AppendOptions follower{.assign_offsets = false};
  REQUIRE_OK(t.log->Append(FollowerBatch(0, 3), follower));
  const std::string before = ReadEverything(*t.log);
  std::string bad;
  SECTION("overlapping the log's last batch") { bad = FollowerBatch(2, 3); }
  SECTION("repeating the log from the start") { bad = FollowerBatch(0, 3); }
  SECTION("a second batch overlapping the first") {
    bad = FollowerBatch(3, 3) + FollowerBatch(4, 3);
  }
  CHECK(t.log->Append(std::string_view(bad), follower).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(t.log->log_end_offset() == Offset(3));
  CHECK(ReadEverything(*t.log) == before);
}

TEST_CASE("A follower append may start past the log end", "[log]") {
  LogTest t;
  t.Open();
  const AppendOptions follower{.assign_offsets = false};
  const std::string a = FollowerBatch(0, 3);
  REQUIRE_OK(t.log->Append(a, follower));
  const std::string b = FollowerBatch(10, 2);
  REQUIRE_OK(t.log->Append(b, follower));
  CHECK(t.log->log_end_offset() == Offset(12));
  CHECK(ReadBytes(*t.log, Offset(10)) == b);
  CHECK(ReadEverything(*t.log) == a + b);
}

TEST_CASE(
    "A follower append accepts a compacted batch a leader append "
    "rejects",
    "[log]") {
  LogTest t;
  t.Open();
  // Records at offsets 0 and 4 of a batch whose last offset is 5.
  record::RecordBatchBuilder builder({.partition_leader_epoch = 2});
  builder.AppendWithOffset(Offset(0), {.timestamp_ms = kStartMs, .key = "a"});
  builder.AppendWithOffset(Offset(4), {.timestamp_ms = kStartMs, .key = "b"});
  builder.set_last_offset_delta(5);
  ASSIGN_OR_REQUIRE(std::string compacted, builder.Build());

  CHECK(t.log->Append(compacted).status().code() ==
        absl::StatusCode::kInvalidArgument);
  ASSIGN_OR_REQUIRE(AppendInfo info, t.log->Append(std::string_view(compacted),
                                                   {.assign_offsets = false}));
  CHECK(info.last_offset == Offset(5));
  CHECK(t.log->log_end_offset() == Offset(6));
  CHECK(ReadEverything(*t.log) == compacted);
}

// -------------------------------------------------------------- Flushing

TEST_CASE("flush.messages flushes once that many records are unflushed",
          "[log]") {
  LogTest t;
  t.config.flush_messages = 5;
  t.Open();
  CHECK(t.log->recovery_point() == Offset(0));
  t.AppendRecords(3);
  CHECK(t.log->recovery_point() == Offset(0));
  t.AppendRecords(1);
  CHECK(t.log->recovery_point() == Offset(0));
  t.AppendRecords(1);  // the fifth record
  CHECK(t.log->recovery_point() == Offset(5));
  t.AppendRecords(4);
  CHECK(t.log->recovery_point() == Offset(5));
  t.AppendRecords(2);
  CHECK(t.log->recovery_point() == Offset(11));
}

TEST_CASE("Flush advances the recovery point to the log end", "[log]") {
  LogTest t;
  t.config.segment_bytes = 500;
  t.Open();
  for (int i = 0; i < 10; ++i) t.AppendRecords(3);
  CHECK(t.log->recovery_point() == Offset(0));
  REQUIRE_OK(t.log->Flush());
  CHECK(t.log->recovery_point() == Offset(30));
}

TEST_CASE(
    "FlushIfDue flushes once the oldest unflushed append is flush.ms "
    "old",
    "[log]") {
  LogTest t;
  t.config.flush_ms = 1000;
  t.Open();
  REQUIRE_OK(t.log->FlushIfDue());  // nothing to flush
  CHECK(t.log->recovery_point() == Offset(0));

  t.AppendRecords(3);
  t.clock->AdvanceMs(600);
  t.AppendRecords(3);
  t.clock->AdvanceMs(399);
  REQUIRE_OK(t.log->FlushIfDue());
  CHECK(t.log->recovery_point() == Offset(0));
  t.clock->AdvanceMs(1);  // 1000 ms since the first unflushed append
  REQUIRE_OK(t.log->FlushIfDue());
  CHECK(t.log->recovery_point() == Offset(6));

  // The clock restarts with the next unflushed append.
  t.AppendRecords(1);
  t.clock->AdvanceMs(999);
  REQUIRE_OK(t.log->FlushIfDue());
  CHECK(t.log->recovery_point() == Offset(6));
  t.clock->AdvanceMs(1);
  REQUIRE_OK(t.log->FlushIfDue());
  CHECK(t.log->recovery_point() == Offset(7));
}

// ------------------------------------------------------------- Reopening

TEST_CASE("A log closed cleanly reopens with everything and flushed", "[log]") {
  LogTest t;
  t.config.segment_bytes = 800;
  t.Open();
  for (int i = 0; i < 15; ++i) {
    t.AppendRecords(3);
    t.clock->AdvanceMs(1);  // batch i at kStartMs + i
  }
  REQUIRE_OK(t.log->AdvanceLogStartOffset(Offset(4)));
  const int segments = t.log->num_segments();
  const int64_t size = t.log->size_bytes();
  REQUIRE(segments > 2);

  REQUIRE_OK(t.log->Close());
  CHECK(t.FileExists(".clean-shutdown"));
  CHECK(t.log->Append(ValueBatch(1, kStartMs)).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(t.log->Read(Offset(4), {}).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK_OK(t.log->Close());  // twice is fine

  t.log.reset();
  t.Open();
  CHECK_FALSE(t.FileExists(".clean-shutdown"));
  // Time lookups through the trusted indexes answer as before.
  for (int64_t ts = kStartMs - 1; ts <= kStartMs + 15; ++ts) {
    INFO("timestamp " << ts);
    ASSIGN_OR_REQUIRE(std::optional<TimestampOffset> found,
                      t.log->FindOffsetByTimestamp(ts));
    REQUIRE(found.has_value() == (ts <= kStartMs + 14));
    if (found)
      CHECK(found->offset == Offset(std::max<int64_t>(4, 3 * (ts - kStartMs))));
  }
  CHECK(t.log->log_start_offset() == Offset(4));
  CHECK(t.log->log_end_offset() == Offset(45));
  CHECK(t.log->recovery_point() == Offset(45));
  CHECK(t.log->num_segments() == segments);
  CHECK(t.log->size_bytes() == size);
  CHECK(ReadEverything(*t.log) == t.StoredFrom(1));
  // Appends continue at the end.
  t.AppendRecords(2);
  CHECK(ReadEverything(*t.log) == t.StoredFrom(1));
}

TEST_CASE(
    "A log reopened without Close keeps everything on the mem file "
    "system",
    "[log]") {
  LogTest t;
  t.config.segment_bytes = 800;
  t.Open();
  for (int i = 0; i < 15; ++i) t.AppendRecords(3);
  SECTION("never flushed") {}
  SECTION("flushed part way") {
    REQUIRE_OK(t.log->Flush());
    for (int i = 0; i < 5; ++i) t.AppendRecords(3);
  }
  const int segments = t.log->num_segments();
  const Offset end = t.log->log_end_offset();
  t.Reopen(/*clean=*/false);
  CHECK(t.log->log_end_offset() == end);
  CHECK(t.log->num_segments() == segments);
  CHECK(ReadEverything(*t.log) == t.StoredFrom(0));
  t.AppendRecords(2);
  CHECK(ReadEverything(*t.log) == t.StoredFrom(0));
}

TEST_CASE("Open rejects a missing directory name and an invalid config",
          "[log]") {
  auto fs = io::NewMemFileSystem();
  CHECK(Log::Open({.dir = "", .config = {}, .fs = fs, .clock = nullptr})
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
  LogConfig bad;
  bad.segment_bytes = 1;
  CHECK(Log::Open({.dir = kDir, .config = bad, .fs = fs, .clock = nullptr})
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
}

// --------------------------------------------------------------- POSIX

// TempDir is a fresh directory under /tmp, removed with everything in it.
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/rill-log-test-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

TEST_CASE("A log on the POSIX file system survives Close and reopen", "[log]") {
  TempDir tmp;
  const std::string dir = tmp.path + "/orders-0";
  auto fs = io::NewPosixFileSystem();
  auto clock = std::make_shared<ManualClock>(kStartMs);
  LogConfig config;
  config.segment_bytes = 1000;
  std::string expected;
  {
    std::unique_ptr<Log> log = OpenTestLog(fs, dir, config, clock);
    for (int i = 0; i < 12; ++i) {
      const std::string batch = ValueBatch(3, kStartMs + i);
      REQUIRE_OK(log->Append(batch));
      expected += WithOffsetAndEpoch(batch, 3 * i);
    }
    REQUIRE(log->num_segments() > 1);
    REQUIRE_OK(log->Close());
  }
  CHECK(std::filesystem::exists(dir + "/00000000000000000000.log"));
  CHECK(std::filesystem::exists(dir + "/checkpoint"));
  CHECK(std::filesystem::exists(dir + "/.clean-shutdown"));

  std::unique_ptr<Log> log = OpenTestLog(fs, dir, config, clock);
  CHECK(log->log_end_offset() == Offset(36));
  CHECK(log->recovery_point() == Offset(36));
  CHECK(ReadEverything(*log) == expected);
  ASSIGN_OR_REQUIRE(LogReadResult r, log->Read(Offset(0), {}));
  REQUIRE_FALSE(r.slices.empty());
  CHECK(r.slices[0].file->NativeHandle() >= 0);  // sendfile(2) can use it
  REQUIRE_OK(log->Close());
}

}  // namespace
}  // namespace rill::log_unit_test
