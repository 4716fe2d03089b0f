// rill/log/log_manager.h — a directory of partition logs.
//
// Holds one Log per topic partition under `<data_dir>/<topic>-<partition>/`,
// opens every log it finds on start, and runs background work on a thread of
// its own: flush.ms flushes, segment.ms rolls, retention and compaction, all
// timed by the injectable clock.
//
//   ASSIGN_OR_RETURN(auto manager, rill::LogManager::Open({.data_dir = "/d"}));
//   ASSIGN_OR_RETURN(rill::Log* log, manager->GetOrCreateLog(
//       {"orders", rill::PartitionId(0)}, rill::LogConfig{}));
//   ...
//   RETURN_IF_ERROR(manager->Close());
#ifndef RILL_LOG_LOG_MANAGER_H_
#define RILL_LOG_LOG_MANAGER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rill/clock.h"
#include "rill/io/file_system.h"
#include "rill/log/log.h"
#include "rill/log/log_config.h"
#include "rill/types.h"

namespace rill {

// LogManagerOptions configure a LogManager.
struct LogManagerOptions {
  // Directory holding the partition directories. Required.
  std::string data_dir = {};
  // Config for logs found on disk at open (topic configs are the broker's
  // business; it updates them with Log::UpdateConfig). Default: Kafka's.
  LogConfig default_config = {};
  // Storage. Default: the POSIX file system.
  std::shared_ptr<io::FileSystem> fs = nullptr;
  // Time source. Default: system clock.
  std::shared_ptr<Clock> clock = nullptr;
  // How often the background thread looks for flush, roll, retention and
  // compaction work (log.retention.check.interval.ms etc.); 0 runs no
  // background thread — call RunMaintenance() yourself (tests with a manual
  // clock do). Default: 1000.
  int64_t maintenance_interval_ms = 1000;
};

// MaintenanceStats says what one RunMaintenance did.
struct MaintenanceStats {
  int logs_flushed = 0;
  int segments_rolled = 0;
  int segments_deleted = 0;
  int logs_compacted = 0;
};

// LogManager owns every partition log of one data directory. Thread-safe.
// Logs it hands out stay valid until DeleteLog() or Close().
class LogManager {
 public:
  static absl::StatusOr<std::unique_ptr<LogManager>> Open(
      LogManagerOptions options);
  virtual ~LogManager() = default;

  // GetLog returns the log of `tp`, or kNotFound.
  virtual absl::StatusOr<Log*> GetLog(const TopicPartition& tp) = 0;
  // GetOrCreateLog returns the log of `tp`, creating it with `config` if
  // needed.
  virtual absl::StatusOr<Log*> GetOrCreateLog(const TopicPartition& tp,
                                              const LogConfig& config) = 0;
  // DeleteLog closes the log of `tp` and removes its directory.
  virtual absl::Status DeleteLog(const TopicPartition& tp) = 0;
  // Partitions lists the partitions with a log, sorted.
  virtual std::vector<TopicPartition> Partitions() = 0;

  // RunMaintenance does one round of background work now.
  virtual absl::StatusOr<MaintenanceStats> RunMaintenance() = 0;

  // Close stops the background thread and closes every log cleanly.
  virtual absl::Status Close() = 0;
  // CloseAbruptly stops the background thread and lets go of every log as
  // a crash would: nothing is flushed, no checkpoint or clean-shutdown
  // marker is written, and the next open recovers the logs as after a
  // crash. Logs handed out stay valid until the manager is destroyed (their
  // users stop first); Close then does nothing.
  virtual void CloseAbruptly() = 0;
};

}  // namespace rill

#endif  // RILL_LOG_LOG_MANAGER_H_
