// Tests of a Log's leader epochs: what appends record (leader and follower),
// what truncation, log start moves and retention do to them, and that they
// persist in leader-epoch-checkpoint and are rebuilt when that file is
// missing, damaged or behind the log.
#include <catch2/catch.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "log/checkpoint.h"
#include "log/leader_epoch_cache.h"
#include "log/leader_epoch_test_util.h"
#include "log/log_fixture.h"
#include "rill/io/fault_injection_file_system.h"
#include "rill/log/log.h"

namespace rill::log_unit_test {
namespace {

using log::EpochEntry;

constexpr char kEpochFile[] = "/data/orders-0/leader-epoch-checkpoint";

TEST_CASE("A leader append records where its epoch begins", "[log]") {
  LogTest t;
  t.Open();
  CHECK(t.log->latest_epoch() == std::nullopt);
  CHECK(AppendAsLeader(t, 1, 3).first_offset == Offset(0));
  AppendAsLeader(t, 1, 2);
  CHECK(AppendAsLeader(t, 3, 4).first_offset == Offset(5));
  RequireEpochs(t, {Entry(1, 0), Entry(3, 5)});
  CHECK(t.log->latest_epoch() == LeaderEpoch(3));
  CHECK(t.log->EndOffsetForEpoch(LeaderEpoch(0)) == Answer(0, 0));
  CHECK(t.log->EndOffsetForEpoch(LeaderEpoch(1)) == Answer(1, 5));
  CHECK(t.log->EndOffsetForEpoch(LeaderEpoch(2)) == Answer(1, 5));
  CHECK(t.log->EndOffsetForEpoch(LeaderEpoch(3)) == Answer(3, 9));
  CHECK(t.log->EndOffsetForEpoch(LeaderEpoch(4)) == Answer(-1, -1));
  CHECK(BatchHeaderOf(ReadBytes(*t.log, Offset(5))).partition_leader_epoch ==
        3);
}

TEST_CASE("Appends without a leader epoch record none", "[log]") {
  LogTest t;
  t.Open();
  t.AppendRecords(3);
  AppendAsLeader(t, -1, 2);
  RequireEpochs(t, {});
  CHECK(t.log->EndOffsetForEpoch(LeaderEpoch(0)) == Answer(-1, -1));
  AppendAsLeader(t, 2, 1);
  RequireEpochs(t, {Entry(2, 5)});
}

TEST_CASE("A follower append takes each batch's epoch from its header",
          "[log]") {
  LogTest t;
  t.Open();
  // AppendOptions.leader_epoch is for leaders: a follower's batches keep
  // the epochs their leader stamped.
  const AppendOptions follower{.leader_epoch = LeaderEpoch(9),
                               .assign_offsets = false};
  REQUIRE_OK(t.log->Append(
      FollowerBatch(0, 1, 2) + FollowerBatch(2, 1, 3) + FollowerBatch(5, 4, 2),
      follower));
  RequireEpochs(t, {Entry(1, 0), Entry(4, 5)});
  REQUIRE_OK(t.log->Append(FollowerBatch(7, 6, 2) + FollowerBatch(9, -1, 1),
                           follower));
  RequireEpochs(t, {Entry(1, 0), Entry(4, 5), Entry(6, 7)});
  CHECK(t.log->EndOffsetForEpoch(LeaderEpoch(6)) == Answer(6, 10));
}

TEST_CASE(
    "A follower append far past the end of an emptied log moves the log "
    "start and the epochs there",
    "[log]") {
  LogTest t;
  t.Open();
  AppendAsLeader(t, 1, 3);
  t.clock->AdvanceMs(10000);
  REQUIRE_OK(EnforceRetentionMs(t, 5000));
  REQUIRE(t.log->log_start_offset() == Offset(3));
  RequireEpochs(t, {Entry(1, 3)});  // emptied, the latest epoch stays
  // Too far to index in the current segment: a new one starts there.
  const int64_t far = 3 + (int64_t{1} << 32);
  REQUIRE_OK(t.log->Append(FollowerBatch(far, 2, 3),
                           AppendOptions{.assign_offsets = false}));
  CHECK(t.log->log_start_offset() == Offset(far));
  RequireEpochs(t, {Entry(2, far)});
}

// AppendThreeEpochs writes epochs 1, 2 and 3 at offsets 0, 3 and 6, three
// records each, in one segment each.
void AppendThreeEpochs(LogTest& t) {
  for (int32_t epoch = 1; epoch <= 3; ++epoch) {
    AppendAsLeader(t, epoch, 3);
    REQUIRE_OK(t.log->Roll());
  }
}

TEST_CASE("TruncateTo forgets the epochs that began at or after the new end",
          "[log]") {
  LogTest t;
  t.Open();
  AppendThreeEpochs(t);
  REQUIRE_OK(t.log->TruncateTo(Offset(6)));
  RequireEpochs(t, {Entry(1, 0), Entry(2, 3)});
  // Into the middle of epoch 2's batch: the whole batch goes, and the epoch.
  REQUIRE_OK(t.log->TruncateTo(Offset(4)));
  CHECK(t.log->log_end_offset() == Offset(3));
  RequireEpochs(t, {Entry(1, 0)});
  CHECK(t.log->EndOffsetForEpoch(LeaderEpoch(2)) == Answer(-1, -1));
  AppendAsLeader(t, 5, 1);
  RequireEpochs(t, {Entry(1, 0), Entry(5, 3)});
}

TEST_CASE(
    "TruncateFullyAndStartAt clears the epochs and the next append starts "
    "them",
    "[log]") {
  LogTest t;
  t.Open();
  AppendThreeEpochs(t);
  REQUIRE_OK(t.log->TruncateFullyAndStartAt(Offset(50)));
  RequireEpochs(t, {});
  CHECK(t.log->EndOffsetForEpoch(LeaderEpoch(3)) == Answer(-1, -1));
  AppendAsLeader(t, 7, 2);
  RequireEpochs(t, {Entry(7, 50)});
}

TEST_CASE(
    "AdvanceLogStartOffset moves the epoch covering the new start up to it",
    "[log]") {
  LogTest t;
  t.Open();
  AppendThreeEpochs(t);
  REQUIRE_OK(t.log->AdvanceLogStartOffset(Offset(4)));
  RequireEpochs(t, {Entry(2, 4), Entry(3, 6)});
  CHECK(t.log->EndOffsetForEpoch(LeaderEpoch(1)) == Answer(1, 4));
  // Past every batch: the latest epoch still ends at the log end.
  REQUIRE_OK(t.log->AdvanceLogStartOffset(Offset(9)));
  RequireEpochs(t, {Entry(3, 9)});
  CHECK(t.log->EndOffsetForEpoch(LeaderEpoch(3)) == Answer(3, 9));
}

TEST_CASE("Retention moves the first epoch up to the new log start", "[log]") {
  LogTest t;
  t.Open();
  AppendOldAndNewSegments(t);
  ASSIGN_OR_REQUIRE(int deleted, EnforceRetentionMs(t, 5000));
  REQUIRE(deleted == 2);
  REQUIRE(t.log->log_start_offset() == Offset(6));
  RequireEpochs(t, {Entry(2, 6), Entry(3, 9)});
}

TEST_CASE("Leader epochs survive a reopen", "[log]") {
  const bool clean = GENERATE(true, false);
  INFO((clean ? "clean" : "unclean") << " reopen");
  LogTest t;
  t.Open();
  AppendThreeEpochs(t);
  REQUIRE_OK(t.log->AdvanceLogStartOffset(Offset(1)));
  t.Reopen(clean);
  RequireEpochs(t, {Entry(1, 1), Entry(2, 3), Entry(3, 6)});
  CHECK(t.log->EndOffsetForEpoch(LeaderEpoch(3)) == Answer(3, 9));
}

TEST_CASE(
    "A missing or damaged leader-epoch-checkpoint is rebuilt from the "
    "batches on open",
    "[log]") {
  const std::string damage =
      GENERATE(std::string("missing"), std::string("0\n3\n1 0\n2 3\n3 6"),
               std::string("0\n3\n1 0\n"), std::string("garbage\n"),
               std::string("0\n2\n2 3\n1 0\n"));
  INFO("leader-epoch-checkpoint: " << damage);
  const bool clean = GENERATE(true, false);
  INFO((clean ? "clean" : "unclean") << " shutdown");
  LogTest t;
  t.Open();
  AppendThreeEpochs(t);
  t.Append(ValueBatch(2, kStartMs));  // no epoch: changes nothing
  REQUIRE_OK(t.log->AdvanceLogStartOffset(Offset(1)));
  if (clean) REQUIRE_OK(t.log->Close());
  t.log.reset();
  if (damage == "missing") {
    REQUIRE_OK(t.fs->RemoveFile(kEpochFile));
  } else {
    WriteFile(*t.fs, kEpochFile, damage);
  }
  t.Open();
  RequireEpochs(t, {Entry(1, 1), Entry(2, 3), Entry(3, 6)});
}

TEST_CASE("Epochs a crash lost the batches of are dropped on open", "[log]") {
  LogTest t;
  t.Open();
  AppendThreeEpochs(t);
  t.log.reset();
  // As if epochs 4 and 5 were recorded but their batches never reached the
  // disk.
  WriteFile(*t.fs, kEpochFile, "0\n5\n1 0\n2 3\n3 6\n4 9\n5 12\n");
  t.Open();
  RequireEpochs(t, {Entry(1, 0), Entry(2, 3), Entry(3, 6)});
}

TEST_CASE(
    "Recovery adds a newer epoch of the unflushed tail that the checkpoint "
    "lacks",
    "[log]") {
  LogTest t;
  t.Open();
  AppendThreeEpochs(t);
  t.log.reset();  // unclean: recovery scans the unflushed segments
  WriteFile(*t.fs, kEpochFile, "0\n2\n1 0\n2 3\n");
  t.Open();
  RequireEpochs(t, {Entry(1, 0), Entry(2, 3), Entry(3, 6)});
}

TEST_CASE(
    "An append whose new epoch cannot be persisted fails and changes nothing",
    "[log]") {
  auto fs =
      std::make_shared<io::FaultInjectionFileSystem>(io::NewMemFileSystem());
  LogTest t;
  t.fs = fs;
  t.Open();
  AppendAsLeader(t, 1, 3);
  fs->FailSyncs(1);
  CHECK_FALSE(t.log
                  ->Append(ValueBatch(2, kStartMs),
                           AppendOptions{.leader_epoch = LeaderEpoch(2)})
                  .ok());
  CHECK(t.log->log_end_offset() == Offset(3));
  CHECK(t.log->latest_epoch() == LeaderEpoch(1));
  AppendAsLeader(t, 2, 2);
  RequireEpochs(t, {Entry(1, 0), Entry(2, 3)});
}

}  // namespace
}  // namespace rill::log_unit_test
