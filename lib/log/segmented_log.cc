#include "log/segmented_log.h"

#include <algorithm>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "log/cleaner.h"
#include "log/format.h"
#include "record/format.h"
#include "rill/record/record_batch.h"
#include "util/endian.h"
#include "util/status_macros.h"

namespace rill::log {
namespace {

using record::BatchIterator;
using record::RecordBatchHeader;

// CheckBatch applies Kafka's LogValidator checks that belong to the log and
// need only the header.
absl::Status CheckBatch(const RecordBatchHeader& h, const LogConfig& config,
                        const AppendOptions& options) {
  if (h.total_size() > config.max_message_bytes) {
    return absl::OutOfRangeError(absl::StrCat(
        "batch of ", h.total_size(), " bytes exceeds max.message.bytes ",
        config.max_message_bytes));
  }
  if (options.assign_offsets && h.records_count != h.last_offset_delta + 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch declares ", h.records_count,
                     " records but lastOffsetDelta ", h.last_offset_delta));
  }
  if (!options.assign_offsets && h.records_count > h.last_offset_delta + 1) {
    return absl::InvalidArgumentError("more records than offsets in batch");
  }
  return absl::OkStatus();
}

}  // namespace

SegmentedLog::SegmentedLog(LogOptions options)
    : fs_(options.fs ? std::move(options.fs) : io::NewPosixFileSystem()),
      clock_(options.clock ? std::move(options.clock) : DefaultClock()),
      dir_(std::move(options.dir)),
      config_(options.config) {}

void SegmentedLog::PendingAppend::Add(const RecordBatchHeader& h) {
  record_count += h.records_count;
  metas.push_back({.base_offset = h.base_offset,
                   .last_offset = h.last_offset(),
                   .max_timestamp_ms = h.max_timestamp,
                   .size = static_cast<uint32_t>(h.total_size())});
  epochs.push_back(LeaderEpoch(h.partition_leader_epoch));
}

absl::StatusOr<SegmentedLog::PendingAppend> SegmentedLog::ValidateBatches(
    std::string_view bytes, const LogConfig& config,
    const AppendOptions& options) {
  PendingAppend pending;
  BatchIterator it(bytes);
  while (it.Next()) {
    const RecordBatchHeader& h = it.batch().header();
    RETURN_IF_ERROR(CheckBatch(h, config, options));
    if (!options.crc_verified) RETURN_IF_ERROR(it.batch().VerifyCrc());
    pending.Add(h);
  }
  RETURN_IF_ERROR(it.status());
  if (it.truncated_tail() || it.consumed() != bytes.size()) {
    return absl::InvalidArgumentError("append holds a partial batch");
  }
  if (pending.metas.empty()) {
    return absl::InvalidArgumentError("append holds no batch");
  }
  return pending;
}

absl::StatusOr<AppendInfo> SegmentedLog::Append(std::span<char> batches,
                                                const AppendOptions& options) {
  const std::string_view bytes(batches.data(), batches.size());
  MutationLock lock(this);
  RETURN_IF_ERROR(EnsureWritable());
  ASSIGN_OR_RETURN(PendingAppend pending,
                   ValidateBatches(bytes, config_, options));
  return AppendLocked(pending, options, batches.data(),
                      [&](Segment& seg) { return seg.WriteBatches(bytes); });
}

