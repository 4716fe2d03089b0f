// SegmentedLog: the Log on segment files (the default Log implementation).
#ifndef RILL_LOG_SEGMENTED_LOG_H_
#define RILL_LOG_SEGMENTED_LOG_H_

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/inlined_vector.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "log/checkpoint.h"
#include "log/leader_epoch_cache.h"
#include "log/segment.h"
#include "rill/log/log.h"

namespace rill::log {

// SegmentedLog: see rill::Log for the contract. Owned by its opener.
// Thread-safe. Mutations are serialized by write_mu_, held throughout;
// the state is guarded by mu_, which reads take shared and mutations
// exclusive, except while an append's bytes go to the file: they land past
// the active segment's published end, where no reader looks, so readers
// (a follower copying the leader, a consumer, the high watermark asking
// for the log end) do not wait for the write. The long middle of a
// compaction pass runs without either, on a snapshot of inactive segments,
// and swaps its output in under both.
// A failed write that cannot be undone (a full disk in the middle of a
// truncation, say) marks the log failed: mutations return that error until
// the log repairs itself (segmented_log_repair.cc). Kafka takes the log
// directory offline until the broker restarts; an embedded log cannot ask
// for a restart, so it does what a restart would, in place, once the disk
// lets it.
class SegmentedLog final : public Log {
 public:
  static absl::StatusOr<std::unique_ptr<Log>> Open(LogOptions options);
  ~SegmentedLog() override = default;

  SegmentedLog(const SegmentedLog&) = delete;
  SegmentedLog& operator=(const SegmentedLog&) = delete;

  using Log::Append;
  absl::StatusOr<AppendInfo> Append(std::span<char> batches,
                                    const AppendOptions& options) override;
  absl::StatusOr<AppendInfo> AppendFrom(const LogReadResult& source,
                                        const AppendOptions& options) override;
  absl::StatusOr<LogReadResult> Read(Offset offset,
                                     const ReadOptions& options) override;
  absl::StatusOr<std::optional<TimestampOffset>> FindOffsetByTimestamp(
      int64_t timestamp_ms) override;

  Offset log_start_offset() const override;
  Offset log_end_offset() const override;
  Offset recovery_point() const override;
  int64_t size_bytes() const override;
  int num_segments() const override;
  const std::string& dir() const override { return dir_; }
  LogConfig config() const override;
  std::optional<LeaderEpoch> latest_epoch() const override;
  EpochEndOffset EndOffsetForEpoch(LeaderEpoch epoch) const override;

  absl::Status Flush() override;
  absl::Status FlushIfDue() override;
  absl::Status Roll() override;
  absl::Status RollIfDue() override;
  absl::StatusOr<int> EnforceRetention() override;
  absl::Status AdvanceLogStartOffset(Offset offset) override;
  absl::Status TruncateTo(Offset offset) override;
  absl::Status TruncateFullyAndStartAt(Offset offset) override;
  absl::StatusOr<CompactionStats> Compact(bool force) override;
  absl::Status UpdateConfig(const LogConfig& config) override;
  absl::Status Close() override;

 private:
  using SegmentMap = std::map<Offset, std::shared_ptr<Segment>>;

  SegmentedLog(LogOptions options);

  // PendingAppend describes the batches of one append, back to back (most
  // appends hold one, so they live inline), before offsets are assigned.
  struct PendingAppend {
    absl::InlinedVector<BatchMeta, 4> metas;
    // Each batch's partitionLeaderEpoch as it arrived.
    absl::InlinedVector<LeaderEpoch, 4> epochs;
    int64_t record_count = 0;

    void Add(const record::RecordBatchHeader& h);
  };
  // ValidateBatches checks every batch of an append request before
  // anything is written (Kafka's LogValidator, the parts that belong to the
  // log).
  static absl::StatusOr<PendingAppend> ValidateBatches(
      std::string_view bytes, const LogConfig& config,
      const AppendOptions& options);
  // AppendLocked assigns offsets (rewriting `bytes`, which may be null for a
  // follower's append), rolls if due, records the epochs, writes with
  // `write` (called without mu_), undoing a partial write, and publishes.
  absl::StatusOr<AppendInfo> AppendLocked(
      PendingAppend& pending, const AppendOptions& options, char* bytes,
      absl::FunctionRef<absl::Status(Segment&)> write)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_, mu_);

  // RepairPlan says how a failed log is brought back: reload the directory
  // (as a restart would), then cut it back to `end` (an operation that failed
  // half-way must not leave more than it reported), or, with `reset`, empty
  // it at `end` (the failed operation was a reset).
  struct RepairPlan {
    Offset end;
    bool reset = false;
  };
  // The longest a failed log waits between repair attempts (while the disk
  // is still full, each attempt would fail again).
  static constexpr int64_t kRepairBackoffMs = 100;

