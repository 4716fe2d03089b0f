// SegmentedLog::Open: find the segments on disk and recover them.
//
// After a clean shutdown (marker present) every segment's indexes are
// trusted. Otherwise the segments holding offsets at or past the recovery
// point are scanned (CRC of every batch), and the first bad or partial batch
// ends the log: it and everything after it are removed.
#include <algorithm>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "log/cleaner.h"
#include "log/format.h"
#include "log/segmented_log.h"
#include "util/status_macros.h"

namespace rill::log {
absl::StatusOr<std::unique_ptr<Log>> SegmentedLog::Open(LogOptions options) {
  if (options.dir.empty()) {
    return absl::InvalidArgumentError("LogOptions.dir is required");
  }
  RETURN_IF_ERROR(options.config.Validate());
  auto log =
      std::unique_ptr<SegmentedLog>(new SegmentedLog(std::move(options)));
  {
    absl::MutexLock lock(&log->mu_);
    RETURN_IF_ERROR(util::Annotate(log->Load(), log->dir_));
  }
  return log;
}

absl::Status SegmentedLog::Load() {
  RETURN_IF_ERROR(fs_->CreateDirs(dir_));
  RETURN_IF_ERROR(CompleteInterruptedSwaps(*fs_, dir_));
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->ListDir(dir_));

  const std::string marker = io::JoinPath(dir_, kCleanShutdownFile);
  const bool clean = std::find(names.begin(), names.end(),
                               std::string(kCleanShutdownFile)) != names.end();
  ASSIGN_OR_RETURN(checkpoint_, ReadCheckpoint(*fs_, dir_));
  const Offset checkpoint_start =
      checkpoint_ ? checkpoint_->log_start_offset : Offset(0);
  const Offset checkpoint_point =
      checkpoint_ ? checkpoint_->recovery_point : Offset(0);

  std::vector<Offset> bases;
  for (const std::string& name : names) {
    if (auto base = ParseSegmentFileName(name, kLogFileSuffix)) {
      bases.push_back(*base);
    }
  }
  std::sort(bases.begin(), bases.end());
  // Index files without their .log (a crash mid-delete) are removed.
  for (const std::string& name : names) {
    for (std::string_view suffix : {kOffsetIndexSuffix, kTimeIndexSuffix}) {
      auto base = ParseSegmentFileName(name, suffix);
      if (base && !std::binary_search(bases.begin(), bases.end(), *base)) {
        RETURN_IF_ERROR(fs_->RemoveFile(io::JoinPath(dir_, name)));
        dir_dirty_ = true;
      }
    }
    if (absl::EndsWith(name, ".tmp")) {
      RETURN_IF_ERROR(fs_->RemoveFile(io::JoinPath(dir_, name)));
      dir_dirty_ = true;
    }
  }

  // Whatever this directory holds may not have been made durable before a
  // crash (a segment created just before it, say): sync it once.
  dir_dirty_ = true;
  const int64_t now = clock_->NowMs();
  bool recovered_any = false;
  // Where the epoch changes in the batches recovery scanned.
  std::vector<EpochEntry> recovered_epochs;
  for (size_t i = 0; i < bases.size(); ++i) {
    // A segment wholly below the recovery point was fsynced: trust it.
    const bool below_point =
        i + 1 < bases.size() && bases[i + 1] <= checkpoint_point;
    const bool trust = clean || below_point;
    ASSIGN_OR_RETURN(std::unique_ptr<Segment> seg,
                     Segment::Open(*fs_, dir_, bases[i], config_, now, trust));
    bool cut = false;
    std::vector<EpochEntry> epochs;
    if (!trust) {
      ASSIGN_OR_RETURN(uint64_t removed,
                       seg->Recover([&epochs](LeaderEpoch e, Offset base) {
                         if (epochs.empty() || epochs.back().epoch != e) {
                           epochs.push_back({.epoch = e, .start_offset = base});
                         }
                       }));
      cut = removed > 0;
      recovered_any = true;
    }
    // Offsets must keep rising across segments; a segment that overlaps its
    // predecessor is debris of an interrupted operation.
    if (!segments_.empty() && seg->base_offset() < active().next_offset()) {
      cut = true;
      RETURN_IF_ERROR(seg->RemoveFiles());
      dir_dirty_ = true;
      seg.reset();
    }
    if (seg) {
      recovered_epochs.insert(recovered_epochs.end(), epochs.begin(),
                              epochs.end());
      segments_.emplace(seg->base_offset(), std::move(seg));
    }
    if (cut) {
      // Nothing after a damaged point can be trusted to follow it.
      for (size_t j = i + 1; j < bases.size(); ++j) {
        RETURN_IF_ERROR(RemoveSegmentFiles(*fs_, dir_, bases[j]));
        dir_dirty_ = true;
      }
      break;
    }
  }

  // Empty segments that do not continue their predecessor were rolled over
  // data a crash then lost; the log must end right after its last batch.
  while (segments_.size() > 1 && active().empty() &&
         std::prev(segments_.end(), 2)->second->next_offset() <
             active().base_offset()) {
    RETURN_IF_ERROR(
        RemoveSegment(std::prev(segments_.end()), {.end = log_end_locked()}));
  }
  if (segments_.empty()) RETURN_IF_ERROR(AddSegment(checkpoint_start));
  log_start_offset_ = std::max(checkpoint_start, segments_.begin()->first);
  RETURN_IF_ERROR(LoadEpochs(recovered_epochs));
  if (log_start_offset_ > log_end_locked()) {
    // Recovery lost data the log start had already passed.
    RETURN_IF_ERROR(ResetTo(log_start_offset_));
  }
  clean_up_to_ = log_start_offset_;

  if (recovered_any) {
    // What survived the scan is what the disk holds: make it the recovery
    // point so the next unclean open does not scan it again.
    recovery_point_ = std::min(checkpoint_point, log_end_locked());
    RETURN_IF_ERROR(FlushLocked());
  } else {
    recovery_point_ =
        clean ? log_end_locked() : std::min(checkpoint_point, log_end_locked());
  }
  if (clean) {
    // Remove the marker durably before anything changes, or a crash later
    // would be taken for a clean shutdown.
    RETURN_IF_ERROR(fs_->RemoveFile(marker));
    dir_dirty_ = true;
  }
  RETURN_IF_ERROR(SyncDirIfDirty());
  RETURN_IF_ERROR(WriteCheckpointLocked());
  return WriteEpochsIfDirty();
}

}  // namespace rill::log