absl::StatusOr<AppendInfo> SegmentedLog::AppendFrom(
    const LogReadResult& source, const AppendOptions& options) {
  if (options.assign_offsets || !options.crc_verified) {
    return absl::InvalidArgumentError(
        "AppendFrom copies a follower's batches: it neither assigns offsets "
        "nor checks CRCs");
  }
  // The source's headers are read before taking this log's lock: they are
  // another log's file.
  ASSIGN_OR_RETURN(std::vector<RecordBatchHeader> headers,
                   source.ReadHeaders());
  if (headers.empty()) {
    return absl::InvalidArgumentError("append holds no batch");
  }
  MutationLock lock(this);
  RETURN_IF_ERROR(EnsureWritable());
  PendingAppend pending;
  for (const RecordBatchHeader& h : headers) {
    RETURN_IF_ERROR(CheckBatch(h, config_, options));
    pending.Add(h);
  }
  return AppendLocked(pending, options, nullptr, [&](Segment& seg) {
    RETURN_IF_ERROR(seg.CopyBatches(source.slices));
    // A cut of the source during the copy may have put other bytes where
    // the headers were read: take none of it.
    if (!source.Uncut()) {
      return absl::DataLossError(
          "the source log was cut while its batches were copied");
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<AppendInfo> SegmentedLog::AppendLocked(
    PendingAppend& pending, const AppendOptions& options, char* bytes,
    absl::FunctionRef<absl::Status(Segment&)> write) {
  AppendInfo info;
  info.record_count = pending.record_count;
  const int64_t now = clock_->NowMs();
  const bool log_append_time =
      config_.message_timestamp_type == record::TimestampType::kLogAppendTime;

  int64_t next = log_end_locked().value();
  size_t position = 0;  // of the batch, within `bytes`
  uint64_t total = 0;
  // Where this append changes leader epoch.
  absl::InlinedVector<EpochEntry, 1> epoch_starts;
  for (size_t i = 0; i < pending.metas.size(); ++i) {
    BatchMeta& b = pending.metas[i];
    total += b.size;
    if (options.assign_offsets) {
      char* batch = bytes + position;
      position += b.size;
      const int64_t delta = b.last_offset - b.base_offset;
      record::SetBaseOffset(batch, next);
      record::SetPartitionLeaderEpoch(batch, options.leader_epoch.value());
      b.base_offset = next;
      b.last_offset = next + delta;
      pending.epochs[i] = options.leader_epoch;
      if (log_append_time) {
        record::SetLogAppendTime(batch, b.size, now);
        b.max_timestamp_ms = now;
      }
    } else if (b.base_offset < next) {
      return absl::FailedPreconditionError(
          absl::StrCat("follower append at offset ", b.base_offset,
                       " does not continue the log ending at ", next));
    }
    // A follower's batches carry their leader's epoch.
    const LeaderEpoch epoch = pending.epochs[i];
    if (epoch_starts.empty() || epoch_starts.back().epoch != epoch) {
      epoch_starts.push_back(
          {.epoch = epoch, .start_offset = Offset(b.base_offset)});
    }
    next = b.last_offset + 1;
    if (i == 0 || b.max_timestamp_ms > info.max_timestamp_ms) {
      info.max_timestamp_ms = b.max_timestamp_ms;
      info.offset_of_max_timestamp = Offset(b.last_offset);
    }
  }
  info.first_offset = Offset(pending.metas.front().base_offset);
  info.last_offset = Offset(next - 1);
  info.batch_count = static_cast<int32_t>(pending.metas.size());
  info.bytes = static_cast<int64_t>(total);
  info.log_append_time_ms = log_append_time ? now : -1;

  // Roll first if this append does not belong in the active segment.
  {
    Segment& seg = active();
    const bool too_big =
        seg.size() + total > static_cast<uint64_t>(config_.segment_bytes);
    // segment.ms runs from the segment's first batch to the incoming one
    // (Kafka's timeWaitedForRoll), so replayed old data rolls as usual.
    const bool too_old =
        info.max_timestamp_ms - seg.rolling_base_ms() >= config_.segment_ms;
    if (!seg.empty() && (too_big || seg.IndexFull() || too_old ||
                         !seg.FitsOffset(info.last_offset.value()))) {
      RETURN_IF_ERROR(RollLocked());
    }
    if (!active().FitsOffset(info.last_offset.value()) ||
        active().base_offset() > info.first_offset) {
      // A follower's batch far past our end, or our empty active segment
      // starts above it: start a segment where the batches begin.
      RETURN_IF_ERROR(ResetActiveAt(info.first_offset));
    }
  }

  RETURN_IF_ERROR(AssignEpochs(epoch_starts));
  Segment& seg = active();
  const uint64_t size_before = seg.size();
  // The bytes go past the published end without mu_, so reads go on;
  // write_mu_ keeps every other mutation out meanwhile.
  mu_.Unlock();
  absl::Status written = write(seg);
  mu_.Lock();
  if (!written.ok()) {
    // Epochs this append started begin at the log end it did not move.
    epochs_dirty_ |= epochs_.TruncateFromEnd(log_end_locked());
    // Undo a partial write so the file never holds half a batch.
    absl::Status undone = seg.file()->Truncate(size_before);
    if (!undone.ok()) return Fail(written, {.end = log_end_locked()});
    return written;
  }
  seg.PublishBatches(pending.metas);
  unflushed_records_ += info.record_count;
  if (first_unflushed_ms_ < 0) first_unflushed_ms_ = now;
  if (unflushed_records_ >= config_.flush_messages) {
    RETURN_IF_ERROR(FlushLocked());
  }
  return info;
}

absl::StatusOr<LogReadResult> SegmentedLog::Read(Offset offset,
                                                 const ReadOptions& options) {
  absl::ReaderMutexLock lock(&mu_);
  if (closed_) return absl::FailedPreconditionError("log is closed: " + dir_);
  LogReadResult result;
  result.log_start_offset = log_start_offset_;
  result.log_end_offset = log_end_locked();
  result.cuts = cuts_;
  result.cuts_at_read = cuts_->load();
  if (offset == result.log_end_offset) return result;
  if (offset < log_start_offset_ || offset > result.log_end_offset) {
    return absl::OutOfRangeError(absl::StrCat(
        "offset ", offset.value(), " is outside the log [",
        log_start_offset_.value(), ", ", result.log_end_offset.value(), ")"));
  }
  const Offset max_offset = std::min(options.max_offset, result.log_end_offset);
  auto it = segments_.upper_bound(offset);
  if (it != segments_.begin()) --it;
  for (; it != segments_.end(); ++it) {
    const Segment& seg = *it->second;
    ASSIGN_OR_RETURN(std::optional<StoredBatch> first, seg.FindBatch(offset));
    if (!first) continue;  // a gap left by compaction: try the next segment
    if (first->base_offset >= max_offset.value()) return result;
    ASSIGN_OR_RETURN(uint64_t end,
                     seg.ReadEnd(first->position, options.max_bytes, max_offset,
                                 options.min_one_batch));
    if (end > first->position) {
      result.slices.push_back({.file = seg.file(),
                               .position = first->position,
                               .size = end - first->position});
      result.size_bytes = end - first->position;
    }
    return result;
  }
  return result;
}

absl::StatusOr<std::optional<TimestampOffset>>
SegmentedLog::FindOffsetByTimestamp(int64_t timestamp_ms) {
  absl::ReaderMutexLock lock(&mu_);
  for (const auto& [base, seg] : segments_) {
    if (seg->max_timestamp_ms() < timestamp_ms) continue;
    ASSIGN_OR_RETURN(
        std::optional<TimestampOffset> found,
        seg->FindOffsetByTimestamp(timestamp_ms, log_start_offset_));
    if (found) return found;
  }
  return std::nullopt;
}

Offset SegmentedLog::log_start_offset() const {
  absl::ReaderMutexLock lock(&mu_);
  return log_start_offset_;
}

Offset SegmentedLog::log_end_offset() const {
  absl::ReaderMutexLock lock(&mu_);
  return log_end_locked();
}

Offset SegmentedLog::recovery_point() const {
  absl::ReaderMutexLock lock(&mu_);
  return recovery_point_;
}

int64_t SegmentedLog::size_bytes() const {
  absl::ReaderMutexLock lock(&mu_);
  int64_t total = 0;
  for (const auto& [base, seg] : segments_) total += seg->size();
  return total;
}

int SegmentedLog::num_segments() const {
  absl::ReaderMutexLock lock(&mu_);
  return static_cast<int>(segments_.size());
}

LogConfig SegmentedLog::config() const {
  absl::ReaderMutexLock lock(&mu_);
  return config_;
}

absl::Status SegmentedLog::UpdateConfig(const LogConfig& config) {
  RETURN_IF_ERROR(config.Validate());
  MutationLock lock(this);
  config_ = config;
  return absl::OkStatus();
}

bool SegmentedLog::RollDue(int64_t now_ms) const {
  const Segment& seg = active();
  return !seg.empty() && now_ms - seg.rolling_base_ms() >= config_.segment_ms;
}

absl::Status SegmentedLog::AddSegment(Offset base) {
  auto seg = Segment::Create(*fs_, dir_, base, config_, clock_->NowMs());
  if (!seg.ok()) return seg.status();
  dir_dirty_ = true;
  segments_.emplace(base, std::move(*seg));
  return absl::OkStatus();
}

absl::Status SegmentedLog::RemoveSegment(SegmentMap::iterator it,
                                         RepairPlan plan) {
  dir_dirty_ = true;
  absl::Status removed = it->second->RemoveFiles();
  // Some of its files may be gone: the map no longer matches the directory.
  if (!removed.ok()) return Fail(removed, plan);
  segments_.erase(it);
  return absl::OkStatus();
}

absl::Status SegmentedLog::ReplaceSegmentsFrom(SegmentMap::iterator first,
                                               Offset base, RepairPlan plan) {
  dir_dirty_ = true;
  // Files first: the new segment may take the name of an old one. The old
  // segments stay in the map (readable through their open files) until the
  // new one exists.
  for (auto it = first; it != segments_.end(); ++it) {
    absl::Status removed = it->second->RemoveFiles();
    if (!removed.ok()) return Fail(removed, plan);
  }
  auto seg = Segment::Create(*fs_, dir_, base, config_, clock_->NowMs());
  if (!seg.ok()) return Fail(seg.status(), plan);
  segments_.erase(first, segments_.end());
  segments_.emplace(base, std::move(*seg));
  return absl::OkStatus();
}

absl::Status SegmentedLog::RollLocked() {
  Segment& old = active();
  if (old.empty()) return absl::OkStatus();
  RETURN_IF_ERROR(old.SealIndexes());
  return AddSegment(old.next_offset());
}

absl::Status SegmentedLog::ResetActiveAt(Offset base) {
  // A non-empty active segment stays and a new one starts at `base`; an
  // empty one is replaced.
  if (!active().empty()) {
    RETURN_IF_ERROR(active().SealIndexes());
    return AddSegment(base);
  }
  RETURN_IF_ERROR(ReplaceSegmentsFrom(std::prev(segments_.end()), base,
                                      {.end = log_end_locked()}));
  if (segments_.size() == 1) {
    log_start_offset_ = base;
    epochs_dirty_ |= epochs_.TruncateFromStart(base);
  }
  return absl::OkStatus();
}

absl::Status SegmentedLog::Roll() {
  MutationLock lock(this);
  RETURN_IF_ERROR(EnsureWritable());
  return RollLocked();
}

absl::Status SegmentedLog::RollIfDue() {
  MutationLock lock(this);
  RETURN_IF_ERROR(EnsureWritable());
  if (!RollDue(clock_->NowMs())) return absl::OkStatus();
  return RollLocked();
}

absl::Status SegmentedLog::SyncDirIfDirty() {
  if (!dir_dirty_) return absl::OkStatus();
  RETURN_IF_ERROR(fs_->SyncDir(dir_));
  dir_dirty_ = false;
  return absl::OkStatus();
}

absl::Status SegmentedLog::WriteCheckpointLocked() {
  Checkpoint now{.recovery_point = recovery_point_,
                 .log_start_offset = log_start_offset_};
  if (checkpoint_ == now) return absl::OkStatus();
  RETURN_IF_ERROR(WriteCheckpoint(*fs_, dir_, now));
  checkpoint_ = now;
  return absl::OkStatus();
}

absl::Status SegmentedLog::FlushLocked() {
  // Segments wholly below the recovery point are already durable.
  auto it = segments_.upper_bound(recovery_point_);
  if (it != segments_.begin()) --it;
  for (; it != segments_.end(); ++it) RETURN_IF_ERROR(it->second->Flush());
  RETURN_IF_ERROR(SyncDirIfDirty());
  recovery_point_ = log_end_locked();
  unflushed_records_ = 0;
  first_unflushed_ms_ = -1;
  // The checkpoint only has to move when a segment became wholly durable:
  // recovery rescans the segment holding the recorded point anyway.
  if (!checkpoint_ || SegmentBaseOf(checkpoint_->recovery_point) !=
                          SegmentBaseOf(recovery_point_)) {
    RETURN_IF_ERROR(WriteCheckpointLocked());
  }
  return absl::OkStatus();
}

Offset SegmentedLog::SegmentBaseOf(Offset offset) const {
  auto it = segments_.upper_bound(offset);
  return it == segments_.begin() ? Offset(-1) : std::prev(it)->first;
}

absl::Status SegmentedLog::Flush() {
  MutationLock lock(this);
  RETURN_IF_ERROR(EnsureWritable());
  return FlushLocked();
}

absl::Status SegmentedLog::FlushIfDue() {
  MutationLock lock(this);
  RETURN_IF_ERROR(EnsureWritable());
  if (first_unflushed_ms_ < 0 ||
      clock_->NowMs() - first_unflushed_ms_ < config_.flush_ms) {
    return absl::OkStatus();
  }
  return FlushLocked();
}

absl::StatusOr<int> SegmentedLog::DeleteOldestSegments(int count) {
  if (count <= 0) return 0;
  if (count >= static_cast<int>(segments_.size())) {
    RETURN_IF_ERROR(RollLocked());  // never delete the active segment
    count = static_cast<int>(segments_.size()) - 1;
  }
  for (int i = 0; i < count; ++i) {
    RETURN_IF_ERROR(
        RemoveSegment(segments_.begin(), {.end = log_end_locked()}));
  }
  const Offset first = segments_.begin()->first;
  log_start_offset_ = std::max(log_start_offset_, first);
  recovery_point_ = std::max(recovery_point_, first);
  epochs_dirty_ |= epochs_.TruncateFromStart(log_start_offset_);
  RETURN_IF_ERROR(SyncDirIfDirty());
  RETURN_IF_ERROR(WriteEpochsIfDirty());
  return count;
}

absl::StatusOr<int> SegmentedLog::EnforceRetention() {
  MutationLock lock(this);
  RETURN_IF_ERROR(EnsureWritable());
  const int64_t now = clock_->NowMs();
  std::vector<const Segment*> segs;
  int64_t total = 0;
  for (const auto& [base, seg] : segments_) {
    segs.push_back(seg.get());
    total += seg->size();
  }
  // Each rule deletes a prefix of the segments; delete the longest.
  int below_start = 0, by_time = 0, by_size = 0;
  for (size_t i = 0; i + 1 < segs.size(); ++i) {
    if (segs[i + 1]->base_offset() > log_start_offset_) break;
    below_start = static_cast<int>(i) + 1;
  }
  // An empty segment is deletable unless it is the active one (compaction
  // can leave empty inactive segments behind).
  auto active_and_empty = [&](size_t i) {
    return i + 1 == segs.size() && segs[i]->empty();
  };
  if (config_.cleanup_delete && config_.retention_ms >= 0) {
    for (size_t i = 0; i < segs.size() && !active_and_empty(i); ++i) {
      const int64_t newest = segs[i]->max_timestamp_ms() >= 0
                                 ? segs[i]->max_timestamp_ms()
                                 : segs[i]->rolling_base_ms();
      if (!segs[i]->empty() && now - newest <= config_.retention_ms) break;
      by_time = static_cast<int>(i) + 1;
    }
  }
  if (config_.cleanup_delete && config_.retention_bytes >= 0) {
    int64_t excess = total - config_.retention_bytes;
    for (size_t i = 0; i < segs.size() && !active_and_empty(i); ++i) {
      if (excess - static_cast<int64_t>(segs[i]->size()) < 0) break;
      excess -= segs[i]->size();
      by_size = static_cast<int>(i) + 1;
    }
  }
  return DeleteOldestSegments(std::max({below_start, by_time, by_size}));
}

absl::Status SegmentedLog::AdvanceLogStartOffset(Offset offset) {
  MutationLock lock(this);
  RETURN_IF_ERROR(EnsureWritable());
  if (offset > log_end_locked()) {
    return absl::OutOfRangeError(
        absl::StrCat("log start offset ", offset.value(),
                     " is beyond the log end ", log_end_locked().value()));
  }
  if (offset <= log_start_offset_) return absl::OkStatus();
  log_start_offset_ = offset;
  epochs_dirty_ |= epochs_.TruncateFromStart(offset);
  RETURN_IF_ERROR(WriteCheckpointLocked());
  return WriteEpochsIfDirty();
}

absl::Status SegmentedLog::ResetTo(Offset offset) {
  // Until the empty file is written, a missing one makes Open rebuild the
  // epochs from what a crash left; a stale one could not be told from the
  // file of a log that retention emptied (which keeps its latest epoch).
  RETURN_IF_ERROR(io::RemoveFileIfExists(
      *fs_, io::JoinPath(dir_, kLeaderEpochCheckpointFile)));
  dir_dirty_ = true;
  epochs_.Clear();
  epochs_dirty_ = true;
  cuts_->fetch_add(1);
  RETURN_IF_ERROR(ReplaceSegmentsFrom(segments_.begin(), offset,
                                      {.end = offset, .reset = true}));
  log_start_offset_ = offset;
  recovery_point_ = offset;
  clean_up_to_ = offset;
  unflushed_records_ = 0;
  first_unflushed_ms_ = -1;
  RETURN_IF_ERROR(SyncDirIfDirty());
  RETURN_IF_ERROR(WriteCheckpointLocked());
  return WriteEpochsIfDirty();
}

absl::Status SegmentedLog::TruncateTo(Offset offset) {
  MutationLock lock(this);
  RETURN_IF_ERROR(EnsureWritable());
  if (offset >= log_end_locked()) return absl::OkStatus();
  if (offset < log_start_offset_ || segments_.begin()->first >= offset) {
    return ResetTo(offset);
  }
  cuts_->fetch_add(1);
  while (segments_.rbegin()->first >= offset) {
    RETURN_IF_ERROR(RemoveSegment(std::prev(segments_.end()), {.end = offset}));
  }
  // The removals must be durable before the cut: otherwise a power loss
  // could bring back later segments after a truncated one, leaving a gap.
  RETURN_IF_ERROR(SyncDirIfDirty());
  Segment& last = active();
  auto cut = last.TruncateTo(offset);
  if (!cut.ok()) return Fail(cut.status(), {.end = offset});
  // The cut must be durable before anything is appended after it, or a
  // crash could bring the removed batches back.
  absl::Status flushed = last.Flush();
  if (!flushed.ok()) return Fail(flushed, {.end = offset});
  RETURN_IF_ERROR(SyncDirIfDirty());
  recovery_point_ = std::min(recovery_point_, log_end_locked());
  clean_up_to_ = std::min(clean_up_to_, log_end_locked());
  // After the cut is durable: until then the file must still name the
  // epochs of batches a crash could bring back.
  epochs_dirty_ |= epochs_.TruncateFromEnd(log_end_locked());
  RETURN_IF_ERROR(WriteCheckpointLocked());
  return WriteEpochsIfDirty();
}

absl::Status SegmentedLog::TruncateFullyAndStartAt(Offset offset) {
  MutationLock lock(this);
  RETURN_IF_ERROR(EnsureWritable());
  return ResetTo(offset);
}

absl::StatusOr<CompactionStats> SegmentedLog::Compact(bool force) {
  // Phase 1, under the lock: pick the inactive segments older than
  // min.compaction.lag.ms and snapshot them.
  std::vector<CleanSource> sources;
  LogConfig config;
  int64_t now;
  uint64_t truncations;
  {
    MutationLock lock(this);
    RETURN_IF_ERROR(EnsureWritable());
    if (!config_.cleanup_compact || compacting_) return CompactionStats{};
    now = clock_->NowMs();
    uint64_t total = 0, dirty = 0;
    for (auto it = segments_.begin(); std::next(it) != segments_.end(); ++it) {
      const Segment& seg = *it->second;
      if (seg.max_timestamp_ms() > now - config_.min_compaction_lag_ms) break;
      sources.push_back({.base = seg.base_offset(),
                         .next_offset = seg.next_offset(),
                         .size = seg.size(),
                         .max_timestamp_ms = seg.max_timestamp_ms(),
                         .file = seg.file()});
      total += seg.size();
      if (std::next(it)->first > clean_up_to_) dirty += seg.size();
    }
    if (sources.empty() || total == 0) return CompactionStats{};
    if (!force &&
        static_cast<double>(dirty) <
            config_.min_cleanable_dirty_ratio * static_cast<double>(total)) {
      return CompactionStats{};
    }
    compacting_ = true;
    config = config_;
    truncations = cuts_->load();
  }

  // Phase 2, without the lock: the long part (reading every record and
  // writing the output aside). Appends and reads go on meanwhile; the
  // sources are inactive, so nothing but truncation or retention touches
  // them, and phase 3 checks for both.
  CompactionStats stats;
  auto prepared = WriteCleanedSegments({.fs = *fs_,
                                        .dir = dir_,
                                        .config = config,
                                        .now_ms = now,
                                        .sources = sources},
                                       &stats);

  // Phase 3, under the lock: swap the output in if the sources are intact.
  MutationLock lock(this);
  compacting_ = false;
  if (!prepared.ok()) return prepared.status();  // .cleaned files: next open
  bool intact = !closed_ && failed_.ok() && truncations == cuts_->load();
  for (const CleanSource& source : sources) {
    auto it = segments_.find(source.base);
    intact =
        intact && it != segments_.end() && std::next(it) != segments_.end() &&
        it->second->file() == source.file && it->second->size() == source.size;
  }
  if (!intact) {
    DiscardCleanedSegments(*fs_, dir_, *prepared);
    return CompactionStats{};
  }
  auto groups = SwapInCleanedSegments(*fs_, dir_, config_, now, *prepared);
  if (!groups.ok()) return Fail(groups.status(), {.end = log_end_locked()});
  for (CleanedGroup& group : *groups) {
    for (Offset base : group.replaced) segments_.erase(base);
    segments_.emplace(group.segment->base_offset(), std::move(group.segment));
  }
  clean_up_to_ = sources.back().next_offset;
  return stats;
}

absl::Status SegmentedLog::Close() {
  MutationLock lock(this);
  if (closed_) return absl::OkStatus();
  RETURN_IF_ERROR(failed_);
  RETURN_IF_ERROR(active().SealIndexes());
  RETURN_IF_ERROR(FlushLocked());
  RETURN_IF_ERROR(WriteCheckpointLocked());
  RETURN_IF_ERROR(WriteEpochsIfDirty());
  ASSIGN_OR_RETURN(
      std::unique_ptr<io::File> marker,
      fs_->OpenFile(io::JoinPath(dir_, kCleanShutdownFile), {.create = true}));
  RETURN_IF_ERROR(fs_->SyncDir(dir_));
  closed_ = true;
  return absl::OkStatus();
}

}  // namespace rill::log

namespace rill {

absl::StatusOr<std::unique_ptr<Log>> Log::Open(LogOptions options) {
  return log::SegmentedLog::Open(std::move(options));
}

absl::StatusOr<std::string> LogReadResult::ReadAll() const {
  std::string out(size_bytes, '\0');
  size_t at = 0;
  for (const LogSlice& slice : slices) {
    ASSIGN_OR_RETURN(
        std::string_view got,
        slice.file->ReadAt(slice.position, slice.size, out.data() + at));
    if (got.size() != slice.size) {
      return absl::DataLossError("log slice was truncated while being read");
    }
    if (got.data() != out.data() + at) {
      std::copy(got.begin(), got.end(), out.begin() + at);
    }
    at += got.size();
  }
  out.resize(at);
  return out;
}

absl::StatusOr<std::vector<record::RecordBatchHeader>>
LogReadResult::ReadHeaders() const {
  std::vector<record::RecordBatchHeader> headers;
  char scratch[record::format::kHeaderSize];
  for (const LogSlice& slice : slices) {
    const uint64_t end = slice.position + slice.size;
    for (uint64_t at = slice.position; at < end;) {
      ASSIGN_OR_RETURN(std::string_view bytes,
                       slice.file->ReadAt(at, sizeof(scratch), scratch));
      absl::StatusOr<record::RecordBatchHeader> h =
          record::ParseBatchHeader(bytes);
      if (!h.ok() || h->total_size() > static_cast<int64_t>(end - at)) {
        return absl::DataLossError(absl::StrCat(
            "log slice holds no whole batch at byte ", at,
            h.ok() ? "" : absl::StrCat(": ", h.status().message())));
      }
      at += static_cast<uint64_t>(h->total_size());
      headers.push_back(*h);
    }
  }
  return headers;
}

}  // namespace rill
