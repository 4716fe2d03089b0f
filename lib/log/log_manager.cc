// LogManagerImpl: the partition logs of one data directory and their
// background maintenance.
#include "rill/log/log_manager.h"

#include <map>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "log/format.h"
#include "util/parallel_for.h"
#include "util/status_macros.h"

namespace rill {
namespace {

// Logs closed at once by LogManager::Close.
constexpr size_t kCloseThreads = 8;

// ParsePartitionDir splits "<topic>-<partition>" at the last '-'.
std::optional<TopicPartition> ParsePartitionDir(const std::string& name) {
  const size_t dash = name.rfind('-');
  if (dash == std::string::npos || dash == 0) return std::nullopt;
  int32_t partition;
  if (!absl::SimpleAtoi(name.substr(dash + 1), &partition) || partition < 0) {
    return std::nullopt;
  }
  return TopicPartition{name.substr(0, dash), PartitionId(partition)};
}

// RemoveTree deletes a partition directory (files only, one level).
absl::Status RemoveTree(io::FileSystem& fs, const std::string& dir) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs.ListDir(dir));
  for (const std::string& name : names) {
    RETURN_IF_ERROR(fs.RemoveFile(io::JoinPath(dir, name)));
  }
  return fs.RemoveDir(dir);
}

// LogManagerImpl: see LogManager. Logs are owned here. mu_ guards only the
// map (each Log is thread-safe on its own); maintenance_mu_ keeps a log alive
// while a maintenance round works on it without mu_.
class LogManagerImpl final : public LogManager {
 public:
  explicit LogManagerImpl(LogManagerOptions options)
      : options_(std::move(options)),
        fs_(options_.fs ? options_.fs : io::NewPosixFileSystem()),
        clock_(options_.clock ? options_.clock : DefaultClock()) {}

  ~LogManagerImpl() override { (void)Close(); }

  absl::Status Load() {
    RETURN_IF_ERROR(fs_->CreateDirs(options_.data_dir));
    ASSIGN_OR_RETURN(std::vector<std::string> names,
                     fs_->ListDir(options_.data_dir));
    absl::MutexLock lock(&mu_);
    for (const std::string& name : names) {
      std::optional<TopicPartition> tp = ParsePartitionDir(name);
      if (!tp) continue;
      ASSIGN_OR_RETURN(std::unique_ptr<Log> log,
                       OpenLog(*tp, options_.default_config));
      logs_.emplace(*tp, std::move(log));
    }
    return absl::OkStatus();
  }

  void StartMaintenance() {
    if (options_.maintenance_interval_ms <= 0) return;
    thread_ = std::thread([this] {
      while (!stop_.WaitForNotificationWithTimeout(
          absl::Milliseconds(options_.maintenance_interval_ms))) {
        // Errors stay with the logs (a failed log refuses writes); the loop
        // goes on for the others.
        (void)RunMaintenance();
      }
    });
  }

  absl::StatusOr<Log*> GetLog(const TopicPartition& tp) override {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(CheckOpen());
    auto it = logs_.find(tp);
    if (it == logs_.end()) {
      return absl::NotFoundError(absl::StrCat("no log for ", tp.ToString()));
    }
    return it->second.get();
  }

  absl::StatusOr<Log*> GetOrCreateLog(const TopicPartition& tp,
                                      const LogConfig& config) override {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(CheckOpen());
    auto it = logs_.find(tp);
    if (it != logs_.end()) return it->second.get();
    ASSIGN_OR_RETURN(std::unique_ptr<Log> log, OpenLog(tp, config));
    return logs_.emplace(tp, std::move(log)).first->second.get();
  }

  absl::Status DeleteLog(const TopicPartition& tp) override {
    // Waits for a maintenance round that may be working on this log.
    absl::MutexLock maintenance(&maintenance_mu_);
    std::unique_ptr<Log> log;
    {
      absl::MutexLock lock(&mu_);
      RETURN_IF_ERROR(CheckOpen());
      auto it = logs_.find(tp);
      if (it == logs_.end()) {
        return absl::NotFoundError(absl::StrCat("no log for ", tp.ToString()));
      }
      log = std::move(it->second);
      logs_.erase(it);
    }
    const std::string dir = log->dir();
    log.reset();
    RETURN_IF_ERROR(RemoveTree(*fs_, dir));
    return fs_->SyncDir(options_.data_dir);
  }

