// rill/record/record_batch.h — Kafka's RecordBatch v2, read and written
// byte-exact.
//
// A batch is stored and sent exactly as the producer encoded it; the broker
// only rewrites baseOffset and partitionLeaderEpoch (both outside the CRC).
// The layout is in record/format.h and ../shared/docs/KAFKA-PROTOCOL.md.
//
// Build a batch:
//
//   record::RecordBatchBuilder builder({.compression = Compression::kLz4});
//   builder.Append({.timestamp_ms = now, .key = "k", .value = "v"});
//   ASSIGN_OR_RETURN(std::string batch, builder.Build());
//
// Read batches (e.g. a log read or a produce request's records):
//
//   record::BatchIterator it(bytes);
//   while (it.Next()) {
//     const record::RecordBatchView& batch = it.batch();
//     RETURN_IF_ERROR(batch.VerifyCrc());
//     ASSIGN_OR_RETURN(record::DecodedRecords records, batch.DecodeRecords());
//     for (const record::RecordView& r : records) { ... r.key ... }
//   }
//   RETURN_IF_ERROR(it.status());   // kDataLoss: corrupt; see truncated_tail()
#ifndef RILL_RECORD_RECORD_BATCH_H_
#define RILL_RECORD_RECORD_BATCH_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rill/types.h"

namespace rill::record {

// Compression is the codec in attributes bits 0-2.
enum class Compression : int8_t {
  kNone = 0,
  kGzip = 1,
  kSnappy = 2,
  kLz4 = 3,
  kZstd = 4,
};

// TimestampType is attributes bit 3.
enum class TimestampType : int8_t { kCreateTime = 0, kLogAppendTime = 1 };

// kNoProducerId etc. are Kafka's "none" values for the producer fields.
inline constexpr int64_t kNoProducerId = -1;
inline constexpr int16_t kNoProducerEpoch = -1;
inline constexpr int32_t kNoSequence = -1;
inline constexpr int32_t kNoPartitionLeaderEpoch = -1;
inline constexpr int64_t kNoTimestamp = -1;

// RecordHeader is one header of a record; a null value is allowed.
struct RecordHeader {
  std::string_view key = {};
  std::optional<std::string_view> value = {};
};

// RecordView is one decoded record; its views point into the batch's bytes or
// into the DecodedRecords buffer that produced it.
struct RecordView {
  Offset offset;         // baseOffset + offsetDelta
  int64_t timestamp_ms;  // baseTimestamp + timestampDelta (or LogAppendTime)
  std::optional<std::string_view> key;    // nullopt = null key
  std::optional<std::string_view> value;  // nullopt = null value (tombstone)
  std::vector<RecordHeader> headers;
  int32_t offset_delta;
  int64_t timestamp_delta;
  int8_t attributes;
};

// DecodedRecords owns the decompressed records of one batch (when compressed)
// and the views into them. Move-only.
class DecodedRecords {
 public:
  DecodedRecords() = default;
  DecodedRecords(DecodedRecords&&) = default;
  DecodedRecords& operator=(DecodedRecords&&) = default;
  DecodedRecords(const DecodedRecords&) = delete;
  DecodedRecords& operator=(const DecodedRecords&) = delete;

  const std::vector<RecordView>& records() const { return records_; }
  auto begin() const { return records_.begin(); }
  auto end() const { return records_.end(); }
  size_t size() const { return records_.size(); }

 private:
  friend class RecordBatchView;
  // Decompressed record bytes (null when the batch was uncompressed). Held by
  // pointer so that moving a DecodedRecords never moves the bytes the views
  // point into (a short std::string would move its inline characters).
  std::unique_ptr<const std::string> buffer_;
  std::vector<RecordView> records_;
};

// RecordBatchHeader is the fixed 61-byte header of a batch, parsed.
struct RecordBatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;  // bytes after the batchLength field
  int32_t partition_leader_epoch = kNoPartitionLeaderEpoch;
  int8_t magic = 2;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = kNoTimestamp;
  int64_t max_timestamp = kNoTimestamp;
  int64_t producer_id = kNoProducerId;
  int16_t producer_epoch = kNoProducerEpoch;
  int32_t base_sequence = kNoSequence;
  int32_t records_count = 0;

