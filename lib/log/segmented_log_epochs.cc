// SegmentedLog's leader epochs: answering for them, recording the epochs
// appends start, and loading them on open (see format.h,
// leader-epoch-checkpoint).
#include <optional>
#include <utility>
#include <vector>

#include "log/checkpoint.h"
#include "log/segmented_log.h"
#include "util/status_macros.h"

namespace rill::log {
namespace {

// VisitBatchEpochs walks the batch headers of `seg`.
absl::Status VisitBatchEpochs(const Segment& seg, const EpochVisitor& visit) {
  for (uint64_t position = 0; position < seg.size();) {
    ASSIGN_OR_RETURN(StoredBatch batch, seg.ReadBatchAt(position));
    visit(LeaderEpoch(batch.leader_epoch), Offset(batch.base_offset));
    position += batch.size;
  }
  return absl::OkStatus();
}

}  // namespace

std::optional<LeaderEpoch> SegmentedLog::latest_epoch() const {
  absl::ReaderMutexLock lock(&mu_);
  return epochs_.LatestEpoch();
}

EpochEndOffset SegmentedLog::EndOffsetForEpoch(LeaderEpoch epoch) const {
  absl::ReaderMutexLock lock(&mu_);
  return epochs_.EndOffsetFor(epoch, log_end_locked());
}

absl::Status SegmentedLog::WriteEpochsIfDirty() {
  if (!epochs_dirty_) return absl::OkStatus();
  RETURN_IF_ERROR(WriteLeaderEpochCheckpoint(*fs_, dir_, epochs_.entries()));
  epochs_dirty_ = false;
  return absl::OkStatus();
}

absl::Status SegmentedLog::AssignEpochs(std::span<const EpochEntry> starts) {
  // Written before the batches: after a crash the file may name an epoch
  // whose batches were lost (Load drops it), never lack one the log holds.
  std::optional<LeaderEpochCache> before;
  for (const EpochEntry& e : starts) {
    if (!epochs_.WouldChange(e.epoch, e.start_offset)) continue;
    if (!before) before = epochs_;
    epochs_.Assign(e.epoch, e.start_offset);
    epochs_dirty_ = true;
  }
  absl::Status written = WriteEpochsIfDirty();
  if (!written.ok() && before) epochs_ = *std::move(before);
  return written;
}

absl::Status SegmentedLog::LoadEpochs(std::span<const EpochEntry> recovered) {
  ASSIGN_OR_RETURN(std::optional<std::vector<EpochEntry>> saved,
                   ReadLeaderEpochCheckpoint(*fs_, dir_));
  LeaderEpochCache epochs;
  if (saved) {
    epochs = LeaderEpochCache(*saved);
    // An epoch's entry is written before its batches: one at or past the
    // end names batches a crash lost (or a truncation the file missed).
    epochs.TruncateFromEnd(log_end_locked());
    // A newer epoch in the scanned tail that the file lacks (Kafka's
    // recovery rule: only epochs above the latest, past its start).
    for (const EpochEntry& e : recovered) {
      const bool newer =
          epochs.empty() ||
          (e.epoch > epochs.entries().back().epoch &&
           e.start_offset >= epochs.entries().back().start_offset);
      if (newer) epochs.Assign(e.epoch, e.start_offset);
    }
  } else {
    // Missing or malformed: replay every batch's epoch, as appends did.
    for (const auto& [base, seg] : segments_) {
      RETURN_IF_ERROR(VisitBatchEpochs(
          *seg, [&epochs](LeaderEpoch e, Offset b) { epochs.Assign(e, b); }));
    }
  }
  epochs.TruncateFromStart(log_start_offset_);
  epochs_dirty_ = !saved || epochs.entries() != *saved;
  epochs_ = std::move(epochs);
  return absl::OkStatus();
}

}  // namespace rill::log
