// On-disk format of a partition log (one directory per partition).
//
// Files in the directory
// ----------------------
//   00000000000000000000.log        segment: record batches, back to back
//   00000000000000000000.index      offset index of that segment
//   00000000000000000000.timeindex  time index of that segment
//   00000000000000001234.log ...    next segment, named by its base offset
//   checkpoint                      recovery point and log start offset
//   leader-epoch-checkpoint         where each leader epoch begins
//   .clean-shutdown                 present only between Close() and Open()
//   <base>.log.cleaned              compaction output being written
//   <base>.log.swap                 compaction output complete, being swapped
//   in
//
// Segment names are the segment's base offset, zero-padded to 20 digits, as
// in Kafka, so a directory listing sorts them in offset order.
//
// .log: Kafka RecordBatch v2 batches exactly as produced (see
// record/format.h), with baseOffset and partitionLeaderEpoch set by the log.
// Nothing else: no per-segment header, so a segment can be sent with
// sendfile(2) as it is.
//
// .index: a sparse offset index, entries of 8 bytes, big-endian:
//   relative offset  uint32  (batch base offset - segment base offset)
//   position         uint32  (byte position of that batch in the .log)
// One entry every index.interval.bytes of batches; entries strictly increase
// in both fields. A prefix of the entries is still a valid (sparser) index, so
// a torn index file is repaired by dropping its partial last entry.
//
// .timeindex: entries of 12 bytes, big-endian:
//   timestamp        int64   (largest timestamp up to and including the batch)
//   relative offset  uint32  (offset of the record with that timestamp)
// Appended beside offset index entries when the largest timestamp grew, and
// once more when a segment stops being active; timestamps strictly increase.
//
// checkpoint: one line of text, rewritten atomically (write, fsync, rename):
//   "rill-checkpoint 1 <recovery point> <log start offset> <crc32c>\n"
// where the CRC-32C covers the text before it. Every offset below the
// recovery point is fsynced; segments wholly below it are trusted on open.
//
// leader-epoch-checkpoint: Kafka's file of the same name, text, rewritten
// atomically whenever the leader epochs change:
//   "0\n"                      version
//   "<n>\n"                    number of entries
//   "<epoch> <start offset>\n" n times, both strictly increasing
// An entry says the leader of that epoch wrote the log from that offset. The
// entry of a new epoch is written before its first batch, so the file never
// lacks an epoch the log holds; after a crash, entries at or past the
// recovered log end are dropped. A missing or malformed file is rebuilt
// from the batches' partitionLeaderEpoch; emptying the log
// (TruncateFullyAndStartAt) removes the file first, so a crash midway
// rebuilds from whatever batches are left.
//
// Recovery: without the clean-shutdown marker, Open scans every segment that
// holds offsets at or above the recovery point, checking each batch's length,
// CRC and offset order, truncates the segment at the first bad or partial
// batch, deletes any later segment, and rebuilds the scanned segments'
// indexes. Compaction leftovers: a .cleaned file is deleted (the swap never
// started); a .swap file is complete, so the segments it replaces are
// deleted and it is renamed into place.
#ifndef RILL_LOG_FORMAT_H_
#define RILL_LOG_FORMAT_H_

#include <cstdint>
#include <string_view>

namespace rill::log {

inline constexpr char kLogFileSuffix[] = ".log";
inline constexpr char kOffsetIndexSuffix[] = ".index";
inline constexpr char kTimeIndexSuffix[] = ".timeindex";
inline constexpr char kCleanedSuffix[] = ".cleaned";
inline constexpr char kSwapSuffix[] = ".swap";
inline constexpr char kCheckpointFile[] = "checkpoint";
inline constexpr char kCleanShutdownFile[] = ".clean-shutdown";
inline constexpr char kCheckpointMagic[] = "rill-checkpoint";
inline constexpr int kCheckpointVersion = 1;
inline constexpr char kLeaderEpochCheckpointFile[] = "leader-epoch-checkpoint";
inline constexpr int kLeaderEpochCheckpointVersion = 0;

inline constexpr int kSegmentNameDigits = 20;
inline constexpr int kOffsetIndexEntrySize = 8;
inline constexpr int kTimeIndexEntrySize = 12;

}  // namespace rill::log

#endif  // RILL_LOG_FORMAT_H_
