// rill/log/log.h — one partition's durable, segmented commit log.
//
// The log stores Kafka RecordBatch v2 bytes exactly as producers sent them;
// appending assigns offsets by rewriting only baseOffset and
// partitionLeaderEpoch. Reads return whole batches as views of the stored
// bytes (no re-encoding). Usable on its own as an embedded journal:
//
//   ASSIGN_OR_RETURN(std::unique_ptr<rill::Log> log,
//                    rill::Log::Open({.dir = "/data/orders-0"}));
//   ASSIGN_OR_RETURN(rill::AppendInfo info, log->Append(batch_bytes));
//   ASSIGN_OR_RETURN(rill::LogReadResult read,
//                    log->Read(rill::Offset(0), {.max_bytes = 1 << 20}));
//   ASSIGN_OR_RETURN(std::string bytes, read.ReadAll());
//   RETURN_IF_ERROR(log->Close());
//
// On disk (see lib/log/format.h): Kafka-style segment files
// 00000000000000000000.log/.index/.timeindex, a checkpoint file holding the
// recovery point and log start offset, Kafka's leader-epoch-checkpoint, and
// a clean-shutdown marker written by Close(). Open() after an unclean shutdown
// scans every segment from the recovery point, verifies each batch's CRC,
// truncates a torn or corrupt tail and rebuilds indexes.
#ifndef RILL_LOG_LOG_H_
#define RILL_LOG_LOG_H_

#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rill/clock.h"
#include "rill/io/file_system.h"
#include "rill/log/log_config.h"
#include "rill/record/record_batch.h"
#include "rill/types.h"

namespace rill {

// LogOptions open a Log.
struct LogOptions {
  // Directory holding this log's files; created if missing. Required.
  std::string dir = {};
  // Configuration (Kafka topic config names). Default: Kafka's defaults.
  LogConfig config = {};
  // Storage. Default: the POSIX file system.
  std::shared_ptr<io::FileSystem> fs = nullptr;
  // Time source for rolls, retention and flush.ms. Default: system clock.
  std::shared_ptr<Clock> clock = nullptr;
};

// AppendOptions tune one Append.
struct AppendOptions {
  // Written into every batch's partitionLeaderEpoch when assigning offsets.
  // Default: -1 (no leader epoch).
  LeaderEpoch leader_epoch = LeaderEpoch(-1);
  // true: a leader's append, offsets assigned from the log end.
  // false: a follower's append, the batches keep their base offsets, which
  // must continue the log (first base offset >= log end). Default: true.
  bool assign_offsets = true;
  // true: the caller has already checked every batch's CRC over these very
  // bytes (a broker validates a produce request, or a follower a fetched
  // range, before appending), so the log does not read them a second time.
  // Default: false.
  bool crc_verified = false;
};

// AppendInfo describes what an Append wrote.
struct AppendInfo {
  Offset first_offset = Offset(-1);  // base offset of the first batch
  Offset last_offset;                // last offset of the last batch
  int64_t max_timestamp_ms = -1;
  Offset offset_of_max_timestamp;
  // The broker time stamped on LogAppendTime batches; -1 for CreateTime.
  int64_t log_append_time_ms = -1;
  int32_t batch_count = 0;
  int64_t record_count = 0;
  int64_t bytes = 0;
};

// LogSlice is a byte range of one segment file, holding the file open so the
// bytes stay readable after the segment is deleted by retention.
struct LogSlice {
  std::shared_ptr<const io::File> file;
  uint64_t position = 0;
  uint64_t size = 0;
};

// LogReadResult is the answer to a Read: whole batches in offset order.
struct LogReadResult {
  // The stored bytes, as ranges of segment files (at most one segment).
  std::vector<LogSlice> slices;
  // Total size of `slices`.
  uint64_t size_bytes = 0;
  // The log's bounds when the read was served.
  Offset log_start_offset;
  Offset log_end_offset;
  // The log's count of cuts (truncations and resets, which rewrite bytes
  // at positions slices may name), shared with the log, and its value when
  // the read was served. Null for results not from a log.
  std::shared_ptr<const std::atomic<uint64_t>> cuts = nullptr;
  uint64_t cuts_at_read = 0;

