// record/format.h — the layout of Kafka's RecordBatch v2 ("magic 2"), the
// format rill stores on disk and sends on the wire unchanged.
//
// A batch is a fixed 61-byte header followed by its records. All integers in
// the header are big-endian:
//
//   offset  size  field
//        0     8  baseOffset            offset of the first record; producers
//                                       send 0 and the broker assigns it
//        8     4  batchLength           bytes that follow this field, so the
//                                       whole batch is 12 + batchLength
//       12     4  partitionLeaderEpoch  written by the leader that appended it
//       16     1  magic                 always 2 for this format
//       17     4  crc                   CRC-32C of bytes [21, end)
//       21     2  attributes            see the bits below
//       23     4  lastOffsetDelta       last record's offset - baseOffset
//       27     8  baseTimestamp         first record's timestamp
//       35     8  maxTimestamp          largest record timestamp, or the
//                                       append time for LogAppendTime batches
//       43     8  producerId            -1 when not idempotent
//       51     2  producerEpoch         -1 when not idempotent
//       53     4  baseSequence          -1 when not idempotent
//       57     4  recordsCount          number of records that follow
//       61     …  records               compressed as one blob if a codec is
//       set
//
// The CRC starts at the attributes, so the two fields a broker rewrites on
// append — baseOffset and partitionLeaderEpoch — sit outside it and can be
// changed without re-checksumming (or decompressing) the batch. magic sits
// before the CRC too, because a reader must know the format before it knows
// where the CRC is.
//
// attributes (int16):
//   bits 0-2  compression codec: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd
//             (5-7 are undefined and rejected when decoding)
//   bit  3    timestamp type: 0 CreateTime, 1 LogAppendTime
//   bit  4    transactional
//   bit  5    control batch (transaction markers written by the coordinator)
//   bits 6-15 unused, written as 0
//
// Each record (uncompressed, or after decompressing the records section) is:
//
//   length          varint  bytes after this field
//   attributes      int8    unused, 0
//   timestampDelta  varlong record timestamp - baseTimestamp
//   offsetDelta     varint  record offset - baseOffset
//   keyLength       varint  -1 for a null key
//   key             bytes
//   valueLength     varint  -1 for a null value
//   value           bytes
//   headerCount     varint
//   headers         headerCount × (keyLength varint ≥ 0, key bytes,
//                                  valueLength varint or -1, value bytes)
//
// varint/varlong are zigzag-encoded LEB128 (see util/varint.h). Records are
// packed back to back with no padding; the records section must hold exactly
// recordsCount records and nothing after them.
//
// A control record's key is (version int16, type int16: 0 abort, 1 commit)
// and its value is (version int16, coordinatorEpoch int32), big-endian.
#ifndef RILL_RECORD_FORMAT_H_
#define RILL_RECORD_FORMAT_H_

#include <cstddef>
#include <cstdint>

namespace rill::record::format {

// Field offsets from the start of a batch.
inline constexpr size_t kBaseOffsetOffset = 0;
inline constexpr size_t kBatchLengthOffset = 8;
inline constexpr size_t kPartitionLeaderEpochOffset = 12;
inline constexpr size_t kMagicOffset = 16;
inline constexpr size_t kCrcOffset = 17;
inline constexpr size_t kAttributesOffset = 21;
inline constexpr size_t kLastOffsetDeltaOffset = 23;
inline constexpr size_t kBaseTimestampOffset = 27;
inline constexpr size_t kMaxTimestampOffset = 35;
inline constexpr size_t kProducerIdOffset = 43;
inline constexpr size_t kProducerEpochOffset = 51;
inline constexpr size_t kBaseSequenceOffset = 53;
inline constexpr size_t kRecordsCountOffset = 57;
inline constexpr size_t kRecordsOffset = 61;

// kHeaderSize is the fixed part of a batch, before the records.
inline constexpr size_t kHeaderSize = kRecordsOffset;
// kLogOverhead is baseOffset + batchLength: the bytes batchLength excludes.
inline constexpr size_t kLogOverhead = kPartitionLeaderEpochOffset;
// kMinBatchLength is the smallest valid batchLength (a header, no records).
inline constexpr int32_t kMinBatchLength =
    static_cast<int32_t>(kHeaderSize - kLogOverhead);
// kCrcStart is where the checksummed bytes begin.
inline constexpr size_t kCrcStart = kAttributesOffset;

inline constexpr int8_t kMagic = 2;

// Attribute bits.
inline constexpr int16_t kCompressionMask = 0x07;
inline constexpr int16_t kTimestampTypeBit = 0x08;
inline constexpr int16_t kTransactionalBit = 0x10;
inline constexpr int16_t kControlBit = 0x20;
// kMaxKnownCodec is the highest codec id in use (zstd).
inline constexpr int16_t kMaxKnownCodec = 4;

// kMinRecordSize is the smallest possible encoded record: a one-byte length
// and six one-byte fields (attributes, timestampDelta, offsetDelta, key and
// value lengths, header count). Used to reject absurd record counts before
// allocating for them.
inline constexpr size_t kMinRecordSize = 7;
// kMinHeaderSize is the smallest encoded header (two one-byte lengths).
inline constexpr size_t kMinHeaderSize = 2;

// Control record layout.
inline constexpr int16_t kControlRecordVersion = 0;
inline constexpr size_t kControlKeySize = 4;    // version + type
inline constexpr size_t kControlValueSize = 6;  // version + coordinator epoch

}  // namespace rill::record::format

#endif  // RILL_RECORD_FORMAT_H_
