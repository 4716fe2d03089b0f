// Tests of the public rill::Log API: appends and what they store, reads and
// their bounds, rolls, retention, the log start offset, truncation, time
// lookups, timestamps, follower appends, flushing, reopening, compaction.
// Everything runs on the in-memory file system with a manual clock, except
// one smoke test on the POSIX file system.
#include "rill/log/log.h"

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

#include "log/log_unit_test_util.h"
#include "rill/clock.h"
#include "rill/io/file_system.h"
#include "rill/log/log_config.h"
#include "rill/record/record_batch.h"

namespace rill {
namespace {

using log_unit_test::AsStored;
using log_unit_test::Batch;
using log_unit_test::DecodeAll;
using log_unit_test::Header;
using log_unit_test::OpenTestLog;
using log_unit_test::ReadBytes;
using log_unit_test::ReadEverything;
using log_unit_test::Rec;
using log_unit_test::SplitBatches;
using log_unit_test::ValueBatch;

constexpr char kDir[] = "/data/orders-0";
constexpr int64_t kStartMs = 1'700'000'000'000;

// LogTest: a log on a mem file system with a manual clock, and the bytes it
// should hold (each batch as stored: assigned base offset, leader epoch -1).
struct LogTest {
  std::shared_ptr<io::FileSystem> fs = io::NewMemFileSystem();
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStartMs);
  LogConfig config = [] {
    LogConfig c;
    c.retention_ms = -1;
    c.index_interval_bytes = 256;
    return c;
  }();
  std::unique_ptr<Log> log;
  std::vector<std::string> stored;  // every batch appended, as stored

  void Open() { log = OpenTestLog(fs, kDir, config, clock); }

  // Reopen opens the log again, after Close() if `clean`.
  void Reopen(bool clean) {
    if (clean) REQUIRE_OK(log->Close());
    log.reset();
    Open();
  }

  // Append appends `batch` as a leader and records it as stored.
  AppendInfo Append(const std::string& batch) {
    const int64_t base = log->log_end_offset().value();
    ASSIGN_OR_REQUIRE(AppendInfo info, log->Append(batch));
    REQUIRE(info.first_offset == Offset(base));
    stored.push_back(AsStored(batch, base));
    return info;
  }

  // AppendRecords appends a batch of `count` records at the clock's time.
  AppendInfo AppendRecords(int count, size_t value_size = 32) {
    return Append(ValueBatch(count, clock->NowMs(), value_size));
  }

  std::string StoredFrom(size_t first_batch) const {
    std::string out;
    for (size_t i = first_batch; i < stored.size(); ++i) out += stored[i];
    return out;
  }

  // SegmentBases lists the base offsets of the .log files in the directory.
  std::vector<int64_t> SegmentBases() const {
    ASSIGN_OR_REQUIRE(std::vector<std::string> names, fs->ListDir(kDir));
    std::vector<int64_t> bases;
    for (const std::string& name : names) {
      if (name.size() == 24 && name.substr(20) == ".log") {
        bases.push_back(std::stoll(name.substr(0, 20)));
      }
    }
    return bases;
  }