  // ReadAll copies the bytes of every slice into one string (for in-process
  // consumers and tests; the network path sends the slices as they are).
  absl::StatusOr<std::string> ReadAll() const;
  // ReadHeaders reads the header of every batch in the slices, and nothing
  // of their bodies. kDataLoss if the slices no longer hold whole batches.
  absl::StatusOr<std::vector<record::RecordBatchHeader>> ReadHeaders() const;
  // Uncut is whether the log has not been cut since the read: until then
  // the slices' files hold, at those positions, the bytes they held then.
  bool Uncut() const { return cuts == nullptr || cuts->load() == cuts_at_read; }
};

// ReadOptions bound a Read.
struct ReadOptions {
  // Upper bound on bytes returned, except that the first whole batch is
  // always returned when `min_one_batch` is set (Kafka's KIP-74).
  // Default: 1 MiB.
  int64_t max_bytes = 1 << 20;
  // Only batches whose base offset is below this are returned (a partition
  // passes its high watermark). Default: the log end.
  Offset max_offset = Offset(std::numeric_limits<int64_t>::max());
  // Return the first batch even if it is larger than max_bytes.
  // Default: true.
  bool min_one_batch = true;
};

// TimestampOffset is a (timestamp, offset) answer to a time lookup.
struct TimestampOffset {
  int64_t timestamp_ms;
  Offset offset;
};

// EpochEndOffset answers OffsetForLeaderEpoch: the largest leader epoch the
// log knows at or below the one asked for, and where that epoch ends (the
// first offset written under a later epoch, or the log end for the latest).
// Both -1 (Kafka's UNDEFINED_EPOCH / UNDEFINED_EPOCH_OFFSET) when the log
// knows no such epoch.
struct EpochEndOffset {
  LeaderEpoch epoch = LeaderEpoch(-1);
  Offset end_offset = Offset(-1);
  friend bool operator==(const EpochEndOffset&,
                         const EpochEndOffset&) = default;
};

// CompactionStats says what one compaction pass did.
struct CompactionStats {
  int segments_cleaned = 0;
  int64_t bytes_read = 0;
  int64_t bytes_written = 0;
  int64_t records_read = 0;
  int64_t records_removed = 0;
  int64_t tombstones_removed = 0;
};

// Log is one partition's commit log. Owned by its opener (a LogManager or an
// embedder). Thread-safe: any call from any thread; reads run concurrently
// with each other, mutations are serialized. After Close() only destruction
// is allowed.
class Log {
 public:
  // Open opens (recovering if needed) or creates the log in options.dir.
  static absl::StatusOr<std::unique_ptr<Log>> Open(LogOptions options);

  virtual ~Log() = default;

  // Append validates and appends one or more concatenated batches: each
  // must be a whole magic-2 batch with a good CRC, a record count that
  // matches lastOffsetDelta + 1 (follower appends may carry compacted
  // batches) and at most max.message.bytes. The batches are rewritten in
  // place (baseOffset, partitionLeaderEpoch, and for LogAppendTime topics the
  // timestamp and CRC) and written without another copy. Nothing is written
  // unless every batch is valid. kInvalidArgument for bad input, kDataLoss
  // for a bad CRC, kOutOfRange for a batch over max.message.bytes,
  // kFailedPrecondition for a follower append that does not continue the log.
  virtual absl::StatusOr<AppendInfo> Append(std::span<char> batches,
                                            const AppendOptions& options) = 0;
  // Append (string_view) copies the batches first; for callers that cannot
  // hand over a mutable buffer.
  absl::StatusOr<AppendInfo> Append(std::string_view batches,
                                    const AppendOptions& options) {
    std::string copy(batches);
    return Append(std::span<char>(copy.data(), copy.size()), options);
  }
  absl::StatusOr<AppendInfo> Append(std::string_view batches) {
    return Append(batches, AppendOptions{});
  }

  // AppendFrom is a follower's Append of batches another log in this
  // process holds (`source`, from its Read): the bytes go file to file
  // (io::File::AppendFrom), and only their headers are read here. The
  // source log checked their CRCs when it took them, so `options` must say
  // crc_verified and not assign_offsets (kInvalidArgument otherwise). If the
  // source log is cut while its bytes are copied, nothing is appended:
  // kDataLoss. Otherwise as Append.
  virtual absl::StatusOr<AppendInfo> AppendFrom(
      const LogReadResult& source, const AppendOptions& options) = 0;

