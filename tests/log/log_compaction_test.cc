// Tests of rill::Log compaction (cleanup.policy=compact).
// Everything runs on the in-memory file system with a manual clock.
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>
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
    const record::RecordBatchHeader h = BatchHeaderOf(batch);
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
        io::ReadFileToString(*t.fs, io::JoinPath(kDir, SegmentFileName(base))));
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

}  // namespace
}  // namespace rill::log_unit_test

namespace rill::log_unit_test {
namespace {

TEST_CASE("Compaction passes running beside appends lose no latest value",
          "[log]") {
  // The long phase of a pass runs without the log's lock; appends (and the
  // rolls they cause) go on meanwhile, and the swap must still be exact.
  CompactTest t;
  t.Open();
  std::atomic<bool> done{false};
  std::atomic<int> passes{0};
  std::thread compactor([&] {
    while (!done.load()) {
      auto stats = t.log->Compact(/*force=*/true);
      CHECK_OK(stats);
      passes.fetch_add(1);
    }
  });
  for (int i = 0; i < 400; ++i) {
    t.AppendKeyed({{"k" + std::to_string(i % 13), "v" + std::to_string(i)}});
  }
  while (passes.load() < 3) std::this_thread::yield();
  done.store(true);
  compactor.join();
  REQUIRE_OK(t.log->Roll());
  ASSIGN_OR_REQUIRE(CompactionStats last, t.log->Compact(/*force=*/true));
  (void)last;
  CHECK(DecodeAll(ReadEverything(*t.log)) == t.Expected(true));
  t.Reopen(/*clean=*/false);
  CHECK(DecodeAll(ReadEverything(*t.log)) == t.Expected(true));
}

}  // namespace
}  // namespace rill::log_unit_test
