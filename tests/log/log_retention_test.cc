// Tests of rill::Log retention, the log start offset and truncation.
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
  REQUIRE_FALSE(t.FileExists(SegmentFileName(0)));
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

}  // namespace
}  // namespace rill::log_unit_test