  std::vector<TopicPartition> Partitions() override {
    absl::MutexLock lock(&mu_);
    std::vector<TopicPartition> out;
    for (const auto& [tp, log] : logs_) out.push_back(tp);
    return out;
  }

  absl::StatusOr<MaintenanceStats> RunMaintenance() override {
    // Only maintenance_mu_ is held while working, so lookups and creations
    // of other partitions never wait for a flush or a compaction pass.
    absl::MutexLock maintenance(&maintenance_mu_);
    std::vector<Log*> logs;
    {
      absl::MutexLock lock(&mu_);
      RETURN_IF_ERROR(CheckOpen());
      for (auto& [tp, log] : logs_) logs.push_back(log.get());
    }
    MaintenanceStats stats;
    absl::Status first_error;
    auto note = [&first_error](const absl::Status& s) {
      if (first_error.ok() && !s.ok()) first_error = s;
    };
    for (Log* log : logs) {
      const int segments = log->num_segments();
      const Offset recovery_point = log->recovery_point();
      note(log->RollIfDue());
      if (log->num_segments() > segments) stats.segments_rolled++;
      note(log->FlushIfDue());
      if (log->recovery_point() != recovery_point) stats.logs_flushed++;
      auto deleted = log->EnforceRetention();
      note(deleted.status());
      if (deleted.ok()) stats.segments_deleted += *deleted;
      auto compacted = log->Compact(/*force=*/false);
      note(compacted.status());
      if (compacted.ok() && compacted->segments_cleaned > 0) {
        stats.logs_compacted++;
      }
    }
    if (!first_error.ok()) return first_error;
    return stats;
  }

  void CloseAbruptly() override {
    {
      absl::MutexLock lock(&mu_);
      if (closed_) return;
      closed_ = true;
    }
    StopMaintenance();
    absl::MutexLock maintenance(&maintenance_mu_);  // a caller's round
  }

  absl::Status Close() override {
    {
      absl::MutexLock lock(&mu_);
      if (closed_) return absl::OkStatus();
      closed_ = true;
    }
    StopMaintenance();
    absl::MutexLock maintenance(&maintenance_mu_);  // a caller's round
    absl::MutexLock lock(&mu_);
    // Each close waits on fsyncs; overlapping them makes a broker with
    // dozens of partitions (50 of __consumer_offsets alone) stop in a
    // fraction of the time.
    std::vector<Log*> logs;
    for (auto& [tp, log] : logs_) logs.push_back(log.get());
    std::vector<absl::Status> results(logs.size());
    util::ParallelFor(logs.size(), kCloseThreads,
                      [&](size_t i) { results[i] = logs[i]->Close(); });
    for (const absl::Status& s : results) {
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }

 private:
  void StopMaintenance() {
    stop_.Notify();
    if (thread_.joinable()) thread_.join();
  }

  absl::Status CheckOpen() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return closed_ ? absl::FailedPreconditionError("log manager is closed")
                   : absl::OkStatus();
  }

  absl::StatusOr<std::unique_ptr<Log>> OpenLog(const TopicPartition& tp,
                                               const LogConfig& config) {
    return Log::Open({.dir = io::JoinPath(options_.data_dir, tp.ToString()),
                      .config = config,
                      .fs = fs_,
                      .clock = clock_});
  }

  const LogManagerOptions options_;
  const std::shared_ptr<io::FileSystem> fs_;
  const std::shared_ptr<Clock> clock_;
  absl::Notification stop_;
  std::thread thread_;

  // Held through a maintenance round, and by whatever must not overlap one
  // (DeleteLog, Close). Taken before mu_, never after.
  absl::Mutex maintenance_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  absl::Mutex mu_;
  std::map<TopicPartition, std::unique_ptr<Log>> logs_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<LogManager>> LogManager::Open(
    LogManagerOptions options) {
  if (options.data_dir.empty()) {
    return absl::InvalidArgumentError("LogManagerOptions.data_dir is required");
  }
  auto manager = std::make_unique<LogManagerImpl>(std::move(options));
  RETURN_IF_ERROR(manager->Load());
  manager->StartMaintenance();
  return manager;
}

}  // namespace rill
