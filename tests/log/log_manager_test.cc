// Tests of LogManager: partition directories, finding logs on reopen,
// deleting them, one maintenance round driven by a manual clock, clean
// shutdown of every log, and the background maintenance thread.
#include "rill/log/log_manager.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "log/log_unit_test_util.h"
#include "rill/clock.h"
#include "rill/io/file_system.h"
#include "rill/log/log.h"
#include "rill/log/log_config.h"

namespace rill {
namespace {

using log_unit_test::DecodeAll;
using log_unit_test::ReadEverything;
using log_unit_test::ValueBatch;

constexpr char kDataDir[] = "/data";
constexpr int64_t kStartMs = 1'700'000'000'000;

TopicPartition Tp(const std::string& topic, int32_t partition) {
  return {topic, PartitionId(partition)};
}

// ManagerTest: a manager on a mem file system with a manual clock and no
// background thread (maintenance_interval_ms = 0) unless a test asks.
struct ManagerTest {
  std::shared_ptr<io::FileSystem> fs = io::NewMemFileSystem();
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStartMs);
  LogConfig default_config = [] {
    LogConfig c;
    c.retention_ms = -1;
    return c;
  }();
  int64_t maintenance_interval_ms = 0;
  std::unique_ptr<LogManager> manager;

  void Open() {
    ASSIGN_OR_REQUIRE(
        manager,
        LogManager::Open({.data_dir = kDataDir,
                          .default_config = default_config,
                          .fs = fs,
                          .clock = clock,
                          .maintenance_interval_ms = maintenance_interval_ms}));
  }

  void Reopen() {
    REQUIRE_OK(manager->Close());
    manager.reset();
    Open();
  }

  Log* Create(const TopicPartition& tp, const LogConfig& config) {
    ASSIGN_OR_REQUIRE(Log * log, manager->GetOrCreateLog(tp, config));
    REQUIRE(log != nullptr);
    return log;
  }

  bool Exists(const std::string& path) {
    ASSIGN_OR_REQUIRE(bool exists, fs->Exists(path));
    return exists;
  }

