// Segment: one .log file of record batches and its offset and time indexes.
#ifndef RILL_LOG_SEGMENT_H_
#define RILL_LOG_SEGMENT_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "log/index_entry.h"
#include "log/sparse_index.h"
#include "rill/io/file_system.h"
#include "rill/log/log.h"
#include "rill/log/log_config.h"
#include "rill/types.h"

namespace rill::log {

// BatchMeta is what the segment needs to know of a batch it appends.
struct BatchMeta {
  int64_t base_offset;
  int64_t last_offset;
  int64_t max_timestamp_ms;
  uint32_t size;
};

// StoredBatch is the part of a stored batch's header that the log reads
// without decoding the batch.
struct StoredBatch {
  int64_t base_offset;
  int64_t last_offset;
  int64_t max_timestamp_ms;
  uint64_t position;
  uint32_t size;
  int32_t leader_epoch;  // partitionLeaderEpoch, -1 for none
};

// EpochVisitor is told the leader epoch and base offset of each batch a scan
// walks, in order.
using EpochVisitor = std::function<void(LeaderEpoch epoch, Offset base)>;

// Segment: owned by its Log (shared with readers only through LogSlice's file
// handle). Not thread-safe: the Log serializes mutations and lets reads run
// concurrently only with each other.
class Segment {
 public:
  // Create makes a new, empty segment at `base` in `dir`.
  static absl::StatusOr<std::unique_ptr<Segment>> Create(
      io::FileSystem& fs, const std::string& dir, Offset base,
      const LogConfig& config, int64_t now_ms);

  // Open opens an existing segment. With `trust_indexes`, the index files
  // are loaded and only the batches after the last indexed one are read;
  // otherwise call Recover() to scan and rebuild.
  static absl::StatusOr<std::unique_ptr<Segment>> Open(
      io::FileSystem& fs, const std::string& dir, Offset base,
      const LogConfig& config, int64_t now_ms, bool trust_indexes);

  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  // Recover scans every batch (length, CRC, offset order), rebuilds the
  // indexes, and truncates the file at the first bad or partial batch.
  // Returns the number of bytes cut off. `visit`, if set, is told of every
  // batch kept.
  absl::StatusOr<uint64_t> Recover(const EpochVisitor& visit = nullptr);

  // Appending is two steps, so that the log can write without holding off
  // its readers: Write or Copy puts the bytes at the end of the file, where
  // no reader looks (reads stop at size()), and Publish then counts them
  // in. The caller serializes appends and cuts off a failed step's bytes.
  //
  // WriteBatches writes `bytes` (whole batches) at the end of the file.
  absl::Status WriteBatches(std::string_view bytes);
  // CopyBatches writes batches that lie in other files (another log's
  // segments in this process), copied file to file. kDataLoss if a slice
  // ends early (its file was cut since it was read).
  absl::Status CopyBatches(std::span<const LogSlice> slices);
  // PublishBatches counts in `batches`, just written back to back at the
  // end: size, next offset, timestamps, index entries.
  void PublishBatches(std::span<const BatchMeta> batches);

  // FindBatch returns the first batch whose last offset is >= `target`, or
  // nullopt if no batch in this segment reaches it.
  absl::StatusOr<std::optional<StoredBatch>> FindBatch(Offset target) const;

  // ReadEnd returns the end position of the run of whole batches that starts
  // at `start` (a batch boundary), stays within `max_bytes` (but takes the
  // first batch regardless if `min_one_batch`), and holds only batches whose
  // base offset is below `max_offset`.
  absl::StatusOr<uint64_t> ReadEnd(uint64_t start, int64_t max_bytes,
                                   Offset max_offset, bool min_one_batch) const;

  // FindOffsetByTimestamp returns the first record at or after `min_offset`
  // with timestamp >= ts.
  absl::StatusOr<std::optional<TimestampOffset>> FindOffsetByTimestamp(
      int64_t ts, Offset min_offset) const;

  // TruncateTo removes every batch whose last offset is >= `offset`.
  // Returns the number of bytes removed.
  absl::StatusOr<uint64_t> TruncateTo(Offset offset);

  // Flush fsyncs the .log file and writes and fsyncs both indexes.
  absl::Status Flush();
  // SealIndexes records the segment's largest timestamp in the time index
  // (when it becomes inactive) and writes both indexes without fsync.
  absl::Status SealIndexes();
  // RemoveFiles deletes the segment's three files.
  absl::Status RemoveFiles();

