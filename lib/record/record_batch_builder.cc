// RecordBatchBuilder: encodes records the way Kafka's Java client
// (MemoryRecordsBuilder) does, so a batch from the same inputs is the same
// bytes up to the codec's output.
#include <algorithm>
#include <climits>

#include "absl/strings/str_cat.h"
#include "record/compression.h"
#include "record/format.h"
#include "record/record_encoding.h"
#include "rill/record/record_batch.h"
#include "util/crc32c.h"
#include "util/endian.h"

namespace rill::record {

// records_ starts with room for the batch header, so that an uncompressed
// Build() fills the header in place and hands the buffer over uncopied.
RecordBatchBuilder::RecordBatchBuilder(BatchOptions options)
    : options_(options), records_(format::kHeaderSize, '\0') {}

void RecordBatchBuilder::Reserve(size_t batch_bytes, std::string buffer) {
  if (buffer.capacity() > records_.capacity()) {
    buffer.assign(records_);  // keeps the capacity
    records_.swap(buffer);
  }
  records_.reserve(std::max(batch_bytes, records_.size()));
}

void RecordBatchBuilder::Append(const Record& record) {
  if (count_ > 0 && last_record_delta_ == INT32_MAX) {
    if (status_.ok()) {
      status_ = absl::InvalidArgumentError("offset delta overflows int32");
    }
    return;
  }
  AppendAtDelta(count_ == 0 ? 0 : last_record_delta_ + 1, record);
}

void RecordBatchBuilder::AppendWithOffset(Offset offset, const Record& record) {
  const int64_t base = options_.base_offset;
  // Compared before subtracting so that no difference can overflow.
  const bool valid =
      offset.value() >= base && offset.value() - base <= INT32_MAX &&
      (count_ == 0 || offset.value() - base > last_record_delta_);
  if (!valid) {
    if (status_.ok()) {
      status_ = absl::InvalidArgumentError(absl::StrCat(
          "AppendWithOffset: offset ", offset.value(),
          " is not above the previous record's and within int32 of base "
          "offset ",
          base));
    }
    return;
  }
  AppendAtDelta(static_cast<int32_t>(offset.value() - base), record);
}

void RecordBatchBuilder::AppendAtDelta(int32_t delta, const Record& record) {
  // As Java's MemoryRecordsBuilder: the first record's timestamp is the
  // base, and the maximum starts from "no timestamp" (-1).
  if (count_ == 0) base_timestamp_ = record.timestamp_ms;
  max_timestamp_ = std::max(max_timestamp_, record.timestamp_ms);
  // Wrapping subtraction: extreme timestamps must not be undefined behaviour
  // (the decoder's wrapping addition restores them).
  const auto timestamp_delta =
      static_cast<int64_t>(static_cast<uint64_t>(record.timestamp_ms) -
                           static_cast<uint64_t>(base_timestamp_));
  const size_t body_size =
      internal::EncodedRecordSize(timestamp_delta, delta, record);
  if (body_size > INT32_MAX) {
    if (status_.ok()) status_ = absl::InvalidArgumentError("record too large");
    return;
  }
  internal::AppendRecord(timestamp_delta, delta, record, body_size, &records_);
  ++count_;
  last_record_delta_ = delta;
}

size_t RecordBatchBuilder::EstimatedSize() const {
  return built_size_ != 0 ? built_size_ : records_.size();
}

absl::StatusOr<std::string> RecordBatchBuilder::Build() {
  if (!status_.ok()) return status_;
  if (count_ == 0) {
    return absl::InvalidArgumentError("a record batch needs a record");
  }
  if (count_ > INT32_MAX) {
    return absl::InvalidArgumentError("too many records for one batch");
  }
  int32_t last_offset_delta = last_record_delta_;
  if (last_offset_delta_ != -1) {
    if (last_offset_delta_ < last_record_delta_) {
      return absl::InvalidArgumentError(
          absl::StrCat("last offset delta ", last_offset_delta_,
                       " is below the last record's ", last_record_delta_));
    }
    last_offset_delta = last_offset_delta_;
  }

  std::string batch;
  if (options_.compression == Compression::kNone) {
    built_size_ = records_.size();
    batch = std::move(records_);
  } else {
    batch.assign(format::kHeaderSize, '\0');
    const std::string_view records =
        std::string_view(records_).substr(format::kHeaderSize);
    if (absl::Status s = internal::Compress(
            options_.compression, options_.compression_level, records, &batch);
        !s.ok()) {
      return absl::InternalError(
          absl::StrCat("compressing records: ", s.message()));
    }
  }
  if (batch.size() - format::kLogOverhead > INT32_MAX) {
    return absl::InvalidArgumentError("record batch exceeds INT32_MAX bytes");
  }

  int16_t attributes = static_cast<int16_t>(options_.compression);
  int64_t max_timestamp = max_timestamp_;
  if (options_.timestamp_type == TimestampType::kLogAppendTime) {
    attributes |= format::kTimestampTypeBit;
    if (options_.log_append_time_ms != kNoTimestamp) {
      max_timestamp = options_.log_append_time_ms;
    }
  }
  if (options_.is_transactional) attributes |= format::kTransactionalBit;
  if (options_.is_control) attributes |= format::kControlBit;

  char* p = batch.data();
  using util::StoreBigEndian;
  StoreBigEndian(p + format::kBaseOffsetOffset, options_.base_offset);
  StoreBigEndian(p + format::kBatchLengthOffset,
                 static_cast<int32_t>(batch.size() - format::kLogOverhead));
  StoreBigEndian(p + format::kPartitionLeaderEpochOffset,
                 options_.partition_leader_epoch);
  p[format::kMagicOffset] = format::kMagic;
  StoreBigEndian(p + format::kAttributesOffset, attributes);
  StoreBigEndian(p + format::kLastOffsetDeltaOffset, last_offset_delta);
  StoreBigEndian(p + format::kBaseTimestampOffset, base_timestamp_);
  StoreBigEndian(p + format::kMaxTimestampOffset, max_timestamp);
  StoreBigEndian(p + format::kProducerIdOffset, options_.producer_id);
  StoreBigEndian(p + format::kProducerEpochOffset, options_.producer_epoch);
  StoreBigEndian(p + format::kBaseSequenceOffset, options_.base_sequence);
  StoreBigEndian(p + format::kRecordsCountOffset, static_cast<int32_t>(count_));
  // Last: the CRC covers every field from the attributes on.
  StoreBigEndian(p + format::kCrcOffset,
                 util::crc32c::Value(p + format::kCrcStart,
                                     batch.size() - format::kCrcStart));
  // Single use: an uncompressed build took the buffer.
  status_ = absl::FailedPreconditionError("Build() was already called");
  return batch;
}

}  // namespace rill::record
