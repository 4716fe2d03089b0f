// leader_epoch_test_util.h — helpers for the tests of a Log's leader epochs:
// appending with epochs, and requiring a log's epoch answers (and its
// leader-epoch-checkpoint) to be those of an expected list of entries.
#ifndef RILL_TESTS_LOG_LEADER_EPOCH_TEST_UTIL_H_
#define RILL_TESTS_LOG_LEADER_EPOCH_TEST_UTIL_H_

#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "log/checkpoint.h"
#include "log/leader_epoch_cache.h"
#include "log/log_fixture.h"
#include "log/log_test_util.h"
#include "rill/log/log.h"

namespace Catch {
template <>
struct StringMaker<rill::EpochEndOffset> {
  static std::string convert(const rill::EpochEndOffset& e) {
    return "(epoch " + std::to_string(e.epoch.value()) + ", end " +
           std::to_string(e.end_offset.value()) + ")";
  }
};
template <>
struct StringMaker<rill::log::EpochEntry> {
  static std::string convert(const rill::log::EpochEntry& e) {
    return "{" + std::to_string(e.epoch.value()) + " from " +
           std::to_string(e.start_offset.value()) + "}";
  }
};
}  // namespace Catch

namespace rill::log_unit_test {

inline log::EpochEntry Entry(int32_t epoch, int64_t start) {
  return {.epoch = LeaderEpoch(epoch), .start_offset = Offset(start)};
}

inline EpochEndOffset Answer(int32_t epoch, int64_t end) {
  return {.epoch = LeaderEpoch(epoch), .end_offset = Offset(end)};
}

// AppendAsLeader appends a batch of `records` records under `epoch`.
inline AppendInfo AppendAsLeader(LogTest& t, int32_t epoch, int records) {
  ASSIGN_OR_REQUIRE(
      AppendInfo info,
      t.log->Append(ValueBatch(records, t.clock->NowMs()),
                    AppendOptions{.leader_epoch = LeaderEpoch(epoch)}));
  return info;
}

// FollowerBatch is a batch of `records` records as a leader stored it at
// `base` under `epoch`.
inline std::string FollowerBatch(int64_t base, int32_t epoch, int records) {
  return WithOffsetAndEpoch(ValueBatch(records, kStartMs), base, epoch);
}

// AppendOldAndNewSegments writes epochs 1 and 2 in a segment each, and ten
// seconds later epochs 2 and 3 in the active one: at offsets 0, 3, 6, 9.
inline void AppendOldAndNewSegments(LogTest& t) {
  AppendAsLeader(t, 1, 3);
  REQUIRE_OK(t.log->Roll());
  AppendAsLeader(t, 2, 3);
  REQUIRE_OK(t.log->Roll());
  t.clock->AdvanceMs(10000);
  AppendAsLeader(t, 2, 3);
  AppendAsLeader(t, 3, 3);
}

// EnforceRetentionMs runs retention with retention.ms set to `ms`.
inline absl::StatusOr<int> EnforceRetentionMs(LogTest& t, int64_t ms) {
  LogConfig config = t.config;
  config.retention_ms = ms;
  REQUIRE_OK(t.log->UpdateConfig(config));
  return t.log->EnforceRetention();
}

inline void WriteFile(io::FileSystem& fs, const std::string& path,
                      const std::string& text) {
  ASSIGN_OR_REQUIRE(auto file,
                    fs.OpenFile(path, {.create = true, .truncate = true}));
  REQUIRE_OK(file->Append(text));
}

// RequireEpochs requires the log to answer as a cache of `entries` does
// (latest epoch, and EndOffsetForEpoch for every epoch up to past the
// latest) and its leader-epoch-checkpoint to hold `entries`.
inline void RequireEpochs(LogTest& t,
                          const std::vector<log::EpochEntry>& entries) {
  const log::LeaderEpochCache expected(entries);
  CHECK(t.log->latest_epoch() == expected.LatestEpoch());
  const int32_t top = entries.empty() ? 3 : entries.back().epoch.value() + 2;
  for (int32_t epoch = -1; epoch <= top; ++epoch) {
    INFO("EndOffsetForEpoch(" << epoch << ")");
    CHECK(t.log->EndOffsetForEpoch(LeaderEpoch(epoch)) ==
          expected.EndOffsetFor(LeaderEpoch(epoch), t.log->log_end_offset()));
  }
  ASSIGN_OR_REQUIRE(std::optional<std::vector<log::EpochEntry>> saved,
                    log::ReadLeaderEpochCheckpoint(*t.fs, kDir));
  CHECK(saved == entries);
}

// RequireEpochsMatchBatches requires the log's epochs to be what its
// batches imply: where each batch's partitionLeaderEpoch changes, from the
// batch holding the log start (which is where the first epoch starts).
inline void RequireEpochsMatchBatches(LogTest& t) {
  const log_test::LogContents contents = log_test::ReadLogContents(*t.log);
  log::LeaderEpochCache expected;
  for (const log_test::StoredBatch& b : contents.batches) {
    expected.Assign(LeaderEpoch(BatchHeaderOf(b.bytes).partition_leader_epoch),
                    Offset(b.base_offset));
  }
  expected.TruncateFromStart(Offset(contents.log_start));
  INFO("log " << log_test::Describe(contents));
  RequireEpochs(t, expected.entries());
}

}  // namespace rill::log_unit_test

#endif  // RILL_TESTS_LOG_LEADER_EPOCH_TEST_UTIL_H_
