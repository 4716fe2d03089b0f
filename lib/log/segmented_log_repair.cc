// SegmentedLog's failure and repair.
//
// A write that fails half-way and cannot be undone (a full disk while a
// truncation rewrites an index, say) leaves the files out of step with what
// the log holds in memory. Kafka takes the whole log directory offline and
// waits for a broker restart. An embedded log has no one to restart it, and a
// follower whose log stays failed never catches up again, so the log repairs
// itself: on a later mutation it reopens its directory as a restart would
// (recovery trims any partial batch), applies the cut its plan names, and
// takes the reopened state. While the disk still refuses writes each attempt
// fails, and attempts are spaced kRepairBackoffMs apart.
#include "absl/strings/str_cat.h"
#include "log/segmented_log.h"
#include "util/status_macros.h"

namespace rill::log {

absl::Status SegmentedLog::Fail(absl::Status status, RepairPlan plan) {
  if (failed_.ok()) {
    failed_ = absl::Status(
        status.code(),
        absl::StrCat("log ", dir_,
                     " failed and refuses writes until it is repaired: ",
                     status.message()));
    repair_ = plan;
    next_repair_ms_ = 0;  // the next mutation tries at once
  }
  return status;
}

absl::Status SegmentedLog::EnsureWritable() {
  if (closed_) return absl::FailedPreconditionError("log is closed: " + dir_);
  if (failed_.ok()) return absl::OkStatus();
  const int64_t now = clock_->NowMs();
  if (now < next_repair_ms_) return failed_;
  absl::Status repaired = Repair();
  if (!repaired.ok()) {
    next_repair_ms_ = now + kRepairBackoffMs;
    return absl::Status(failed_.code(),
                        absl::StrCat(failed_.message(),
                                     "; repair failed: ", repaired.message()));
  }
  failed_ = absl::OkStatus();
  return absl::OkStatus();
}

absl::Status SegmentedLog::Repair() {
  // The reopened log may cut these very files (recovery, the plan's cut):
  // readers holding slices of them must know first.
  cuts_->fetch_add(1);
  ASSIGN_OR_RETURN(
      std::unique_ptr<Log> reopened,
      Open({.dir = dir_, .config = config_, .fs = fs_, .clock = clock_}));
  auto& fresh = static_cast<SegmentedLog&>(*reopened);
  // What the failed operation reported must hold: nothing it did not
  // acknowledge survives (an append whose undo failed), and a cut it began
  // is finished.
  if (repair_.reset) {
    RETURN_IF_ERROR(fresh.TruncateFullyAndStartAt(repair_.end));
  } else {
    RETURN_IF_ERROR(fresh.TruncateTo(repair_.end));
  }
  absl::MutexLock lock(&fresh.mu_);
  AdoptState(fresh);
  return absl::OkStatus();
}

void SegmentedLog::AdoptState(SegmentedLog& from) {
  from.mu_.AssertHeld();
  segments_ = std::move(from.segments_);
  log_start_offset_ = from.log_start_offset_;
  recovery_point_ = from.recovery_point_;
  checkpoint_ = from.checkpoint_;
  epochs_ = std::move(from.epochs_);
  epochs_dirty_ = from.epochs_dirty_;
  unflushed_records_ = from.unflushed_records_;
  first_unflushed_ms_ = from.first_unflushed_ms_;
  dir_dirty_ = from.dir_dirty_;
  clean_up_to_ = from.clean_up_to_;
  // A compaction pass between its snapshot and its swap must discard its
  // output (its sources are not these segments): Repair counted a cut.
}

}  // namespace rill::log
