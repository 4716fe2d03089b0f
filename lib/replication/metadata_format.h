// On-disk format of the durable metadata store (one directory, see
// OpenDurableMetadataStore in rill/replication/metadata_store.h).
//
// Files in the directory
// ----------------------
//   metadata.log        the batches committed since the snapshot, as frames
//   metadata.snapshot   the whole image at some version, as one frame
//   *.tmp               a snapshot or a fresh log being written; ignored
//
// Frame (both files): a header of 8 bytes, big-endian, then the payload:
//   length    uint32  (bytes of payload, at least 1)
//   crc       uint32  (CRC-32C of the payload)
//   payload   `length` bytes
//
// Payload of a log frame (one committed batch) and of the snapshot frame:
//   format    uint8   (kMetadataFormatVersion)
//   version   varint  (zigzag int64) log: the image version the batch was
//                     committed against; snapshot: the image's version
//   count     uvarint number of records
//   records   `count` records
// A snapshot's records are ClusterImage::SnapshotRecords(): a
// RegisterBrokerRecord per broker and a CreateTopicRecord per topic, which
// replayed from the empty image and stamped with the version rebuild it.
//
// Record: a tag byte (RecordTag) then its fields in declaration order.
//   NodeId, PartitionId, LeaderEpoch, int32   varint (zigzag)
//   int64                                     varint (zigzag)
//   bool                                      uint8, 0 or 1
//   string                                    uvarint length, then bytes
//   Uuid                                      16 bytes
//   vector<T>                                 uvarint count, then each T
//   map<string, string>                       uvarint count, then key,
//                                             value; keys distinct
//   BrokerEndpoint   listener_name, host, port
//   PartitionState   replicas, isr, leader, leader_epoch, partition_epoch
//   TopicState       name, id, internal, configs, partitions
//
// Writing: Commit appends the batch's frame to metadata.log and syncs it
// before it returns. Once the log is past snapshot_every_bytes, the commit
// then writes metadata.snapshot atomically (write .tmp, sync, rename, sync
// the directory) and only after that replaces metadata.log by an empty file
// the same way, so a crash leaves either the old snapshot with the whole old
// log, the new snapshot with the old log (whose batches it already holds),
// or the new snapshot with the new log.
//
// Opening: the snapshot (if any) is read, then every log frame in order; a
// frame that ends at or below the image's version is skipped (the old log
// after a crash mid-rollover), every other must start exactly at it. A bad
// frame (short header, length past the end, CRC mismatch) is a torn write
// when no good frame follows it anywhere in the file: it and what follows
// are truncated away. With a good frame after it, it is corruption and the
// store refuses to open (kDataLoss) rather than drop committed metadata. A
// log missing beside a snapshot, an unreadable snapshot, a gap between
// versions or a batch that does not apply are kDataLoss too.
#ifndef RILL_REPLICATION_METADATA_FORMAT_H_
#define RILL_REPLICATION_METADATA_FORMAT_H_

#include <cstddef>
#include <cstdint>

namespace rill::replication::internal {

inline constexpr char kMetadataLogFile[] = "metadata.log";
inline constexpr char kMetadataSnapshotFile[] = "metadata.snapshot";
inline constexpr char kMetadataTmpSuffix[] = ".tmp";

inline constexpr size_t kFrameHeaderBytes = 8;
inline constexpr uint8_t kMetadataFormatVersion = 1;

// RecordTag names each MetadataRecord type on disk. Never renumber.
enum class RecordTag : uint8_t {
  kRegisterBroker = 1,
  kFenceBroker = 2,
  kUnfenceBroker = 3,
  kUnregisterBroker = 4,
  kCreateTopic = 5,
  kDeleteTopic = 6,
  kAddPartitions = 7,
  kChangePartition = 8,
  kChangeTopicConfig = 9,
};

}  // namespace rill::replication::internal

#endif  // RILL_REPLICATION_METADATA_FORMAT_H_