  Compression compression() const;
  TimestampType timestamp_type() const;
  bool is_transactional() const;
  bool is_control() const;
  int64_t last_offset() const { return base_offset + last_offset_delta; }
  // total_size is the whole batch's size in bytes: 12 + batchLength.
  int64_t total_size() const { return 12 + static_cast<int64_t>(batch_length); }
};

// ParseBatchHeader reads the 61-byte header at the start of `bytes` alone
// (a batch's body may lie elsewhere, e.g. still in a file). kInvalidArgument
// for fewer than 61 bytes, a batchLength below the header or a magic other
// than 2.
absl::StatusOr<RecordBatchHeader> ParseBatchHeader(std::string_view bytes);

// RecordBatchView is a parsed, bounds-checked view of one batch's bytes.
// It does not own them. Parse checks sizes and magic, not the CRC.
class RecordBatchView {
 public:
  // Parse reads the batch at the start of `bytes`; `bytes` may hold more
  // after it. kInvalidArgument for a short buffer, a bad length (below the
  // header size or beyond `bytes`) or a magic other than 2.
  static absl::StatusOr<RecordBatchView> Parse(std::string_view bytes);

  const RecordBatchHeader& header() const { return header_; }
  // data is the whole batch: header_.total_size() bytes.
  std::string_view data() const { return data_; }

  // VerifyCrc checks the CRC-32C over attributes..end. kDataLoss if wrong.
  absl::Status VerifyCrc() const;

  // DecodeRecords decompresses (if needed) and decodes every record.
  // kDataLoss for malformed records or codec data (including a record count
  // that disagrees, varints that overflow, lengths past the end, and
  // decompressed output beyond max_decompressed_bytes).
  absl::StatusOr<DecodedRecords> DecodeRecords(
      size_t max_decompressed_bytes = kDefaultMaxDecompressedBytes) const;

  static constexpr size_t kDefaultMaxDecompressedBytes = 256u << 20;

 private:
  RecordBatchHeader header_;
  std::string_view data_;
};

// BatchIterator walks concatenated batches (a log segment, a produce
// request's records, a fetch response's records). It stops at the first batch
// that does not fit: a partial last batch is a truncated tail (not an error:
// Kafka sends partial batches in fetch responses and torn writes leave them),
// anything malformed earlier is an error.
class BatchIterator {
 public:
  explicit BatchIterator(std::string_view bytes) : rest_(bytes) {}

  // Next advances to the next whole batch; false at the end or on error.
  bool Next();
  const RecordBatchView& batch() const { return batch_; }
  // position is the byte position of batch() within the original bytes.
  size_t position() const { return position_; }
  // status is kDataLoss when iteration stopped at malformed bytes.
  const absl::Status& status() const { return status_; }
  // truncated_tail tells whether bytes were left over that begin a batch
  // whose length runs past the end.
  bool truncated_tail() const { return truncated_tail_; }
  // consumed is the number of bytes of whole batches returned so far.
  size_t consumed() const { return consumed_; }

 private:
  std::string_view rest_;
  RecordBatchView batch_;
  size_t position_ = 0;
  size_t consumed_ = 0;
  bool truncated_tail_ = false;
  absl::Status status_;
};

// In-place rewrites of a batch in a mutable buffer (at least 61 bytes, one
// whole batch for the CRC-changing ones).
void SetBaseOffset(char* batch, int64_t base_offset);
void SetPartitionLeaderEpoch(char* batch, int32_t epoch);
// SetLogAppendTime sets the LogAppendTime attribute bit and maxTimestamp to
// `timestamp_ms`, then recomputes the CRC (as a broker does for
// message.timestamp.type=LogAppendTime topics).
void SetLogAppendTime(char* batch, size_t size, int64_t timestamp_ms);

// Record is what a builder appends. Views must live until Build().
// (Every field has a default initializer so designated initializers may omit
// any of them without -Wmissing-field-initializers.)
struct Record {
  int64_t timestamp_ms = kNoTimestamp;
  std::optional<std::string_view> key = {};
  std::optional<std::string_view> value = {};
  std::vector<RecordHeader> headers = {};
};

