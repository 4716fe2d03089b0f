// RecordBatchView: parsing, CRC verification and decoding of one batch, and
// the in-place rewrites a broker applies on append.
#include "rill/record/record_batch.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "record/compression.h"
#include "record/format.h"
#include "record/record_encoding.h"
#include "util/crc32c.h"
#include "util/endian.h"
#include "util/status_macros.h"

namespace rill::record {

using util::LoadBigEndian;
using util::StoreBigEndian;

Compression RecordBatchHeader::compression() const {
  return static_cast<Compression>(attributes & format::kCompressionMask);
}

TimestampType RecordBatchHeader::timestamp_type() const {
  return (attributes & format::kTimestampTypeBit) != 0
             ? TimestampType::kLogAppendTime
             : TimestampType::kCreateTime;
}

bool RecordBatchHeader::is_transactional() const {
  return (attributes & format::kTransactionalBit) != 0;
}

bool RecordBatchHeader::is_control() const {
  return (attributes & format::kControlBit) != 0;
}

absl::StatusOr<RecordBatchHeader> ParseBatchHeader(std::string_view bytes) {
  if (bytes.size() < format::kHeaderSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("record batch: ", bytes.size(),
                     " bytes is shorter than the 61-byte header"));
  }
  const char* p = bytes.data();
  RecordBatchHeader h;
  h.batch_length = LoadBigEndian<int32_t>(p + format::kBatchLengthOffset);
  if (h.batch_length < format::kMinBatchLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("record batch: batchLength ", h.batch_length,
                     " is below the minimum ", format::kMinBatchLength));
  }
  h.magic = static_cast<int8_t>(p[format::kMagicOffset]);
  if (h.magic != format::kMagic) {
    return absl::InvalidArgumentError(
        absl::StrCat("record batch: unsupported magic ", h.magic));
  }
  h.base_offset = LoadBigEndian<int64_t>(p + format::kBaseOffsetOffset);
  h.partition_leader_epoch =
      LoadBigEndian<int32_t>(p + format::kPartitionLeaderEpochOffset);
  h.crc = LoadBigEndian<uint32_t>(p + format::kCrcOffset);
  h.attributes = LoadBigEndian<int16_t>(p + format::kAttributesOffset);
  h.last_offset_delta =
      LoadBigEndian<int32_t>(p + format::kLastOffsetDeltaOffset);
  h.base_timestamp = LoadBigEndian<int64_t>(p + format::kBaseTimestampOffset);
  h.max_timestamp = LoadBigEndian<int64_t>(p + format::kMaxTimestampOffset);
  h.producer_id = LoadBigEndian<int64_t>(p + format::kProducerIdOffset);
  h.producer_epoch = LoadBigEndian<int16_t>(p + format::kProducerEpochOffset);
  h.base_sequence = LoadBigEndian<int32_t>(p + format::kBaseSequenceOffset);
  h.records_count = LoadBigEndian<int32_t>(p + format::kRecordsCountOffset);
  return h;
}

absl::StatusOr<RecordBatchView> RecordBatchView::Parse(std::string_view bytes) {
  RecordBatchView view;
  ASSIGN_OR_RETURN(view.header_, ParseBatchHeader(bytes));
  const size_t total_size = static_cast<size_t>(view.header_.total_size());
  if (total_size > bytes.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("record batch: batch of ", total_size,
                     " bytes runs past the buffer's ", bytes.size()));
  }
  view.data_ = bytes.substr(0, total_size);
  return view;
}

absl::Status RecordBatchView::VerifyCrc() const {
  const uint32_t actual = util::crc32c::Value(data_.data() + format::kCrcStart,
                                              data_.size() - format::kCrcStart);
  if (actual != header_.crc) {
    return absl::DataLossError(absl::StrCat(
        "record batch at offset ", header_.base_offset,
        ": CRC mismatch (stored ", header_.crc, ", computed ", actual, ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<DecodedRecords> RecordBatchView::DecodeRecords(
    size_t max_decompressed_bytes) const {
  const int codec = header_.attributes & format::kCompressionMask;
  if (codec > format::kMaxKnownCodec) {
    return absl::DataLossError(
        absl::StrCat("record batch: unknown compression codec ", codec));
  }
  if (header_.records_count < 0) {
    return absl::DataLossError(absl::StrCat(
        "record batch: negative record count ", header_.records_count));
  }
  DecodedRecords result;
  std::string_view section = data_.substr(format::kRecordsOffset);
  // An empty batch (compaction can leave one to keep producer state) has no
  // records section to decompress, whatever its codec bits say.
  if (header_.records_count == 0 && section.empty()) return result;

  if (codec != static_cast<int>(Compression::kNone)) {
    absl::StatusOr<std::string> plain = internal::Decompress(
        static_cast<Compression>(codec), section, max_decompressed_bytes);
    if (!plain.ok()) {
      return util::Annotate(plain.status(), "record batch");
    }
    result.buffer_ = std::make_unique<const std::string>(*std::move(plain));
    section = *result.buffer_;
  }

  const size_t count = static_cast<size_t>(header_.records_count);
  if (count > section.size() / format::kMinRecordSize) {
    return absl::DataLossError(absl::StrCat("record batch: ", count,
                                            " records cannot fit in ",
                                            section.size(), " bytes"));
  }
  const internal::RecordContext context{
      .base_offset = header_.base_offset,
      .base_timestamp = header_.base_timestamp,
      .log_append_time =
          header_.timestamp_type() == TimestampType::kLogAppendTime,
      .max_timestamp = header_.max_timestamp,
  };
  result.records_.resize(count);
  for (size_t i = 0; i < count; ++i) {
    if (absl::Status s =
            internal::DecodeRecord(&section, context, &result.records_[i]);
        !s.ok()) {
      return util::Annotate(s, absl::StrCat("record batch: record ", i));
    }
  }
  if (!section.empty()) {
    return absl::DataLossError(absl::StrCat("record batch: ", section.size(),
                                            " bytes left after the last of ",
                                            count, " records"));
  }
  return result;
}

void SetBaseOffset(char* batch, int64_t base_offset) {
  StoreBigEndian(batch + format::kBaseOffsetOffset, base_offset);
}

void SetPartitionLeaderEpoch(char* batch, int32_t epoch) {
  StoreBigEndian(batch + format::kPartitionLeaderEpochOffset, epoch);
}

void SetLogAppendTime(char* batch, size_t size, int64_t timestamp_ms) {
  if (size < format::kHeaderSize) return;  // not a batch; nothing to rewrite
  const auto attributes =
      LoadBigEndian<int16_t>(batch + format::kAttributesOffset);
  StoreBigEndian(batch + format::kAttributesOffset,
                 static_cast<int16_t>(attributes | format::kTimestampTypeBit));
  StoreBigEndian(batch + format::kMaxTimestampOffset, timestamp_ms);
  StoreBigEndian(
      batch + format::kCrcOffset,
      util::crc32c::Value(batch + format::kCrcStart, size - format::kCrcStart));
}

}  // namespace rill::record
