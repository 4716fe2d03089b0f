#include "log/segment.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "log/format.h"
#include "record/format.h"
#include "rill/record/record_batch.h"
#include "util/endian.h"
#include "util/status_macros.h"

namespace rill::log {
namespace {

namespace rf = record::format;

// Recovery reads the file in chunks this large (batches larger than a chunk
// are read whole).
constexpr size_t kScanChunkBytes = 8 << 20;

absl::Status Corrupt(const std::string& path, uint64_t position,
                     std::string_view what) {
  return absl::DataLossError(
      absl::StrCat(path, " at byte ", position, ": ",
                   absl::string_view(what.data(), what.size())));
}

}  // namespace

absl::StatusOr<StoredBatch> ReadStoredBatch(const io::File& file,
                                            uint64_t position, uint64_t limit) {
  char scratch[rf::kHeaderSize];
  if (position + rf::kHeaderSize > limit) {
    return absl::DataLossError("batch header past end of segment");
  }
  ASSIGN_OR_RETURN(std::string_view h,
                   file.ReadAt(position, rf::kHeaderSize, scratch));
  if (h.size() < rf::kHeaderSize) {
    return absl::DataLossError("short read of batch header");
  }
  const int32_t length =
      util::LoadBigEndian<int32_t>(h.data() + rf::kBatchLengthOffset);
  const int32_t delta =
      util::LoadBigEndian<int32_t>(h.data() + rf::kLastOffsetDeltaOffset);
  if (length < rf::kMinBatchLength || delta < 0 ||
      position + rf::kLogOverhead + static_cast<uint64_t>(length) > limit) {
    return absl::DataLossError("bad batch length");
  }
  const int64_t base =
      util::LoadBigEndian<int64_t>(h.data() + rf::kBaseOffsetOffset);
  return StoredBatch{
      .base_offset = base,
      .last_offset = base + delta,
      .max_timestamp_ms =
          util::LoadBigEndian<int64_t>(h.data() + rf::kMaxTimestampOffset),
      .position = position,
      .size = static_cast<uint32_t>(rf::kLogOverhead + length),
      .leader_epoch = util::LoadBigEndian<int32_t>(
          h.data() + rf::kPartitionLeaderEpochOffset),
  };
}

absl::Status RemoveSegmentFiles(io::FileSystem& fs, const std::string& dir,
                                Offset base, bool keep_log) {
  auto remove = [&](std::string_view suffix) {
    return io::RemoveFileIfExists(
        fs, io::JoinPath(dir, SegmentFileName(base, suffix)));
  };
  if (!keep_log) RETURN_IF_ERROR(remove(kLogFileSuffix));
  RETURN_IF_ERROR(remove(kOffsetIndexSuffix));
  return remove(kTimeIndexSuffix);
}

std::string SegmentFileName(Offset base, std::string_view suffix) {
  return absl::StrFormat("%020d%s", base.value(),
                         absl::string_view(suffix.data(), suffix.size()));
}

std::optional<Offset> ParseSegmentFileName(std::string_view name,
                                           std::string_view suffix) {
  if (name.size() != kSegmentNameDigits + suffix.size() ||
      name.substr(kSegmentNameDigits) != suffix) {
    return std::nullopt;
  }
  int64_t base;
  std::string_view digits = name.substr(0, kSegmentNameDigits);
  if (!std::all_of(digits.begin(), digits.end(),
                   [](char c) { return c >= '0' && c <= '9'; }) ||
      !absl::SimpleAtoi(absl::string_view(digits.data(), digits.size()),
                        &base)) {
    return std::nullopt;
  }
  return Offset(base);
}

Segment::Segment(io::FileSystem& fs, std::string dir, Offset base,
                 const LogConfig& config, int64_t now_ms,
                 std::shared_ptr<io::File> file)
    : fs_(fs),
      dir_(std::move(dir)),
      base_(base),
      log_path_(io::JoinPath(dir_, SegmentFileName(base, kLogFileSuffix))),
      index_interval_bytes_(config.index_interval_bytes),
      created_ms_(now_ms),
      file_(std::move(file)),
      offset_index_(
          io::JoinPath(dir_, SegmentFileName(base, kOffsetIndexSuffix)),
          config.segment_index_bytes),
      time_index_(io::JoinPath(dir_, SegmentFileName(base, kTimeIndexSuffix)),
                  config.segment_index_bytes),
      next_offset_(base) {}

absl::StatusOr<std::unique_ptr<Segment>> Segment::Create(
    io::FileSystem& fs, const std::string& dir, Offset base,
    const LogConfig& config, int64_t now_ms) {
  const std::string path =
      io::JoinPath(dir, SegmentFileName(base, kLogFileSuffix));
  ASSIGN_OR_RETURN(std::unique_ptr<io::File> file,
                   fs.OpenFile(path, {.create = true, .truncate = true}));
  auto segment = std::unique_ptr<Segment>(
      new Segment(fs, dir, base, config, now_ms, std::move(file)));
  // Stale index files of an earlier segment at this base must not survive.
  RETURN_IF_ERROR(segment->offset_index_.Persist(fs, /*sync=*/false));
  RETURN_IF_ERROR(segment->time_index_.Persist(fs, /*sync=*/false));
  return segment;
}

absl::StatusOr<std::unique_ptr<Segment>> Segment::Open(
    io::FileSystem& fs, const std::string& dir, Offset base,
    const LogConfig& config, int64_t now_ms, bool trust_indexes) {
  const std::string path =
      io::JoinPath(dir, SegmentFileName(base, kLogFileSuffix));
  ASSIGN_OR_RETURN(std::unique_ptr<io::File> file, fs.OpenFile(path, {}));
  auto segment = std::unique_ptr<Segment>(
      new Segment(fs, dir, base, config, now_ms, std::move(file)));
  segment->size_ = segment->file_->Size();
  if (!trust_indexes) return segment;

  const uint64_t size = segment->size_;
  RETURN_IF_ERROR(segment->offset_index_.Load(
      fs, [size](const OffsetIndexEntry& e) { return e.position < size; }));
  RETURN_IF_ERROR(segment->time_index_.Load(
      fs, [](const TimeIndexEntry&) { return true; }));
  // The time index may name offsets the offset index lost; both are sparse,
  // so drop time entries past the last batch we can see is indexed.
  uint64_t scan_from = 0;
  if (!segment->offset_index_.empty()) {
    scan_from = segment->offset_index_.back().position;
  }
  if (!segment->time_index_.empty()) {
    segment->max_timestamp_ms_ = segment->time_index_.back().timestamp_ms;
    segment->offset_of_max_timestamp_ =
        base.value() + segment->time_index_.back().relative_offset;
  }
  if (scan_from > 0) {
    ASSIGN_OR_RETURN(StoredBatch first, segment->ReadBatchAt(0));
    segment->first_batch_timestamp_ms_ = first.max_timestamp_ms;
  }
  absl::Status scanned = segment->ScanFrom(scan_from);
  if (scanned.ok()) {
    // A time entry past the data (an index file that outlived a truncation)
    // would send lookups too far.
    const uint32_t end = static_cast<uint32_t>(segment->next_offset_ - base);
    segment->time_index_.DropFrom(
        [end](const TimeIndexEntry& e) { return e.relative_offset >= end; });
  }
  if (!scanned.ok()) {
    // Indexes disagree with the data: rebuild by a full scan.
    auto recovered = segment->Recover();
    if (!recovered.ok()) return recovered.status();
  }
  return segment;
}

absl::StatusOr<StoredBatch> Segment::ReadBatchAt(uint64_t position) const {
  absl::StatusOr<StoredBatch> batch = ReadStoredBatch(*file_, position, size_);
  if (!batch.ok()) {
    return util::Annotate(batch.status(),
                          absl::StrCat(log_path_, " at byte ", position));
  }
  return batch;
}

void Segment::TrackBatch(int64_t last_offset, int64_t max_timestamp_ms) {
  if (first_batch_timestamp_ms_ < 0) {
    first_batch_timestamp_ms_ = max_timestamp_ms;
  }
  if (max_timestamp_ms > max_timestamp_ms_) {
    max_timestamp_ms_ = max_timestamp_ms;
    offset_of_max_timestamp_ = last_offset;
  }
  next_offset_ = Offset(last_offset + 1);
}

void Segment::IndexBatch(const BatchMeta& batch, uint64_t position) {
  TrackBatch(batch.last_offset, batch.max_timestamp_ms);
  if (bytes_since_index_entry_ >=
          static_cast<uint64_t>(index_interval_bytes_) &&
      position > 0 && !offset_index_.full() && !time_index_.full()) {
    offset_index_.Append({.relative_offset = static_cast<uint32_t>(
                              batch.base_offset - base_.value()),
                          .position = static_cast<uint32_t>(position)});
    if (time_index_.empty() ||
        max_timestamp_ms_ > time_index_.back().timestamp_ms) {
      time_index_.Append({.timestamp_ms = max_timestamp_ms_,
                          .relative_offset = static_cast<uint32_t>(
                              offset_of_max_timestamp_ - base_.value())});
    }
    bytes_since_index_entry_ = 0;
  }
  bytes_since_index_entry_ += batch.size;
}

absl::Status Segment::WriteBatches(std::string_view bytes) {
  return file_->Append(bytes);
}

absl::Status Segment::CopyBatches(std::span<const LogSlice> slices) {
  for (const LogSlice& slice : slices) {
    ASSIGN_OR_RETURN(
        uint64_t copied,
        file_->AppendFrom(*slice.file, slice.position, slice.size));
    if (copied != slice.size) {
      return absl::DataLossError(
          absl::StrCat("copying into ", log_path_, ": the source ended after ",
                       copied, " of ", slice.size, " bytes"));
    }
  }
  return absl::OkStatus();
}

void Segment::PublishBatches(std::span<const BatchMeta> batches) {
  uint64_t position = size_;
  for (const BatchMeta& batch : batches) {
    IndexBatch(batch, position);
    position += batch.size;
  }
  size_ = position;
}

absl::Status Segment::ScanFrom(uint64_t position) {
  while (position < size_) {
    ASSIGN_OR_RETURN(StoredBatch batch, ReadBatchAt(position));
    if (batch.base_offset < next_offset_.value()) {
      return Corrupt(log_path_, position, "offsets go backwards");
    }
    TrackBatch(batch.last_offset, batch.max_timestamp_ms);
    position += batch.size;
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> Segment::Recover(const EpochVisitor& visit) {
  offset_index_.Clear();
  time_index_.Clear();
  next_offset_ = base_;
  max_timestamp_ms_ = -1;
  offset_of_max_timestamp_ = -1;
  first_batch_timestamp_ms_ = -1;
  bytes_since_index_entry_ = 0;

  uint64_t position = 0;  // start of the first batch not yet accepted
  // Accept indexes the next batch if its CRC is good and its offsets follow.
  auto accept = [&](const record::RecordBatchView& batch) {
    const record::RecordBatchHeader& h = batch.header();
    if (!batch.VerifyCrc().ok() || h.base_offset < next_offset_.value() ||
        !FitsOffset(h.last_offset())) {
      return false;
    }
    IndexBatch({.base_offset = h.base_offset,
                .last_offset = h.last_offset(),
                .max_timestamp_ms = h.max_timestamp,
                .size = static_cast<uint32_t>(h.total_size())},
               position);
    if (visit)
      visit(LeaderEpoch(h.partition_leader_epoch), Offset(h.base_offset));
    position += h.total_size();
    return true;
  };

  const uint64_t file_size = file_->Size();
  size_t want = kScanChunkBytes;
  std::string scratch;
  while (position < file_size) {
    const uint64_t start = position;
    scratch.resize(std::min<uint64_t>(want, file_size - start));
    ASSIGN_OR_RETURN(std::string_view chunk,
                     file_->ReadAt(start, scratch.size(), scratch.data()));
    record::BatchIterator it(chunk);
    bool bad = false;
    while (!bad && it.Next()) bad = !accept(it.batch());
    if (bad || !it.status().ok() || chunk.empty()) break;  // the log ends here
    want = kScanChunkBytes;
    if (!it.truncated_tail()) continue;
    if (start + chunk.size() >= file_size) break;  // a batch torn at the end
    if (position == start) {
      // One batch larger than a chunk: read it whole next round.
      want = rf::kLogOverhead + util::LoadBigEndian<int32_t>(
                                    chunk.data() + rf::kBatchLengthOffset);
    }
  }
  const uint64_t cut = file_size - position;
  if (cut > 0) RETURN_IF_ERROR(file_->Truncate(position));
  size_ = position;
  return cut;
}

uint64_t Segment::IndexedPosition(Offset target) const {
  const uint32_t relative =
      static_cast<uint32_t>(std::max<int64_t>(0, target - base_));
  ptrdiff_t i = offset_index_.Floor([relative](const OffsetIndexEntry& e) {
    return e.relative_offset <= relative;
  });
  return i < 0 ? 0 : offset_index_[i].position;
}

uint64_t Segment::ScanStart(Offset target) const {
  const uint64_t indexed = IndexedPosition(target);
  const uint64_t hint = read_hint_.load(std::memory_order_relaxed);
  const int64_t hint_offset = base_.value() + static_cast<int64_t>(hint >> 32);
  const uint64_t hint_position = hint & 0xffffffffu;
  if (hint != 0 && hint_offset <= target.value() && hint_position > indexed &&
      hint_position < size_) {
    return hint_position;
  }
  return indexed;
}

absl::StatusOr<std::optional<StoredBatch>> Segment::FindBatch(
    Offset target) const {
  if (target >= next_offset_) return std::nullopt;
  uint64_t position = ScanStart(target);
  while (position < size_) {
    ASSIGN_OR_RETURN(StoredBatch batch, ReadBatchAt(position));
    if (batch.last_offset >= target.value()) return batch;
    position += batch.size;
  }
  return std::nullopt;
}

absl::StatusOr<uint64_t> Segment::ReadEnd(uint64_t start, int64_t max_bytes,
                                          Offset max_offset,
                                          bool min_one_batch) const {
  const uint64_t limit =
      start + static_cast<uint64_t>(std::max<int64_t>(max_bytes, 0));
  // A tailing reader wants everything from `start` to the end, and it
  // fits: the end is known without reading a header.
  if (max_offset >= next_offset_ && size_ <= limit && size_ > start) {
    RememberReadEnd(next_offset_.value(), size_);
    return size_;
  }
  // Jump over whole batches with the index: entries are batch boundaries.
  uint64_t position = start;
  ptrdiff_t i = offset_index_.Floor([&](const OffsetIndexEntry& e) {
    return e.position <= limit &&
           base_.value() + static_cast<int64_t>(e.relative_offset) <
               max_offset.value();
  });
  if (i >= 0 && offset_index_[i].position > start) {
    position = offset_index_[i].position;
  }
  int64_t next = -1;  // offset of the batch at `position`, once known
  while (position < size_) {
    ASSIGN_OR_RETURN(StoredBatch batch, ReadBatchAt(position));
    if (batch.base_offset >= max_offset.value()) break;
    if (position + batch.size > limit &&
        !(min_one_batch && position == start)) {
      break;
    }
    position += batch.size;
    next = batch.last_offset + 1;
  }
  RememberReadEnd(next, position);
  return position;
}

void Segment::RememberReadEnd(int64_t next, uint64_t position) const {
  if (next > base_.value() && position <= 0xffffffffu) {
    read_hint_.store(
        static_cast<uint64_t>(next - base_.value()) << 32 | position,
        std::memory_order_relaxed);
  }
}

absl::StatusOr<std::optional<TimestampOffset>> Segment::FindOffsetByTimestamp(
    int64_t ts, Offset min_offset) const {
  if (max_timestamp_ms_ < ts) return std::nullopt;
  // Records before the last time entry below ts all have smaller timestamps.
  ptrdiff_t t = time_index_.Floor(
      [ts](const TimeIndexEntry& e) { return e.timestamp_ms < ts; });
  uint64_t position =
      t < 0 ? 0
            : IndexedPosition(
                  base_ + static_cast<int64_t>(time_index_[t].relative_offset));
  std::string scratch;
  while (position < size_) {
    ASSIGN_OR_RETURN(StoredBatch batch, ReadBatchAt(position));
    if (batch.max_timestamp_ms >= ts) {
      scratch.resize(batch.size);
      ASSIGN_OR_RETURN(std::string_view bytes,
                       file_->ReadAt(position, batch.size, scratch.data()));
      ASSIGN_OR_RETURN(record::RecordBatchView view,
                       record::RecordBatchView::Parse(bytes));
      ASSIGN_OR_RETURN(record::DecodedRecords records, view.DecodeRecords());
      for (const record::RecordView& r : records) {
        if (r.timestamp_ms >= ts && r.offset >= min_offset) {
          return TimestampOffset{.timestamp_ms = r.timestamp_ms,
                                 .offset = r.offset};
        }
      }
    }
    position += batch.size;
  }
  return std::nullopt;
}

absl::StatusOr<uint64_t> Segment::TruncateTo(Offset offset) {
  ASSIGN_OR_RETURN(std::optional<StoredBatch> first_cut, FindBatch(offset));
  if (!first_cut) return 0;
  const uint64_t position = first_cut->position;
  const uint64_t removed = size_ - position;
  RETURN_IF_ERROR(file_->Truncate(position));
  size_ = position;
  read_hint_.store(0, std::memory_order_relaxed);
  const uint32_t relative = static_cast<uint32_t>(offset - base_);
  offset_index_.TruncateToSize(
      offset_index_.Floor(
          [&](const OffsetIndexEntry& e) { return e.position < position; }) +
      1);
  time_index_.TruncateToSize(time_index_.Floor([&](const TimeIndexEntry& e) {
    return e.relative_offset < relative;
  }) + 1);
  // Recompute the tail state from the last indexed batch.
  next_offset_ = base_;
  max_timestamp_ms_ = -1;
  offset_of_max_timestamp_ = -1;
  if (!time_index_.empty()) {
    max_timestamp_ms_ = time_index_.back().timestamp_ms;
    offset_of_max_timestamp_ =
        base_.value() + time_index_.back().relative_offset;
  }
  const uint64_t from =
      offset_index_.empty() ? 0 : offset_index_.back().position;
  if (from == 0) first_batch_timestamp_ms_ = -1;
  RETURN_IF_ERROR(ScanFrom(from));
  bytes_since_index_entry_ = size_ - from;
  return removed;
}

int64_t Segment::rolling_base_ms() const {
  return first_batch_timestamp_ms_ >= 0 ? first_batch_timestamp_ms_
                                        : created_ms_;
}

absl::Status Segment::SealIndexes() {
  if (max_timestamp_ms_ >= 0 &&
      (time_index_.empty() ||
       max_timestamp_ms_ > time_index_.back().timestamp_ms) &&
      !time_index_.full()) {
    time_index_.Append({.timestamp_ms = max_timestamp_ms_,
                        .relative_offset = static_cast<uint32_t>(
                            offset_of_max_timestamp_ - base_.value())});
  }
  RETURN_IF_ERROR(offset_index_.Persist(fs_, /*sync=*/false));
  return time_index_.Persist(fs_, /*sync=*/false);
}

absl::Status Segment::Flush() {
  RETURN_IF_ERROR(file_->Sync());
  RETURN_IF_ERROR(offset_index_.Persist(fs_, /*sync=*/true));
  return time_index_.Persist(fs_, /*sync=*/true);
}

absl::StatusOr<int64_t> LastOffsetInFile(const io::File& file) {
  const uint64_t size = file.Size();
  uint64_t position = 0;
  int64_t last = -1;
  while (position < size) {
    absl::StatusOr<StoredBatch> batch = ReadStoredBatch(file, position, size);
    if (absl::IsDataLoss(batch.status())) break;  // a torn tail ends it
    if (!batch.ok()) return batch.status();
    last = batch->last_offset;
    position += batch->size;
  }
  return last;
}

absl::Status Segment::RemoveFiles() {
  RETURN_IF_ERROR(io::RemoveFileIfExists(fs_, log_path_));
  RETURN_IF_ERROR(offset_index_.Remove(fs_));
  return time_index_.Remove(fs_);
}

}  // namespace rill::log