  // Read returns the batches from the one containing `offset` onwards, up to
  // the bounds in `options`. `offset` == log end gives an empty result;
  // outside [log start, log end] is kOutOfRange.
  virtual absl::StatusOr<LogReadResult> Read(Offset offset,
                                             const ReadOptions& options) = 0;

  // FindOffsetByTimestamp returns the first record whose timestamp is
  // >= timestamp_ms (Kafka's ListOffsets by time), or nullopt if none.
  virtual absl::StatusOr<std::optional<TimestampOffset>> FindOffsetByTimestamp(
      int64_t timestamp_ms) = 0;

  // Bounds: [log_start_offset, log_end_offset). All offsets below
  // recovery_point are flushed to stable storage.
  virtual Offset log_start_offset() const = 0;
  virtual Offset log_end_offset() const = 0;
  virtual Offset recovery_point() const = 0;
  // size_bytes is the total size of all segments.
  virtual int64_t size_bytes() const = 0;
  virtual int num_segments() const = 0;
  virtual const std::string& dir() const = 0;
  virtual LogConfig config() const = 0;

  // Leader epochs (Kafka's leader-epoch cache, kept in the file
  // leader-epoch-checkpoint): the log records where each epoch's batches
  // begin, from AppendOptions.leader_epoch on leader appends and from each
  // batch's partitionLeaderEpoch on follower appends.
  //
  // latest_epoch is the epoch of the newest batch that carried one.
  virtual std::optional<LeaderEpoch> latest_epoch() const = 0;
  // EndOffsetForEpoch answers OffsetForLeaderEpoch (KIP-101, KIP-279): for
  // the latest epoch, the log end; for an older one, the largest known epoch
  // <= it and the start of the next known epoch; below the earliest known
  // epoch, the epoch asked for and the earliest one's start (Kafka's answer,
  // so a follower truncates to where this log's history begins); otherwise
  // undefined (-1, -1).
  virtual EpochEndOffset EndOffsetForEpoch(LeaderEpoch epoch) const = 0;

  // Flush fsyncs everything appended so far and advances the recovery point.
  virtual absl::Status Flush() = 0;
  // FlushIfDue flushes when flush.ms has passed since the oldest unflushed
  // append (the LogManager calls it periodically).
  virtual absl::Status FlushIfDue() = 0;
  // Roll starts a new active segment at the log end (if the active one is
  // not empty).
  virtual absl::Status Roll() = 0;
  // RollIfDue rolls when segment.ms has passed.
  virtual absl::Status RollIfDue() = 0;

  // EnforceRetention deletes whole segments that are beyond retention.ms or
  // retention.bytes (with cleanup.policy=delete) or wholly below the log start
  // offset; returns how many it deleted.
  virtual absl::StatusOr<int> EnforceRetention() = 0;
  // AdvanceLogStartOffset moves the log start forward (DeleteRecords);
  // records below it are no longer readable. Durable when it returns.
  // kOutOfRange if beyond the log end.
  virtual absl::Status AdvanceLogStartOffset(Offset offset) = 0;
  // TruncateTo removes every batch whose last offset is >= `offset`, so the
  // log end becomes <= offset (replication's divergent-tail truncation), and
  // forgets the leader epochs that began at or after the new end.
  virtual absl::Status TruncateTo(Offset offset) = 0;
  // TruncateFullyAndStartAt empties the log and its leader epochs and
  // restarts it at `offset`.
  virtual absl::Status TruncateFullyAndStartAt(Offset offset) = 0;

  // Compact runs one compaction pass over the inactive segments when
  // cleanup.policy includes compact (otherwise does nothing). `force` skips
  // the min.cleanable.dirty.ratio check.
  virtual absl::StatusOr<CompactionStats> Compact(bool force) = 0;

  // UpdateConfig applies a new configuration to the open log.
  virtual absl::Status UpdateConfig(const LogConfig& config) = 0;

  // Close flushes, writes indexes and checkpoints, and leaves a
  // clean-shutdown marker so the next Open skips recovery.
  virtual absl::Status Close() = 0;
};

}  // namespace rill

#endif  // RILL_LOG_LOG_H_
