// On-disk format of a partition's idempotent-producer snapshots.
//
// Files, in the partition's log directory (beside the log's own files, which
// the log leaves alone: see lib/log/format.h)
// -------------------------------------------------------------------------
//   00000000000000001234.snapshot      producer state as of offset 1234
//   00000000000000001234.snapshot.tmp  a snapshot being written
//
// A snapshot is named by the log end offset it covers, zero-padded to 20
// digits as Kafka names its producer snapshots, so that a listing sorts them
// in offset order. It holds the state built from every batch below that
// offset; on open the partition loads the newest snapshot at or below the log
// end and replays the batch headers from there to the log end. At most two
// snapshots are kept; a corrupt one, or one past the log end (the log was
// truncated after it was written), is deleted and the next older one tried.
//
// Snapshots are written with io::WriteFileAtomically: "<name>.tmp" is written
// and fsynced, then renamed over "<name>". A crash leaves at most a ".tmp",
// which the log's loader deletes when the log opens (it removes every *.tmp
// in its directory) and Partition::Open deletes as well; nothing else in the
// directory ends in ".snapshot.tmp", and the partition writes snapshots only
// while its log is open, so the loader never races a write.
//
// Layout, all integers big-endian (as Kafka's formats):
//
//   offset  size  field
//        0     4  magic        "RLPS"
//        4     2  version      int16, currently 1
//        6     4  crc          CRC-32C of bytes [10, end)
//       10     8  offset       int64, the log end offset covered (= the name)
//       18     4  count        int32, number of producer entries
//       22     …  entries      `count` entries, back to back
//
//   entry:
//        0     8  producerId     int64
//        8     2  producerEpoch  int16
//       10     8  lastTimestamp  int64, maxTimestamp of its last batch
//       18     4  batchCount     int32, 0..5: its last batches, oldest first
//       22     …  batches        batchCount × 32 bytes:
//                   firstSequence int32, lastSequence int32,
//                   firstOffset int64, lastOffset int64, maxTimestamp int64
//
// The file ends right after the last entry; anything else (a short file,
// trailing bytes, a bad CRC, an unknown magic or version, a count of batches
// above 5) makes the snapshot corrupt.
#ifndef RILL_BROKER_FORMAT_H_
#define RILL_BROKER_FORMAT_H_

#include <cstddef>
#include <cstdint>

namespace rill::broker::format {

inline constexpr char kSnapshotSuffix[] = ".snapshot";
inline constexpr char kSnapshotTempSuffix[] = ".snapshot.tmp";
inline constexpr int kSnapshotNameDigits = 20;
// kSnapshotsKept is how many snapshots survive a new one.
inline constexpr int kSnapshotsKept = 2;

inline constexpr char kSnapshotMagic[4] = {'R', 'L', 'P', 'S'};
inline constexpr int16_t kSnapshotVersion = 1;

inline constexpr size_t kMagicOffset = 0;
inline constexpr size_t kVersionOffset = 4;
inline constexpr size_t kCrcOffset = 6;
inline constexpr size_t kCrcStart = 10;
inline constexpr size_t kSnapshotOffsetOffset = 10;
inline constexpr size_t kCountOffset = 18;
inline constexpr size_t kHeaderSize = 22;

inline constexpr size_t kEntryHeaderSize = 22;
inline constexpr size_t kBatchSize = 32;

// kMaxCachedBatches is how many of a producer's latest batches are kept for
// duplicate detection (Kafka's NUM_BATCHES_TO_RETAIN, which its producers
// match with max.in.flight.requests.per.connection <= 5).
inline constexpr int kMaxCachedBatches = 5;

}  // namespace rill::broker::format

#endif  // RILL_BROKER_FORMAT_H_