  void AppendRecords(Log& log, int count) {
    REQUIRE_OK(log.Append(ValueBatch(count, clock->NowMs())));
  }
};

TEST_CASE("LogManager::Open requires a data directory", "[log]") {
  CHECK(LogManager::Open({.data_dir = "",
                          .default_config = {},
                          .fs = io::NewMemFileSystem(),
                          .clock = nullptr})
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("GetOrCreateLog creates the log in <data_dir>/<topic>-<partition>",
          "[log]") {
  ManagerTest t;
  t.Open();
  CHECK(t.manager->Partitions().empty());
  LogConfig config = t.default_config;
  config.segment_bytes = 4096;
  Log* log = t.Create(Tp("orders", 3), config);
  CHECK(log->dir() == "/data/orders-3");
  CHECK(t.Exists("/data/orders-3"));
  CHECK(log->config() == config);
  CHECK(t.manager->Partitions() ==
        std::vector<TopicPartition>{Tp("orders", 3)});

  // The same partition gives the same log, whatever config is passed.
  Log* again = t.Create(Tp("orders", 3), LogConfig{});
  CHECK(again == log);
  CHECK(again->config() == config);
  ASSIGN_OR_REQUIRE(Log * got, t.manager->GetLog(Tp("orders", 3)));
  CHECK(got == log);

  // Another partition of the topic is another log.
  Log* other = t.Create(Tp("orders", 4), config);
  CHECK(other != log);
  CHECK(other->dir() == "/data/orders-4");
  CHECK(t.manager->GetLog(Tp("orders", 5)).status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(t.manager->GetLog(Tp("order", 3)).status().code() ==
        absl::StatusCode::kNotFound);
}

TEST_CASE("A reopened LogManager finds every existing log", "[log]") {
  ManagerTest t;
  t.Open();
  // Topic names may contain '-' (and end in digits): the partition is what
  // follows the last '-'.
  const std::map<TopicPartition, int> appended = {
      {Tp("orders", 0), 3}, {Tp("my-topic", 2), 5}, {Tp("a-b-c", 10), 1},
      {Tp("x-1", 7), 2},    {Tp("orders", 12), 4},
  };
  for (const auto& [tp, count] : appended) {
    Log* log = t.Create(tp, t.default_config);
    t.AppendRecords(*log, count);
  }
  // Things in the data directory that are not partition logs.
  REQUIRE_OK(t.fs->CreateDirs("/data/lost+found"));
  REQUIRE_OK(t.fs->CreateDirs("/data/scratch-x"));
  REQUIRE_OK(t.fs->CreateDirs("/data/-3"));

  t.Reopen();
  std::vector<TopicPartition> expected;
  for (const auto& [tp, count] : appended) expected.push_back(tp);
  CHECK(t.manager->Partitions() == expected);  // sorted
  for (const auto& [tp, count] : appended) {
    INFO(tp.ToString());
    ASSIGN_OR_REQUIRE(Log * log, t.manager->GetLog(tp));
    CHECK(log->dir() == "/data/" + tp.ToString());
    CHECK(log->log_end_offset() == Offset(count));
    CHECK(log->config() == t.default_config);
    CHECK(DecodeAll(ReadEverything(*log)).size() == static_cast<size_t>(count));
  }
}

TEST_CASE("DeleteLog removes the log and its directory", "[log]") {
  ManagerTest t;
  t.Open();
  Log* doomed = t.Create(Tp("orders", 1), t.default_config);
  Log* kept = t.Create(Tp("orders", 2), t.default_config);
  t.AppendRecords(*doomed, 3);
  REQUIRE_OK(doomed->Roll());
  t.AppendRecords(*doomed, 3);
  t.AppendRecords(*kept, 2);

  REQUIRE_OK(t.manager->DeleteLog(Tp("orders", 1)));
  CHECK_FALSE(t.Exists("/data/orders-1"));
  CHECK(t.manager->GetLog(Tp("orders", 1)).status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(t.manager->Partitions() ==
        std::vector<TopicPartition>{Tp("orders", 2)});
  CHECK(t.manager->DeleteLog(Tp("orders", 1)).code() ==
        absl::StatusCode::kNotFound);
  CHECK(kept->log_end_offset() == Offset(2));

  // Gone after a reopen too; creating it again starts an empty log.
  t.Reopen();
  CHECK(t.manager->GetLog(Tp("orders", 1)).status().code() ==
        absl::StatusCode::kNotFound);
  Log* fresh = t.Create(Tp("orders", 1), t.default_config);
  CHECK(fresh->log_end_offset() == Offset(0));
  CHECK(fresh->size_bytes() == 0);
}

TEST_CASE("RunMaintenance rolls logs whose segment.ms has passed", "[log]") {
  ManagerTest t;
  t.Open();
  LogConfig config = t.default_config;
  config.segment_ms = 1000;
  Log* log = t.Create(Tp("t", 0), config);
  Log* idle = t.Create(Tp("t", 1), config);  // empty: nothing to roll
  t.AppendRecords(*log, 3);

  t.clock->AdvanceMs(999);
  ASSIGN_OR_REQUIRE(MaintenanceStats stats, t.manager->RunMaintenance());
  CHECK(stats.segments_rolled == 0);
  CHECK(log->num_segments() == 1);

  t.clock->AdvanceMs(1);
  ASSIGN_OR_REQUIRE(stats, t.manager->RunMaintenance());
  CHECK(stats.segments_rolled == 1);
  CHECK(log->num_segments() == 2);
  CHECK(idle->num_segments() == 1);
}

TEST_CASE("RunMaintenance flushes logs whose flush.ms has passed", "[log]") {
  ManagerTest t;
  t.Open();
  LogConfig config = t.default_config;
  config.flush_ms = 500;
  Log* log = t.Create(Tp("t", 0), config);
  Log* never = t.Create(Tp("t", 1), t.default_config);  // flush.ms: never
  t.AppendRecords(*log, 3);
  t.AppendRecords(*never, 3);

  t.clock->AdvanceMs(499);
  ASSIGN_OR_REQUIRE(MaintenanceStats stats, t.manager->RunMaintenance());
  CHECK(stats.logs_flushed == 0);
  CHECK(log->recovery_point() == Offset(0));

  t.clock->AdvanceMs(1);
  ASSIGN_OR_REQUIRE(stats, t.manager->RunMaintenance());
  CHECK(stats.logs_flushed == 1);
  CHECK(log->recovery_point() == Offset(3));
  CHECK(never->recovery_point() == Offset(0));
}

TEST_CASE("RunMaintenance deletes segments past retention.ms", "[log]") {
  ManagerTest t;
  t.Open();
  LogConfig config = t.default_config;
  config.retention_ms = 5000;
  Log* log = t.Create(Tp("t", 0), config);
  Log* forever = t.Create(Tp("t", 1), t.default_config);  // retention.ms -1
  for (Log* l : {log, forever}) {
    t.AppendRecords(*l, 3);
    REQUIRE_OK(l->Roll());
  }
  t.clock->AdvanceMs(3000);
  for (Log* l : {log, forever}) t.AppendRecords(*l, 2);

  t.clock->AdvanceMs(2000);
  ASSIGN_OR_REQUIRE(MaintenanceStats stats, t.manager->RunMaintenance());
  CHECK(stats.segments_deleted == 0);

  t.clock->AdvanceMs(1);
  ASSIGN_OR_REQUIRE(stats, t.manager->RunMaintenance());
  CHECK(stats.segments_deleted == 1);
  CHECK(log->log_start_offset() == Offset(3));
  CHECK(DecodeAll(ReadEverything(*log)).size() == 2);
  CHECK(forever->log_start_offset() == Offset(0));
}

TEST_CASE("RunMaintenance compacts logs with cleanup.policy compact", "[log]") {
  ManagerTest t;
  t.Open();
  LogConfig config = t.default_config;
  config.cleanup_compact = true;
  config.cleanup_delete = false;
  Log* log = t.Create(Tp("t", 0), config);
  Log* plain = t.Create(Tp("t", 1), t.default_config);
  // Five batches with the same five keys.
  for (Log* l : {log, plain}) {
    for (int i = 0; i < 5; ++i) t.AppendRecords(*l, 5);
    REQUIRE_OK(l->Roll());
  }
  ASSIGN_OR_REQUIRE(MaintenanceStats stats, t.manager->RunMaintenance());
  CHECK(stats.logs_compacted == 1);
  CHECK(DecodeAll(ReadEverything(*log)).size() == 5);
  CHECK(DecodeAll(ReadEverything(*plain)).size() == 25);
  CHECK(log->log_end_offset() == Offset(25));
}

TEST_CASE("LogManager Close closes every log cleanly", "[log]") {
  ManagerTest t;
  t.Open();
  const std::vector<TopicPartition> tps = {Tp("a", 0), Tp("a", 1),
                                           Tp("b-c", 0)};
  for (const TopicPartition& tp : tps) {
    t.AppendRecords(*t.Create(tp, t.default_config), 3);
  }
  REQUIRE_OK(t.manager->Close());
  for (const TopicPartition& tp : tps) {
    INFO(tp.ToString());
    CHECK(t.Exists("/data/" + tp.ToString() + "/.clean-shutdown"));
  }
  CHECK(t.manager->GetLog(tps[0]).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(t.manager->GetOrCreateLog(Tp("new", 0), t.default_config)
            .status()
            .code() == absl::StatusCode::kFailedPrecondition);
  CHECK(t.manager->RunMaintenance().status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK_OK(t.manager->Close());

  // A clean shutdown: the reopened logs start flushed to their end.
  t.manager.reset();
  t.Open();
  for (const TopicPartition& tp : tps) {
    ASSIGN_OR_REQUIRE(Log * log, t.manager->GetLog(tp));
    CHECK(log->recovery_point() == Offset(3));
    CHECK_FALSE(t.Exists("/data/" + tp.ToString() + "/.clean-shutdown"));
  }
}

TEST_CASE("The background thread enforces retention on its own", "[log]") {
  ManagerTest t;
  t.maintenance_interval_ms = 10;
  t.Open();
  LogConfig config = t.default_config;
  config.retention_ms = 1000;
  Log* log = t.Create(Tp("t", 0), config);
  t.AppendRecords(*log, 3);
  REQUIRE_OK(log->Roll());
  t.clock->AdvanceMs(1500);
  t.AppendRecords(*log, 2);  // the first segment is now expired

  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (log->log_start_offset() != Offset(3) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(log->log_start_offset() == Offset(3));
  CHECK(log->num_segments() == 1);
  REQUIRE_OK(t.manager->Close());
}

}  // namespace
}  // namespace rill