// BatchOptions describe the batch a builder writes.
struct BatchOptions {
  // Codec for the records section. Default: kNone.
  Compression compression = Compression::kNone;
  // CreateTime or LogAppendTime (attributes bit 3). Default: kCreateTime.
  TimestampType timestamp_type = TimestampType::kCreateTime;
  int64_t base_offset = 0;
  int32_t partition_leader_epoch = kNoPartitionLeaderEpoch;
  int64_t producer_id = kNoProducerId;
  int16_t producer_epoch = kNoProducerEpoch;
  int32_t base_sequence = kNoSequence;
  bool is_transactional = false;
  // A control batch holds one control record (see ControlRecord*).
  bool is_control = false;
  // Compression level; 0 lets each codec choose its default.
  int compression_level = 0;
  // For kLogAppendTime batches, the append time written as maxTimestamp (as
  // the Java MemoryRecordsBuilder does; record timestamps keep their deltas).
  // Default: kNoTimestamp, which writes the largest record timestamp.
  int64_t log_append_time_ms = kNoTimestamp;
};

// RecordBatchBuilder writes one batch. Not thread-safe; single use.
class RecordBatchBuilder {
 public:
  explicit RecordBatchBuilder(BatchOptions options = {});

  // Append adds a record with the next offset delta.
  void Append(const Record& record);
  // AppendWithOffset adds a record at an explicit offset (>= base_offset and
  // above the previous record's), leaving gaps — for compaction.
  void AppendWithOffset(Offset offset, const Record& record);

  // set_producer stamps the idempotent-producer fields; a producer assigns
  // the sequence when it sends the batch, after its records are in.
  void set_producer(int64_t producer_id, int16_t producer_epoch,
                    int32_t base_sequence) {
    options_.producer_id = producer_id;
    options_.producer_epoch = producer_epoch;
    options_.base_sequence = base_sequence;
  }

  // Reserve makes room for a batch of `batch_bytes` (uncompressed), so
  // appending up to that size does not reallocate. `buffer`, if given, is
  // memory to build in (its contents are discarded): a producer recycles
  // the buffers of batches the broker has taken.
  void Reserve(size_t batch_bytes, std::string buffer = {});

  // EstimatedSize is the uncompressed size of the batch so far.
  size_t EstimatedSize() const;
  size_t record_count() const { return count_; }
  // last_offset_delta overrides lastOffsetDelta (compaction keeps the
  // original batch's last offset even if its last record was removed).
  void set_last_offset_delta(int32_t delta) { last_offset_delta_ = delta; }

  // Build encodes the batch: header, CRC and (compressed) records.
  // kInvalidArgument if no record was appended, an AppendWithOffset offset
  // was out of order or more than INT32_MAX past base_offset, the
  // last_offset_delta override is below the last record's, or the batch would
  // exceed INT32_MAX bytes; a codec failure is kInternal. Single use: an
  // uncompressed batch is built in the builder's own buffer, which Build
  // hands over, so a second call is kFailedPrecondition.
  absl::StatusOr<std::string> Build();

 private:
  // AppendAtDelta encodes `record` at offset delta `delta`.
  void AppendAtDelta(int32_t delta, const Record& record);

  BatchOptions options_;
  // Room for the batch header, then the encoded records, uncompressed.
  std::string records_;
  // records_.size() when an uncompressed Build() took the buffer.
  size_t built_size_ = 0;
  size_t count_ = 0;
  int64_t base_timestamp_ = kNoTimestamp;  // the first record's timestamp
  int64_t max_timestamp_ = kNoTimestamp;
  int32_t last_offset_delta_ = -1;  // -1: the last record's offset delta
  int32_t last_record_delta_ = -1;  // offset delta of the last record
  absl::Status status_;  // first misuse (e.g. a bad offset), reported by Build
};

// Control records (key: version int16 + type int16; value: version int16 +
// coordinator epoch int32).
enum class ControlType : int16_t { kAbort = 0, kCommit = 1 };
std::string ControlRecordKey(ControlType type);
std::string ControlRecordValue(int32_t coordinator_epoch);
// ParseControlRecordKey reads a control record's type. kDataLoss for a key
// shorter than 4 bytes or a negative version; kInvalidArgument for a type
// other than abort or commit.
absl::StatusOr<ControlType> ParseControlRecordKey(std::string_view key);
// ParseControlRecordValue returns the coordinator epoch of a transaction
// marker. kDataLoss for a value shorter than 6 bytes or a negative version.
absl::StatusOr<int32_t> ParseControlRecordValue(std::string_view value);

}  // namespace rill::record

#endif  // RILL_RECORD_RECORD_BATCH_H_
