// Crash tests of a Log's leader epochs over io::FaultInjectionFileSystem:
// each operation that changes the epochs is crashed after every one of its
// mutating file system calls, as a process crash (what was written stays)
// and as a power loss (only what was synced stays). The reopened log's
// epochs must be exactly what its surviving batches imply, and must stay so
// through the next append and a clean reopen.
#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "log/leader_epoch_test_util.h"
#include "log/log_fixture.h"
#include "rill/io/fault_injection_file_system.h"
#include "rill/log/log.h"

namespace rill::log_unit_test {
namespace {

// Scenario: `setup` writes a log, `operation` is the step that is crashed.
struct Scenario {
  std::function<void(LogTest&)> setup;
  std::function<absl::Status(LogTest&)> operation;
};

// CrashEnv is a LogTest on a fault-injecting file system.
struct CrashEnv {
  CrashEnv() { t.fs = fs; }
  std::shared_ptr<io::FaultInjectionFileSystem> fs =
      std::make_shared<io::FaultInjectionFileSystem>(io::NewMemFileSystem());
  LogTest t;
};

void RunCrashPoints(const Scenario& scenario) {
  uint64_t k_ops = 0;
  {
    CrashEnv env;
    env.t.Open();
    scenario.setup(env.t);
    const uint64_t before = env.fs->MutatingOperations();
    REQUIRE_OK(scenario.operation(env.t));
    k_ops = env.fs->MutatingOperations() - before;
    RequireEpochsMatchBatches(env.t);
  }
  REQUIRE(k_ops > 0);
  for (uint64_t k = 0; k <= k_ops; ++k) {
    for (bool power_loss : {false, true}) {
      INFO("crash after " << k << " of " << k_ops << " mutating calls, "
                          << (power_loss ? "power loss" : "process crash"));
      CrashEnv env;
      env.t.Open();
      scenario.setup(env.t);
      env.fs->CrashAfterOperations(k);
      (void)scenario.operation(env.t);
      env.t.log.reset();
      if (power_loss) env.fs->DropUnsyncedData();
      env.fs->Reset();
      env.t.Open();
      RequireEpochsMatchBatches(env.t);
      const int32_t next =
          env.t.log->latest_epoch().value_or(LeaderEpoch(0)).value() + 1;
      AppendAsLeader(env.t, next, 2);
      RequireEpochsMatchBatches(env.t);
      env.t.Reopen(/*clean=*/true);
      RequireEpochsMatchBatches(env.t);
    }
  }
}

// ThreeEpochs writes epochs 1, 2, 3 (three records each, a segment each) and
// flushes them, then an unflushed batch of epoch 4 that a power loss takes.
void ThreeEpochsAndAnUnflushedFourth(LogTest& t) {
  for (int32_t epoch = 1; epoch <= 3; ++epoch) {
    AppendAsLeader(t, epoch, 3);
    REQUIRE_OK(t.log->Roll());
  }
  REQUIRE_OK(t.log->Flush());
  AppendAsLeader(t, 4, 2);
}

TEST_CASE("A crashed leader append keeps the epochs its batches imply",
          "[log][crash]") {
  RunCrashPoints(
      {.setup = ThreeEpochsAndAnUnflushedFourth, .operation = [](LogTest& t) {
         return t.log
             ->Append(ValueBatch(2, kStartMs),
                      AppendOptions{.leader_epoch = LeaderEpoch(6)})
             .status();
       }});
}

TEST_CASE("A crashed follower append keeps the epochs its batches imply",
          "[log][crash]") {
  RunCrashPoints(
      {.setup = ThreeEpochsAndAnUnflushedFourth, .operation = [](LogTest& t) {
         return t.log
             ->Append(FollowerBatch(11, 5, 2) + FollowerBatch(13, 7, 2),
                      AppendOptions{.assign_offsets = false})
             .status();
       }});
}

TEST_CASE("A crashed TruncateTo keeps the epochs its batches imply",
          "[log][crash]") {
  RunCrashPoints(
      {.setup = ThreeEpochsAndAnUnflushedFourth,
       .operation = [](LogTest& t) { return t.log->TruncateTo(Offset(4)); }});
}

TEST_CASE(
    "A crashed TruncateFullyAndStartAt keeps the epochs its batches imply",
    "[log][crash]") {
  RunCrashPoints(
      {.setup = ThreeEpochsAndAnUnflushedFourth, .operation = [](LogTest& t) {
         return t.log->TruncateFullyAndStartAt(Offset(50));
       }});
}

TEST_CASE("A crashed AdvanceLogStartOffset keeps the epochs its batches imply",
          "[log][crash]") {
  RunCrashPoints(
      {.setup = ThreeEpochsAndAnUnflushedFourth, .operation = [](LogTest& t) {
         return t.log->AdvanceLogStartOffset(Offset(4));
       }});
}

TEST_CASE("A crashed retention pass keeps the epochs its batches imply",
          "[log][crash]") {
  RunCrashPoints(
      {.setup =
           [](LogTest& t) {
             AppendOldAndNewSegments(t);
             REQUIRE_OK(t.log->Flush());
           },
       .operation =
           [](LogTest& t) { return EnforceRetentionMs(t, 5000).status(); }});
}

}  // namespace
}  // namespace rill::log_unit_test