  bool FileExists(const std::string& name) const {
    ASSIGN_OR_REQUIRE(bool exists, fs->Exists(io::JoinPath(kDir, name)));
    return exists;
  }
};

// SegmentName is the .log file name of the segment at `base`.
std::string SegmentName(int64_t base) {
  const std::string digits = std::to_string(base);
  return std::string(20 - digits.size(), '0') + digits + ".log";
}

// ---------------------------------------------------------------- Append

TEST_CASE(
    "Append assigns offsets from the log end and rewrites only "
    "baseOffset and partitionLeaderEpoch",
    "[log]") {
  LogTest t;
  t.Open();
  // Producers send base offset 0 and no epoch; these do not, to show that
  // the log overwrites whatever is there.
  std::string a = Batch({{.timestamp_ms = kStartMs, .key = "a", .value = "1"},
                         {.timestamp_ms = kStartMs + 1, .value = "2"},
                         {.timestamp_ms = kStartMs + 2, .key = "c"}},
                        {.base_offset = 777, .partition_leader_epoch = 99});
  std::string b = ValueBatch(5, kStartMs + 10);

  ASSIGN_OR_REQUIRE(
      AppendInfo ia,
      t.log->Append(std::string_view(a), {.leader_epoch = LeaderEpoch(7)}));
  CHECK(ia.first_offset == Offset(0));
  CHECK(ia.last_offset == Offset(2));
  CHECK(ia.batch_count == 1);
  CHECK(ia.record_count == 3);
  CHECK(ia.bytes == static_cast<int64_t>(a.size()));
  CHECK(ia.max_timestamp_ms == kStartMs + 2);
  CHECK(ia.log_append_time_ms == -1);

  ASSIGN_OR_REQUIRE(
      AppendInfo ib,
      t.log->Append(std::string_view(b), {.leader_epoch = LeaderEpoch(8)}));
  CHECK(ib.first_offset == Offset(3));
  CHECK(ib.last_offset == Offset(7));
  CHECK(t.log->log_end_offset() == Offset(8));
  CHECK(t.log->size_bytes() == static_cast<int64_t>(a.size() + b.size()));

  // Byte for byte the producer's batches, but for the two rewritten fields
  // (both outside the CRC, so the CRC still holds).
  const std::string read = ReadEverything(*t.log);
  CHECK(read == AsStored(a, 0, 7) + AsStored(b, 3, 8));
  std::vector<Rec> records = DecodeAll(read);
  REQUIRE(records.size() == 8);
  for (size_t i = 0; i < records.size(); ++i) {
    CHECK(records[i].offset == static_cast<int64_t>(i));
  }
  CHECK(records[0].key == "a");
  CHECK(records[1].key == std::nullopt);
  CHECK(records[2].value == std::nullopt);
}

TEST_CASE("Append rewrites a mutable buffer in place instead of copying it",
          "[log]") {
  LogTest t;
  t.Open();
  t.AppendRecords(4);
  std::string batch = ValueBatch(2, kStartMs);
  const std::string original = batch;
  ASSIGN_OR_REQUIRE(AppendInfo info,
                    t.log->Append(std::span<char>(batch.data(), batch.size()),
                                  {.leader_epoch = LeaderEpoch(3)}));
  CHECK(info.first_offset == Offset(4));
  CHECK(batch == AsStored(original, 4, 3));
}

TEST_CASE("Append of concatenated batches stores them at consecutive offsets",
          "[log]") {
  LogTest t;
  t.Open();
  t.AppendRecords(2);
  const std::string a = ValueBatch(3, kStartMs);
  const std::string b = ValueBatch(1, kStartMs + 5);
  const std::string c = ValueBatch(4, kStartMs + 2);
  ASSIGN_OR_REQUIRE(AppendInfo info, t.log->Append(a + b + c));
  CHECK(info.first_offset == Offset(2));
  CHECK(info.last_offset == Offset(9));
  CHECK(info.batch_count == 3);
  CHECK(info.record_count == 8);
  CHECK(info.bytes == static_cast<int64_t>(a.size() + b.size() + c.size()));
  CHECK(info.max_timestamp_ms == kStartMs + 5);
  CHECK(t.log->log_end_offset() == Offset(10));
  CHECK(ReadEverything(*t.log) ==
        t.stored[0] + AsStored(a, 2) + AsStored(b, 5) + AsStored(c, 6));
}

TEST_CASE("Append rejects invalid input and leaves the log unchanged",
          "[log]") {
  LogTest t;
  t.Open();
  t.AppendRecords(3);
  const std::string good = ValueBatch(2, kStartMs);
  std::string bad;
  absl::StatusCode code = absl::StatusCode::kOk;

  SECTION("a partial batch") {
    bad = good.substr(0, good.size() - 1);
    code = absl::StatusCode::kInvalidArgument;
  }
  SECTION("a batch header alone") {
    bad = good.substr(0, 61);
    code = absl::StatusCode::kInvalidArgument;
  }
  SECTION("a good batch followed by a partial one") {
    bad = good + good.substr(0, 20);
    code = absl::StatusCode::kInvalidArgument;
  }
  SECTION("a bad CRC") {
    bad = good;
    bad[bad.size() - 3] ^= 0x01;
    code = absl::StatusCode::kDataLoss;
  }
  SECTION("a good batch followed by one with a bad CRC") {
    std::string corrupt = good;
    corrupt[corrupt.size() - 3] ^= 0x01;
    bad = good + corrupt;
    code = absl::StatusCode::kDataLoss;
  }
  SECTION("a record count that does not match lastOffsetDelta") {
    record::RecordBatchBuilder builder;
    builder.Append({.timestamp_ms = kStartMs, .value = "x"});
    builder.Append({.timestamp_ms = kStartMs, .value = "y"});
    builder.set_last_offset_delta(4);
    ASSIGN_OR_REQUIRE(bad, builder.Build());
    code = absl::StatusCode::kInvalidArgument;
  }
  SECTION("a batch over max.message.bytes") {
    LogConfig c = t.config;
    c.max_message_bytes = static_cast<int32_t>(good.size()) - 1;
    REQUIRE_OK(t.log->UpdateConfig(c));
    bad = good;
    code = absl::StatusCode::kOutOfRange;
  }
  SECTION("nothing") {
    bad = "";
    code = absl::StatusCode::kInvalidArgument;
  }
  const Offset end = t.log->log_end_offset();
  const int64_t size = t.log->size_bytes();
  const std::string before = ReadEverything(*t.log);

  absl::StatusOr<AppendInfo> appended = t.log->Append(bad);
  CHECK(appended.status().code() == code);
  CHECK(t.log->log_end_offset() == end);
  CHECK(t.log->size_bytes() == size);
  CHECK(ReadEverything(*t.log) == before);
  CHECK(t.SegmentBases() == std::vector<int64_t>{0});
  // The log still takes good appends, right where it ended.
  LogConfig c = t.config;
  REQUIRE_OK(t.log->UpdateConfig(c));
  t.Append(good);
  CHECK(ReadEverything(*t.log) == t.StoredFrom(0));
}

TEST_CASE("Append accepts a batch of exactly max.message.bytes", "[log]") {
  LogTest t;
  const std::string batch = ValueBatch(3, kStartMs);
  t.config.max_message_bytes = static_cast<int32_t>(batch.size());
  t.Open();
  t.Append(batch);
  CHECK(t.log->log_end_offset() == Offset(3));
}

// ----------------------------------------------------------------- Read

TEST_CASE(
    "Read returns whole batches starting with the one holding the "
    "offset",
    "[log]") {
  LogTest t;
  t.Open();
  for (int i = 0; i < 10; ++i) t.AppendRecords(3);
  for (int64_t o = 0; o < 30; ++o) {
    INFO("offset " << o);
    const std::string bytes = ReadBytes(*t.log, Offset(o));
    CHECK(bytes == t.StoredFrom(static_cast<size_t>(o / 3)));
  }
}

TEST_CASE("Read bounds its result by max_bytes in whole batches", "[log]") {
  LogTest t;
  t.Open();
  for (int i = 0; i < 10; ++i) t.AppendRecords(3);
  const int64_t one = static_cast<int64_t>(t.stored[0].size());
  const int64_t two = one + static_cast<int64_t>(t.stored[1].size());

  SECTION("exactly two batches") {
    CHECK(ReadBytes(*t.log, Offset(0), {.max_bytes = two}) ==
          t.stored[0] + t.stored[1]);
  }
  SECTION("a byte short of two batches") {
    CHECK(ReadBytes(*t.log, Offset(0), {.max_bytes = two - 1}) == t.stored[0]);
  }
  SECTION("less than one batch returns the first batch whole (KIP-74)") {
    CHECK(ReadBytes(*t.log, Offset(4), {.max_bytes = 1}) == t.stored[1]);
    CHECK(ReadBytes(*t.log, Offset(4), {.max_bytes = 0}) == t.stored[1]);
  }
  SECTION("less than one batch without min_one_batch returns nothing") {
    ASSIGN_OR_REQUIRE(
        LogReadResult r,
        t.log->Read(Offset(4), {.max_bytes = one - 1, .min_one_batch = false}));
    CHECK(r.size_bytes == 0);
    CHECK(r.slices.empty());
  }
}

TEST_CASE("Read returns only batches whose base offset is below max_offset",
          "[log]") {
  LogTest t;
  t.Open();
  for (int i = 0; i < 10; ++i) t.AppendRecords(3);
  std::string prefix;
  for (size_t b = 0; b < 10; ++b) {
    INFO("max_offset at batch " << b);
    const int64_t base = static_cast<int64_t>(3 * b);
    CHECK(ReadBytes(*t.log, Offset(0), {.max_offset = Offset(base)}) == prefix);
    prefix += t.stored[b];
    // Inside the batch: it starts below max_offset, so it is included.
    CHECK(ReadBytes(*t.log, Offset(0), {.max_offset = Offset(base + 1)}) ==
          prefix);
  }
}

TEST_CASE("Read at the log end is empty and reports the bounds", "[log]") {
  LogTest t;
  t.Open();
  ASSIGN_OR_REQUIRE(LogReadResult empty, t.log->Read(Offset(0), {}));
  CHECK(empty.size_bytes == 0);
  CHECK(empty.slices.empty());
  CHECK(empty.log_end_offset == Offset(0));

  t.AppendRecords(3);
  t.AppendRecords(3);
  REQUIRE_OK(t.log->AdvanceLogStartOffset(Offset(2)));
  ASSIGN_OR_REQUIRE(LogReadResult r, t.log->Read(Offset(6), {}));
  CHECK(r.size_bytes == 0);
  CHECK(r.slices.empty());
  CHECK(r.log_start_offset == Offset(2));
  CHECK(r.log_end_offset == Offset(6));
  ASSIGN_OR_REQUIRE(std::string bytes, r.ReadAll());
  CHECK(bytes.empty());
}

TEST_CASE("Read outside [log start, log end] is kOutOfRange", "[log]") {
  LogTest t;
  t.Open();
  for (int i = 0; i < 4; ++i) t.AppendRecords(3);
  REQUIRE_OK(t.log->AdvanceLogStartOffset(Offset(4)));
  for (int64_t o :
       {int64_t{-1}, int64_t{0}, int64_t{3}, int64_t{13}, int64_t{1000}}) {
    INFO("offset " << o);
    CHECK(t.log->Read(Offset(o), {}).status().code() ==
          absl::StatusCode::kOutOfRange);
  }
  // The start itself is readable: from the batch that holds it.
  CHECK(ReadBytes(*t.log, Offset(4)) == t.StoredFrom(1));
}

TEST_CASE("Read serves one segment at a time and every segment in turn",
          "[log]") {
  LogTest t;
  t.config.segment_bytes = 1000;
  t.Open();
  for (int i = 0; i < 20; ++i) t.AppendRecords(3);
  REQUIRE(t.log->num_segments() > 3);
  ASSIGN_OR_REQUIRE(LogReadResult r, t.log->Read(Offset(0), {}));
  CHECK(r.slices.size() == 1);
  CHECK(r.size_bytes <= 1000);
  CHECK(ReadEverything(*t.log) == t.StoredFrom(0));
}

// ---------------------------------------------------------------- Rolls

TEST_CASE(
    "A segment rolls before an append would take it past "
    "segment.bytes",
    "[log]") {
  LogTest t;
  t.config.segment_bytes = 1000;
  t.Open();
  for (int i = 0; i < 30; ++i) t.AppendRecords(3);
  // Every segment file but the active one is at most segment.bytes, and
  // full: the next batch would not have fit.
  const std::vector<int64_t> bases = t.SegmentBases();
  REQUIRE(bases.size() == static_cast<size_t>(t.log->num_segments()));
  REQUIRE(bases.size() >= 4);
  int64_t total = 0;
  for (size_t i = 0; i < bases.size(); ++i) {
    ASSIGN_OR_REQUIRE(
        std::string contents,
        io::ReadFileToString(*t.fs, io::JoinPath(kDir, SegmentName(bases[i]))));
    INFO("segment " << bases[i]);
    CHECK(contents.size() <= 1000);
    if (i + 1 < bases.size()) {
      CHECK(contents.size() + t.stored[0].size() > 1000);
      // Each segment starts where the previous one ended.
      CHECK(bases[i + 1] ==
            Header(SplitBatches(contents).back()).last_offset() + 1);
    }
    total += static_cast<int64_t>(contents.size());
  }
  CHECK(total == t.log->size_bytes());
  CHECK(ReadEverything(*t.log) == t.StoredFrom(0));
}

TEST_CASE(
    "A batch larger than segment.bytes still goes into an empty "
    "segment",
    "[log]") {
  LogTest t;
  t.config.segment_bytes = 100;
  t.Open();
  t.AppendRecords(3, 200);
  CHECK(t.log->num_segments() == 1);
  t.AppendRecords(3, 200);
  CHECK(t.log->num_segments() == 2);
  CHECK(ReadEverything(*t.log) == t.StoredFrom(0));
}

TEST_CASE("A segment rolls once its first batch is segment.ms old", "[log]") {
  LogTest t;
  t.config.segment_ms = 1000;
  t.Open();
  t.AppendRecords(1);
  t.clock->AdvanceMs(999);
  t.AppendRecords(1);
  REQUIRE_OK(t.log->RollIfDue());
  CHECK(t.log->num_segments() == 1);

  t.clock->AdvanceMs(1);  // the first batch is now 1000 ms old
  t.AppendRecords(1);
  CHECK(t.log->num_segments() == 2);
  CHECK(t.SegmentBases() == std::vector<int64_t>{0, 2});

  // RollIfDue rolls without an append, once.
  t.clock->AdvanceMs(999);
  REQUIRE_OK(t.log->RollIfDue());
  CHECK(t.log->num_segments() == 2);
  t.clock->AdvanceMs(1);
  REQUIRE_OK(t.log->RollIfDue());
  CHECK(t.log->num_segments() == 3);
  t.clock->AdvanceMs(5000);
  REQUIRE_OK(t.log->RollIfDue());  // the new active segment is empty
  CHECK(t.log->num_segments() == 3);
  CHECK(t.SegmentBases() == std::vector<int64_t>{0, 2, 3});
  CHECK(ReadEverything(*t.log) == t.StoredFrom(0));
}

TEST_CASE("Old producer timestamps do not make every append roll a segment",
          "[log]") {
  // Kafka measures segment.ms between the incoming batch's largest
  // timestamp and the segment's first one (LogSegment.timeWaitedForRoll), so
  // a producer replaying month-old data fills segments as usual.
  LogTest t;
  t.Open();
  const int64_t month_ago = kStartMs - int64_t{30} * 24 * 3600 * 1000;
  for (int i = 0; i < 10; ++i) t.Append(ValueBatch(3, month_ago + i));
  CHECK(t.log->num_segments() == 1);
  CHECK(ReadEverything(*t.log) == t.StoredFrom(0));
}

TEST_CASE("A segment rolls when its index is full", "[log]") {
  LogTest t;
  t.config.index_interval_bytes = 0;  // an index entry for every batch
  t.config.segment_index_bytes = 24;  // 3 offset entries, 2 time entries
  t.Open();
  for (int i = 0; i < 20; ++i) {
    t.AppendRecords(1);
    t.clock->AdvanceMs(1);  // rising times, so the time index grows too
  }
  CHECK(t.log->num_segments() >= 5);
  REQUIRE_OK(t.log->Flush());
  ASSIGN_OR_REQUIRE(std::vector<std::string> names, t.fs->ListDir(kDir));
  for (const std::string& name : names) {
    if (name.ends_with(".index") || name.ends_with(".timeindex")) {
      ASSIGN_OR_REQUIRE(std::string contents,
                        io::ReadFileToString(*t.fs, io::JoinPath(kDir, name)));
      INFO(name);
      CHECK(contents.size() <= 24);
    }
  }
  CHECK(ReadEverything(*t.log) == t.StoredFrom(0));
}

TEST_CASE(
    "Roll starts a new segment at the log end, but not after an empty "
    "one",
    "[log]") {
  LogTest t;
  t.Open();
  REQUIRE_OK(t.log->Roll());
  CHECK(t.log->num_segments() == 1);
  CHECK(t.SegmentBases() == std::vector<int64_t>{0});

  t.AppendRecords(3);
  REQUIRE_OK(t.log->Roll());
  CHECK(t.log->num_segments() == 2);
  REQUIRE_OK(t.log->Roll());
  REQUIRE_OK(t.log->Roll());
  CHECK(t.log->num_segments() == 2);
  CHECK(t.SegmentBases() == std::vector<int64_t>{0, 3});
  t.AppendRecords(3);
  CHECK(ReadEverything(*t.log) == t.StoredFrom(0));
}

// ------------------------------------------------------------ Retention

TEST_CASE(
    "retention.ms deletes whole segments whose newest record is "
    "older, and nothing after",
    "[log]") {
  LogTest t;
  t.config.retention_ms = 10'000;
  t.Open();
  // Three segments whose newest records are at +0, +5000 and +10000.
  t.AppendRecords(3);
  t.AppendRecords(3);
  REQUIRE_OK(t.log->Roll());
  t.clock->AdvanceMs(5000);
  t.AppendRecords(3);
  REQUIRE_OK(t.log->Roll());
  t.clock->AdvanceMs(5000);
  t.AppendRecords(3);
  REQUIRE(t.SegmentBases() == std::vector<int64_t>{0, 6, 9});

  ASSIGN_OR_REQUIRE(int deleted, t.log->EnforceRetention());
  CHECK(deleted == 0);  // exactly retention.ms old is kept
  CHECK(t.log->log_start_offset() == Offset(0));

  t.clock->AdvanceMs(1);
  ASSIGN_OR_REQUIRE(deleted, t.log->EnforceRetention());
  CHECK(deleted == 1);
  CHECK(t.SegmentBases() == std::vector<int64_t>{6, 9});
  CHECK(t.log->log_start_offset() == Offset(6));
  CHECK(t.log->log_end_offset() == Offset(12));
  CHECK(ReadEverything(*t.log) == t.StoredFrom(2));

  // Even the active segment goes once it is expired; the log end stays.
  t.clock->AdvanceMs(20'000);
  ASSIGN_OR_REQUIRE(deleted, t.log->EnforceRetention());
  CHECK(deleted == 2);
  CHECK(t.log->log_start_offset() == Offset(12));
  CHECK(t.log->log_end_offset() == Offset(12));
  CHECK(t.log->size_bytes() == 0);
  CHECK(t.SegmentBases() == std::vector<int64_t>{12});
  t.AppendRecords(2);
  CHECK(ReadEverything(*t.log) == t.stored.back());
}

TEST_CASE("retention.ms of -1 keeps every segment", "[log]") {
  LogTest t;
  t.Open();
  t.AppendRecords(3);
  REQUIRE_OK(t.log->Roll());
  t.AppendRecords(3);
  t.clock->AdvanceMs(int64_t{100} * 365 * 24 * 3600 * 1000);
  ASSIGN_OR_REQUIRE(int deleted, t.log->EnforceRetention());
  CHECK(deleted == 0);
  CHECK(ReadEverything(*t.log) == t.StoredFrom(0));
}

TEST_CASE(
    "retention.bytes deletes the oldest whole segments while the rest "
    "still exceeds it",
    "[log]") {
  LogTest t;
  t.Open();
  // Five segments of one batch each, all of the same size.
  for (int i = 0; i < 5; ++i) {
    t.AppendRecords(2);
    if (i < 4) REQUIRE_OK(t.log->Roll());
  }
  const int64_t s = static_cast<int64_t>(t.stored[0].size());
  REQUIRE(t.log->size_bytes() == 5 * s);
  int64_t retention = 0;
  size_t kept = 0;
  SECTION("a limit between segment sizes keeps the segments above it") {
    retention = 2 * s + s / 2;
    kept = 3;
  }
  SECTION("a limit of exactly three segments keeps three") {
    retention = 3 * s;
    kept = 3;
  }
  SECTION("a limit above the log deletes nothing") {
    retention = 5 * s;
    kept = 5;
  }
  LogConfig c = t.config;
  c.retention_bytes = retention;
  REQUIRE_OK(t.log->UpdateConfig(c));
  ASSIGN_OR_REQUIRE(int deleted, t.log->EnforceRetention());
  CHECK(deleted == static_cast<int>(5 - kept));
  CHECK(t.log->num_segments() == static_cast<int>(kept));
  CHECK(t.log->log_start_offset() ==
        Offset(static_cast<int64_t>(2 * (5 - kept))));
  CHECK(ReadEverything(*t.log) == t.StoredFrom(5 - kept));
}

TEST_CASE(
    "Retention does not delete by time or size under cleanup.policy "
    "compact",
    "[log]") {
  LogTest t;
  t.config.cleanup_compact = true;
  t.config.cleanup_delete = false;
  t.config.retention_ms = 1;
  t.config.retention_bytes = 1;
  t.Open();
  t.AppendRecords(3);
  REQUIRE_OK(t.log->Roll());
  t.AppendRecords(3);
  t.clock->AdvanceMs(1'000'000);
  ASSIGN_OR_REQUIRE(int deleted, t.log->EnforceRetention());
  CHECK(deleted == 0);
  CHECK(ReadEverything(*t.log) == t.StoredFrom(0));
}

TEST_CASE(
    "A read keeps its slices readable after retention deletes the "
    "segment",
    "[log]") {
  LogTest t;
  t.config.retention_ms = 1000;
  t.Open();
  t.AppendRecords(3);
  t.AppendRecords(3);
  REQUIRE_OK(t.log->Roll());
  ASSIGN_OR_REQUIRE(LogReadResult held, t.log->Read(Offset(0), {}));
  REQUIRE(held.size_bytes == t.StoredFrom(0).size());

  t.clock->AdvanceMs(1001);
  t.AppendRecords(1);
  ASSIGN_OR_REQUIRE(int deleted, t.log->EnforceRetention());
  REQUIRE(deleted == 1);
  REQUIRE_FALSE(t.FileExists(SegmentName(0)));
  CHECK(t.log->Read(Offset(0), {}).status().code() ==
        absl::StatusCode::kOutOfRange);

  ASSIGN_OR_REQUIRE(std::string bytes, held.ReadAll());
  CHECK(bytes == t.stored[0] + t.stored[1]);
}

// ----------------------------------------------------- Log start offset

TEST_CASE("AdvanceLogStartOffset hides the records below it, durably",
          "[log]") {
  LogTest t;
  t.Open();
  for (int i = 0; i < 6; ++i) t.AppendRecords(3);

  REQUIRE_OK(t.log->AdvanceLogStartOffset(Offset(7)));
  CHECK(t.log->log_start_offset() == Offset(7));
  CHECK(t.log->Read(Offset(6), {}).status().code() ==
        absl::StatusCode::kOutOfRange);
  CHECK(ReadBytes(*t.log, Offset(7)) == t.StoredFrom(2));

  // Moving it back is a no-op, not an error.
  REQUIRE_OK(t.log->AdvanceLogStartOffset(Offset(3)));
  CHECK(t.log->log_start_offset() == Offset(7));

  // Beyond the end is kOutOfRange and changes nothing; the end itself is
  // allowed.
  CHECK(t.log->AdvanceLogStartOffset(Offset(19)).code() ==
        absl::StatusCode::kOutOfRange);
  CHECK(t.log->log_start_offset() == Offset(7));

  bool clean = GENERATE(false, true);
  INFO("reopened " << (clean ? "after Close" : "without Close"));
  t.Reopen(clean);
  CHECK(t.log->log_start_offset() == Offset(7));
  CHECK(t.log->Read(Offset(6), {}).status().code() ==
        absl::StatusCode::kOutOfRange);
  CHECK(ReadBytes(*t.log, Offset(7)) == t.StoredFrom(2));

  REQUIRE_OK(t.log->AdvanceLogStartOffset(Offset(18)));
  CHECK(t.log->log_start_offset() == Offset(18));
  ASSIGN_OR_REQUIRE(LogReadResult r, t.log->Read(Offset(18), {}));
  CHECK(r.size_bytes == 0);
}

TEST_CASE("EnforceRetention deletes the segments wholly below the log start",
          "[log]") {
  LogTest t;
  t.Open();
  // Segments at 0, 6, 12, 18: two batches of three records each.
  for (int i = 0; i < 8; ++i) {
    t.AppendRecords(3);
    if (i % 2 == 1 && i < 7) REQUIRE_OK(t.log->Roll());
  }
  REQUIRE(t.SegmentBases() == std::vector<int64_t>{0, 6, 12, 18});

  REQUIRE_OK(t.log->AdvanceLogStartOffset(Offset(14)));
  ASSIGN_OR_REQUIRE(int deleted, t.log->EnforceRetention());
  CHECK(deleted == 2);
  CHECK(t.SegmentBases() == std::vector<int64_t>{12, 18});
  // The segment holding the start stays whole; the start does not move.
  CHECK(t.log->log_start_offset() == Offset(14));
  CHECK(ReadBytes(*t.log, Offset(14)) == t.stored[4] + t.stored[5]);

  t.Reopen(/*clean=*/false);
  CHECK(t.log->log_start_offset() == Offset(14));
  CHECK(t.SegmentBases() == std::vector<int64_t>{12, 18});
}

// ----------------------------------------------------------- Truncation

TEST_CASE("TruncateTo removes every batch from the one holding the offset",
          "[log]") {
  LogTest t;
  t.config.segment_bytes = 700;
  t.Open();
  for (int i = 0; i < 12; ++i) t.AppendRecords(3);
  REQUIRE_OK(t.log->Flush());
  REQUIRE(t.log->num_segments() >= 4);
  const std::vector<int64_t> bases_before = t.SegmentBases();

  // Offset 10 is inside batch 3 (offsets 9..11).
  REQUIRE_OK(t.log->TruncateTo(Offset(10)));
  CHECK(t.log->log_end_offset() == Offset(9));
  CHECK(t.log->recovery_point() <= Offset(9));
  t.stored.resize(3);
  CHECK(ReadEverything(*t.log) == t.StoredFrom(0));
  for (int64_t base : t.SegmentBases()) CHECK(base <= 9);
  CHECK(t.log->size_bytes() == static_cast<int64_t>(t.StoredFrom(0).size()));

  // Appends continue at the new end, and all of it survives a reopen.
  t.AppendRecords(2);
  CHECK(t.log->log_end_offset() == Offset(11));
  t.Reopen(/*clean=*/false);
  CHECK(ReadEverything(*t.log) == t.StoredFrom(0));

  // At or past the end nothing happens.
  REQUIRE_OK(t.log->TruncateTo(Offset(11)));
  REQUIRE_OK(t.log->TruncateTo(Offset(500)));
  CHECK(t.log->log_end_offset() == Offset(11));
  CHECK(ReadEverything(*t.log) == t.StoredFrom(0));
}

TEST_CASE("TruncateTo the log's first offset empties it", "[log]") {
  LogTest t;
  t.Open();
  for (int i = 0; i < 3; ++i) t.AppendRecords(3);
  REQUIRE_OK(t.log->TruncateTo(Offset(0)));
  CHECK(t.log->log_end_offset() == Offset(0));
  CHECK(t.log->log_start_offset() == Offset(0));
  CHECK(t.log->size_bytes() == 0);
  t.stored.clear();
  t.AppendRecords(1);
  CHECK(ReadEverything(*t.log) == t.StoredFrom(0));
}

TEST_CASE("TruncateFullyAndStartAt empties the log and restarts its offsets",
          "[log]") {
  LogTest t;
  t.Open();
  for (int i = 0; i < 4; ++i) t.AppendRecords(3);
  REQUIRE_OK(t.log->Roll());
  t.AppendRecords(3);
  int64_t start = GENERATE(1000, 5);
  INFO("restart at " << start);
  REQUIRE_OK(t.log->TruncateFullyAndStartAt(Offset(start)));
  CHECK(t.log->log_start_offset() == Offset(start));
  CHECK(t.log->log_end_offset() == Offset(start));
  CHECK(t.log->num_segments() == 1);
  CHECK(t.log->size_bytes() == 0);
  CHECK(t.SegmentBases() == std::vector<int64_t>{start});
  ASSIGN_OR_REQUIRE(LogReadResult r, t.log->Read(Offset(start), {}));
  CHECK(r.size_bytes == 0);

  t.stored.clear();
  AppendInfo info = t.AppendRecords(2);
  CHECK(info.first_offset == Offset(start));
  t.Reopen(/*clean=*/false);
  CHECK(t.log->log_start_offset() == Offset(start));
  CHECK(ReadEverything(*t.log) == t.StoredFrom(0));
}

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
  const record::RecordBatchHeader h = Header(read);
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
  CHECK(ReadEverything(*t.log) == AsStored(batch, 0));
}

// ------------------------------------------------------ Follower appends

// FollowerBatch is a batch as a leader stored it: base offset and epoch set.
std::string FollowerBatch(int64_t base, int count, int32_t epoch = 5) {
  return AsStored(ValueBatch(count, kStartMs), base, epoch);
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

// ------------------------------------------------------------ Compaction

// CompactTest writes keyed records to a compacted log and tracks the latest
// record of every key.
struct CompactTest : LogTest {
  std::map<std::string, Rec> latest;  // key -> latest record

  CompactTest() {
    config.cleanup_compact = true;
    config.cleanup_delete = false;
    config.segment_bytes = 600;
    config.delete_retention_ms = 10'000;
  }

  // AppendKeyed appends one batch of (key, value) records; a nullopt value
  // is a tombstone.
  void AppendKeyed(
      const std::vector<std::pair<std::string, std::optional<std::string>>>&
          kvs) {
    std::vector<Rec> records;
    for (const auto& [k, v] : kvs) {
      records.push_back({.timestamp_ms = clock->NowMs(), .key = k, .value = v});
    }
    const int64_t base = log->log_end_offset().value();
    Append(Batch(records));
    for (size_t i = 0; i < records.size(); ++i) {
      Rec r = records[i];
      r.offset = base + static_cast<int64_t>(i);
      latest[*r.key] = r;
    }
  }

  // Expected is the latest record of every key, by offset (tombstones
  // included when `with_tombstones`).
  std::vector<Rec> Expected(bool with_tombstones) const {
    std::vector<Rec> out;
    for (const auto& [k, r] : latest) {
      if (r.value || with_tombstones) out.push_back(r);
    }
    std::sort(out.begin(), out.end(),
              [](const Rec& a, const Rec& b) { return a.offset < b.offset; });
    return out;
  }
};

TEST_CASE("Compaction keeps the latest record of every key at its offset",
          "[log]") {
  CompactTest t;
  t.Open();
  for (int i = 0; i < 20; ++i) {
    t.AppendKeyed(
        {{"k" + std::to_string((2 * i) % 7), "v" + std::to_string(i)},
         {"k" + std::to_string((2 * i + 1) % 7), "w" + std::to_string(i)}});
  }
  REQUIRE_OK(t.log->Roll());  // make every segment eligible
  const int segments_before = t.log->num_segments();
  REQUIRE(segments_before > 3);
  const Offset end = t.log->log_end_offset();

  ASSIGN_OR_REQUIRE(CompactionStats stats, t.log->Compact(/*force=*/true));
  CHECK(stats.segments_cleaned == segments_before - 1);
  CHECK(stats.records_read == 40);
  CHECK(stats.records_removed == 40 - 7);
  CHECK(stats.bytes_written < stats.bytes_read);

  CHECK(t.log->log_end_offset() == end);
  CHECK(t.log->log_start_offset() == Offset(0));
  CHECK(DecodeAll(ReadEverything(*t.log)) == t.Expected(true));
  // Every batch keeps its base offset, last offset and leader epoch.
  for (const std::string& batch : SplitBatches(ReadEverything(*t.log))) {
    const record::RecordBatchHeader h = Header(batch);
    CHECK(h.base_offset % 2 == 0);
    CHECK(h.last_offset_delta == 1);
    CHECK(h.partition_leader_epoch == -1);
  }

  // The compacted log survives a reopen, clean or not, and takes appends.
  bool clean = GENERATE(false, true);
  t.Reopen(clean);
  std::vector<Rec> compacted = t.Expected(true);
  CHECK(DecodeAll(ReadEverything(*t.log)) == compacted);
  // A new record lands in the active segment; the old one stays until the
  // next compaction.
  t.AppendKeyed({{"k0", "after"}});
  compacted.push_back(t.latest["k0"]);
  CHECK(DecodeAll(ReadEverything(*t.log)) == compacted);
}

TEST_CASE("Compaction copies batches it does not change byte for byte",
          "[log]") {
  CompactTest t;
  t.Open();
  t.AppendKeyed({{"a", "1"}, {"b", "1"}});
  t.AppendKeyed({{"u1", "unique"}, {"u2", "unique"}});  // never overwritten
  t.AppendKeyed({{"a", "2"}, {"b", "2"}});
  const std::string untouched = t.stored[1];
  REQUIRE_OK(t.log->Roll());
  ASSIGN_OR_REQUIRE(CompactionStats stats, t.log->Compact(/*force=*/true));
  CHECK(stats.records_removed == 2);
  std::vector<std::string> batches = SplitBatches(ReadEverything(*t.log));
  REQUIRE(batches.size() == 2);
  CHECK(batches[0] == untouched);
  CHECK(batches[1] == t.stored[2]);
}

TEST_CASE("Compaction keeps tombstones until delete.retention.ms has passed",
          "[log]") {
  CompactTest t;
  t.Open();
  t.AppendKeyed({{"gone", "1"}, {"kept", "1"}});
  t.AppendKeyed({{"gone", std::nullopt}, {"kept", "2"}});
  REQUIRE_OK(t.log->Roll());

  ASSIGN_OR_REQUIRE(CompactionStats stats, t.log->Compact(/*force=*/true));
  CHECK(stats.tombstones_removed == 0);
  std::vector<Rec> records = DecodeAll(ReadEverything(*t.log));
  CHECK(records == t.Expected(/*with_tombstones=*/true));
  REQUIRE(records.size() == 2);
  CHECK(records[0].key == "gone");
  CHECK_FALSE(records[0].value.has_value());

  t.clock->AdvanceMs(9'999);
  ASSIGN_OR_REQUIRE(stats, t.log->Compact(/*force=*/true));
  CHECK(DecodeAll(ReadEverything(*t.log)) == t.Expected(true));

  t.clock->AdvanceMs(2);  // the tombstone's segment is now past 10 s old
  ASSIGN_OR_REQUIRE(stats, t.log->Compact(/*force=*/true));
  CHECK(stats.tombstones_removed == 1);
  CHECK(DecodeAll(ReadEverything(*t.log)) == t.Expected(false));
  CHECK(t.log->log_end_offset() == Offset(4));
}

TEST_CASE("Compaction leaves records younger than min.compaction.lag.ms",
          "[log]") {
  CompactTest t;
  t.config.min_compaction_lag_ms = 5000;
  t.Open();
  t.AppendKeyed({{"a", "1"}, {"b", "1"}});
  t.AppendKeyed({{"a", "2"}, {"b", "2"}});
  REQUIRE_OK(t.log->Roll());
  const std::string before = ReadEverything(*t.log);

  t.clock->AdvanceMs(4999);
  ASSIGN_OR_REQUIRE(CompactionStats stats, t.log->Compact(/*force=*/true));
  CHECK(stats.segments_cleaned == 0);
  CHECK(ReadEverything(*t.log) == before);

  t.clock->AdvanceMs(1);
  ASSIGN_OR_REQUIRE(stats, t.log->Compact(/*force=*/true));
  CHECK(stats.segments_cleaned > 0);
  CHECK(DecodeAll(ReadEverything(*t.log)) == t.Expected(true));
}

TEST_CASE("Compaction never touches the active segment", "[log]") {
  CompactTest t;
  t.config.segment_bytes = 1 << 20;
  t.Open();
  t.AppendKeyed({{"a", "1"}});
  t.AppendKeyed({{"a", "2"}});
  ASSIGN_OR_REQUIRE(CompactionStats stats, t.log->Compact(/*force=*/true));
  CHECK(stats.segments_cleaned == 0);
  CHECK(ReadEverything(*t.log) == t.StoredFrom(0));
}

TEST_CASE("Compact without force waits for min.cleanable.dirty.ratio",
          "[log]") {
  CompactTest t;
  t.Open();
  for (int i = 0; i < 10; ++i) t.AppendKeyed({{"a", std::to_string(i)}});
  REQUIRE_OK(t.log->Roll());
  ASSIGN_OR_REQUIRE(CompactionStats stats, t.log->Compact(/*force=*/false));
  CHECK(stats.segments_cleaned > 0);  // all of it was dirty
  // Now everything is clean: nothing to do until new data arrives.
  ASSIGN_OR_REQUIRE(stats, t.log->Compact(/*force=*/false));
  CHECK(stats.segments_cleaned == 0);
  ASSIGN_OR_REQUIRE(stats, t.log->Compact(/*force=*/true));
  CHECK(stats.segments_cleaned > 0);
}

TEST_CASE("Compact does nothing under cleanup.policy delete", "[log]") {
  CompactTest t;
  t.config.cleanup_compact = false;
  t.config.cleanup_delete = true;
  t.Open();
  for (int i = 0; i < 10; ++i) t.AppendKeyed({{"a", std::to_string(i)}});
  REQUIRE_OK(t.log->Roll());
  ASSIGN_OR_REQUIRE(CompactionStats stats, t.log->Compact(/*force=*/true));
  CHECK(stats.segments_cleaned == 0);
  CHECK(stats.records_read == 0);
  CHECK(ReadEverything(*t.log) == t.StoredFrom(0));
}

TEST_CASE(
    "Under cleanup.policy compact and delete, compacted segments still "
    "expire by time",
    "[log]") {
  CompactTest t;
  t.config.cleanup_delete = true;
  t.config.retention_ms = 60'000;
  t.Open();
  // Every batch keeps its unique key, so no segment compacts to nothing.
  for (int i = 0; i < 10; ++i) {
    t.AppendKeyed({{"u" + std::to_string(i), "x"}, {"a", std::to_string(i)}});
  }
  REQUIRE_OK(t.log->Roll());
  ASSIGN_OR_REQUIRE(CompactionStats stats, t.log->Compact(/*force=*/true));
  CHECK(stats.records_removed == 9);
  CHECK(DecodeAll(ReadEverything(*t.log)) == t.Expected(true));

  t.clock->AdvanceMs(30'000);
  t.AppendKeyed({{"c", "new"}});
  t.clock->AdvanceMs(30'001);  // the compacted segments are now expired
  ASSIGN_OR_REQUIRE(int deleted, t.log->EnforceRetention());
  CHECK(deleted > 0);
  CHECK(t.log->log_start_offset() == Offset(20));
  std::vector<Rec> records = DecodeAll(ReadEverything(*t.log));
  REQUIRE(records.size() == 1);
  CHECK(records[0].key == "c");
}

TEST_CASE("Retention deletes expired segments after compaction emptied one",
          "[log]") {
  CompactTest t;
  t.config.cleanup_delete = true;
  t.config.retention_ms = 60'000;
  t.Open();
  // Two segments (offsets 0..13 and 14..19) of the same two keys: every
  // record of the first is superseded, so compaction leaves it empty.
  for (int i = 0; i < 10; ++i) {
    t.AppendKeyed({{"a", std::to_string(i)}, {"b", std::to_string(i)}});
  }
  REQUIRE_OK(t.log->Roll());
  ASSIGN_OR_REQUIRE(CompactionStats stats, t.log->Compact(/*force=*/true));
  CHECK(stats.segments_cleaned > 0);
  CHECK(DecodeAll(ReadEverything(*t.log)) == t.Expected(true));

  t.clock->AdvanceMs(30'000);
  t.AppendKeyed({{"c", "new"}});
  t.clock->AdvanceMs(30'001);  // the compacted segments are now expired
  std::string layout;
  for (int64_t base : t.SegmentBases()) {
    ASSIGN_OR_REQUIRE(
        std::string contents,
        io::ReadFileToString(*t.fs, io::JoinPath(kDir, SegmentName(base))));
    layout +=
        std::to_string(base) + ":" + std::to_string(contents.size()) + " ";
  }
  INFO("segments (base:bytes) " << layout);
  ASSIGN_OR_REQUIRE(int deleted, t.log->EnforceRetention());
  CHECK(deleted > 0);
  CHECK(t.log->log_start_offset() == Offset(20));
  std::vector<Rec> records = DecodeAll(ReadEverything(*t.log));
  REQUIRE(records.size() == 1);
  CHECK(records[0].key == "c");
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
      expected += AsStored(batch, 3 * i);
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
}  // namespace rill
