// Tests of the public rill::Log API: appends and what they store, reads
// and their bounds, rolls.
// Everything runs on the in-memory file system with a manual clock.
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

#include "log/log_fixture.h"
#include "log/log_unit_test_util.h"
#include "rill/clock.h"
#include "rill/io/file_system.h"
#include "rill/log/log_config.h"
#include "rill/record/record_batch.h"

namespace rill::log_unit_test {
namespace {

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
  CHECK(read == WithOffsetAndEpoch(a, 0, 7) + WithOffsetAndEpoch(b, 3, 8));
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
  CHECK(batch == WithOffsetAndEpoch(original, 4, 3));
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
  CHECK(ReadEverything(*t.log) == t.stored[0] + WithOffsetAndEpoch(a, 2) +
                                      WithOffsetAndEpoch(b, 5) +
                                      WithOffsetAndEpoch(c, 6));
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

TEST_CASE(
    "Append leaves the CRC check to a caller that says it checked, and makes "
    "it otherwise",
    "[log]") {
  LogTest t;
  t.Open();
  // The CRC no longer matches the bytes: only a caller that skipped its own
  // check could hand this over as checked.
  std::string batch = ValueBatch(2, kStartMs);
  batch[batch.size() - 3] ^= 0x01;
  CHECK(absl::IsDataLoss(t.log->Append(batch).status()));
  CHECK(t.log->log_end_offset() == Offset(0));
  ASSIGN_OR_REQUIRE(AppendInfo info,
                    t.log->Append(std::string_view(batch),
                                  AppendOptions{.crc_verified = true}));
  CHECK(info.last_offset == Offset(1));
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
        io::ReadFileToString(*t.fs,
                             io::JoinPath(kDir, SegmentFileName(bases[i]))));
    INFO("segment " << bases[i]);
    CHECK(contents.size() <= 1000);
    if (i + 1 < bases.size()) {
      CHECK(contents.size() + t.stored[0].size() > 1000);
      // Each segment starts where the previous one ended.
      CHECK(bases[i + 1] ==
            BatchHeaderOf(SplitBatches(contents).back()).last_offset() + 1);
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

}  // namespace
}  // namespace rill::log_unit_test