  // Load opens the segments on disk, recovering after an unclean shutdown
  // (log_loader.cc).
  absl::Status Load() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Segment& active() const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return *segments_.rbegin()->second;
  }
  Offset log_end_locked() const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return active().next_offset();
  }
  // SegmentBaseOf is the base of the segment holding `offset` (-1 if none).
  Offset SegmentBaseOf(Offset offset) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // EnsureWritable is every mutation's first step: an error once closed,
  // and while failed, a repair attempt (segmented_log_repair.cc).
  absl::Status EnsureWritable() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Fail records a write error that left the files out of step with memory,
  // and how to repair that; returns `status`.
  absl::Status Fail(absl::Status status, RepairPlan plan)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Repair reopens the directory afresh, applies repair_'s cut, and takes
  // the reopened log's state; on error nothing here changes.
  absl::Status Repair() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // AdoptState moves `from`'s segments and bookkeeping into this log.
  void AdoptState(SegmentedLog& from) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // AddSegment creates an empty segment at `base` (the new active one).
  absl::Status AddSegment(Offset base) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // RemoveSegment deletes a segment's files, then drops it from the map; a
  // failed delete fails the log (which then repairs to `plan`), leaving the
  // segment in the map, so readers keep a log without holes.
  absl::Status RemoveSegment(SegmentMap::iterator it, RepairPlan plan)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // ReplaceSegmentsFrom replaces `first` and every later segment with one
  // empty segment at `base`. The new segment exists before the old ones
  // leave the map, so the map is never empty; a failure fails the log.
  absl::Status ReplaceSegmentsFrom(SegmentMap::iterator first, Offset base,
                                   RepairPlan plan)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status RollLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool RollDue(int64_t now_ms) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  absl::Status FlushLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status WriteCheckpointLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Leader epochs (segmented_log_epochs.cc).
  // LoadEpochs fills epochs_ from leader-epoch-checkpoint, or from every
  // batch when the file is missing or malformed; `recovered` holds the epoch
  // changes seen in the segments recovery scanned.
  absl::Status LoadEpochs(std::span<const EpochEntry> recovered)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // WriteEpochsIfDirty rewrites leader-epoch-checkpoint if epochs_ changed.
  absl::Status WriteEpochsIfDirty() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // AssignEpochs records the epochs an append starts (before its batches are
  // written) and persists them; on failure epochs_ is as it was.
  absl::Status AssignEpochs(std::span<const EpochEntry> starts)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status SyncDirIfDirty() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // DeleteOldestSegments removes the first `count` segments (oldest first),
  // rolling first if that includes the active one.
  absl::StatusOr<int> DeleteOldestSegments(int count)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // ResetActiveAt makes the active segment start at `base` (a follower
  // append past the end): moves an empty one, or rolls to a new one.
  absl::Status ResetActiveAt(Offset base) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // ResetTo replaces every segment with one empty segment at `offset`.
  absl::Status ResetTo(Offset offset) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::shared_ptr<io::FileSystem> fs_;
  const std::shared_ptr<Clock> clock_;
  const std::string dir_;

  absl::Mutex write_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable absl::Mutex mu_;
  // MutationLock holds write_mu_ and then mu_: what every mutation takes.
  class ABSL_SCOPED_LOCKABLE MutationLock {
   public:
    explicit MutationLock(SegmentedLog* log)
        ABSL_EXCLUSIVE_LOCK_FUNCTION(log->write_mu_, log->mu_)
        : write_(&log->write_mu_), state_(&log->mu_) {}
    ~MutationLock() ABSL_UNLOCK_FUNCTION() {}

   private:
    absl::MutexLock write_;
    absl::MutexLock state_;
  };
  LogConfig config_ ABSL_GUARDED_BY(mu_);
  SegmentMap segments_ ABSL_GUARDED_BY(mu_);
  Offset log_start_offset_ ABSL_GUARDED_BY(mu_);
  Offset recovery_point_ ABSL_GUARDED_BY(mu_);
  // The checkpoint as last written; rewritten only when it changes.
  std::optional<Checkpoint> checkpoint_ ABSL_GUARDED_BY(mu_);
  // Where each leader epoch begins, and whether that changed since
  // leader-epoch-checkpoint was last written.
  LeaderEpochCache epochs_ ABSL_GUARDED_BY(mu_);
  bool epochs_dirty_ ABSL_GUARDED_BY(mu_) = false;
  int64_t unflushed_records_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t first_unflushed_ms_ ABSL_GUARDED_BY(mu_) = -1;
  // Names were created, renamed or removed since the last SyncDir.
  bool dir_dirty_ ABSL_GUARDED_BY(mu_) = false;
  // First offset not yet compacted; compaction's dirty ratio is measured
  // from here.
  Offset clean_up_to_ ABSL_GUARDED_BY(mu_);
  // A compaction pass is between its snapshot and its swap.
  bool compacting_ ABSL_GUARDED_BY(mu_) = false;
  // Counts cuts (truncations, resets, repairs), so a compaction pass
  // notices its sources changed and a reader of Read's slices that their
  // bytes may have (LogReadResult::Uncut). Bumped under mu_ before a cut.
  const std::shared_ptr<std::atomic<uint64_t>> cuts_ =
      std::make_shared<std::atomic<uint64_t>>(0);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  // Set while failed: the error mutations return, and how to repair.
  absl::Status failed_ ABSL_GUARDED_BY(mu_);
  RepairPlan repair_ ABSL_GUARDED_BY(mu_);
  // The clock time before which no repair is attempted.
  int64_t next_repair_ms_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace rill::log

#endif  // RILL_LOG_SEGMENTED_LOG_H_