  // ReadBatchAt reads the header of the stored batch at `position`.
  absl::StatusOr<StoredBatch> ReadBatchAt(uint64_t position) const;

  Offset base_offset() const { return base_; }
  // next_offset is one past the last offset stored (base if empty).
  Offset next_offset() const { return next_offset_; }
  uint64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t max_timestamp_ms() const { return max_timestamp_ms_; }
  // rolling_base_ms is when segment.ms starts counting: the first batch's
  // largest timestamp, or the segment's creation if it has none.
  int64_t rolling_base_ms() const;
  bool IndexFull() const { return offset_index_.full() || time_index_.full(); }
  // Fits tells whether a batch ending at `last_offset` can be indexed here
  // (relative offsets are 32-bit).
  bool FitsOffset(int64_t last_offset) const {
    return last_offset - base_.value() <= std::numeric_limits<int32_t>::max();
  }
  const std::shared_ptr<io::File>& file() const { return file_; }
  const std::string& log_path() const { return log_path_; }

 private:
  Segment(io::FileSystem& fs, std::string dir, Offset base,
          const LogConfig& config, int64_t now_ms,
          std::shared_ptr<io::File> file);

  // TrackBatch notes a batch in the segment's first and largest timestamps
  // and its next offset.
  void TrackBatch(int64_t last_offset, int64_t max_timestamp_ms);
  // IndexBatch tracks a batch appended at `position` and adds index entries
  // every index.interval.bytes.
  void IndexBatch(const BatchMeta& batch, uint64_t position);
  // ScanFrom walks stored batch headers from `position` to the end of the
  // file, updating next offset and largest timestamp. kDataLoss if a header
  // is inconsistent.
  absl::Status ScanFrom(uint64_t position);
  // IndexedPosition returns the byte position to start scanning for
  // `target`: the last offset index entry at or before it.
  uint64_t IndexedPosition(Offset target) const;

  io::FileSystem& fs_;
  const std::string dir_;
  const Offset base_;
  const std::string log_path_;
  const int32_t index_interval_bytes_;
  const int64_t created_ms_;
  std::shared_ptr<io::File> file_;
  SparseIndex<OffsetIndexEntry> offset_index_;
  SparseIndex<TimeIndexEntry> time_index_;

  uint64_t size_ = 0;
  Offset next_offset_;
  int64_t max_timestamp_ms_ = -1;
  int64_t offset_of_max_timestamp_ = -1;
  int64_t first_batch_timestamp_ms_ = -1;
  uint64_t bytes_since_index_entry_ = 0;
  // Where the last read ended: (relative offset << 32 | position) of a
  // batch boundary, 0 for none. A consumer at the tail fetches exactly
  // there next, and finds its batch without walking headers from the last
  // index entry (one pread each). Atomic: reads run concurrently.
  mutable std::atomic<uint64_t> read_hint_{0};
  // ScanStart is where to start walking headers to find `target`.
  uint64_t ScanStart(Offset target) const;
  // RememberReadEnd sets the read hint to the boundary where a read ended:
  // `position`, where the batch with offset `next` starts.
  void RememberReadEnd(int64_t next, uint64_t position) const;
};

// ReadStoredBatch reads the header of the batch at `position` of a segment
// file whose first `limit` bytes hold batches. kDataLoss if it is not whole.
absl::StatusOr<StoredBatch> ReadStoredBatch(const io::File& file,
                                            uint64_t position, uint64_t limit);

// RemoveSegmentFiles deletes the files of the segment at `base` by name
// (missing ones are fine); with `keep_log` the .log stays, because a swap is
// about to replace it.
absl::Status RemoveSegmentFiles(io::FileSystem& fs, const std::string& dir,
                                Offset base, bool keep_log = false);

// LastOffsetInFile walks the batch headers of a segment file and returns
// the last offset it holds, or -1 if it holds no batch.
absl::StatusOr<int64_t> LastOffsetInFile(const io::File& file);

// SegmentFileName gives "<20-digit base><suffix>".
std::string SegmentFileName(Offset base, std::string_view suffix);
// ParseSegmentFileName returns the base offset of a name ending in `suffix`,
// or nullopt.
std::optional<Offset> ParseSegmentFileName(std::string_view name,
                                           std::string_view suffix);

}  // namespace rill::log

#endif  // RILL_LOG_SEGMENT_H_
