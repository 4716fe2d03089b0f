#include "broker/produce_validator.h"

#include "absl/strings/str_cat.h"
#include "record/format.h"
#include "rill/error.h"
#include "util/endian.h"
#include "util/status_macros.h"

namespace rill::broker {
namespace {

namespace rf = record::format;

absl::Status Invalid(std::string_view message) {
  return MakeError(ErrorReason::kInvalidRecord, message);
}

absl::Status Corrupt(std::string_view message) {
  return MakeError(ErrorReason::kCorruptMessage, message);
}
absl::Status Corrupt(const absl::Status& cause) {
  const absl::string_view m = cause.message();
  return Corrupt(std::string_view(m.data(), m.size()));
}

// CheckKeys decodes the records of a batch for a compacted topic, where
// every record needs a key (Kafka's LogValidator).
absl::Status CheckKeys(const record::RecordBatchView& batch) {
  absl::StatusOr<record::DecodedRecords> records = batch.DecodeRecords();
  if (!records.ok()) {
    return Corrupt(
        absl::StrCat("records do not decode: ", records.status().message()));
  }
  for (const record::RecordView& r : *records) {
    if (!r.key.has_value()) {
      return Invalid(absl::StrCat(
          "compacted topic cannot accept a record without a key (offset "
          "delta ",
          r.offset_delta, ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<record::RecordBatchHeader> ValidateProduceBatch(
    std::string_view bytes, const LogConfig& config, bool allow_zstd) {
  // ProduceRequest.validateRecords: exactly one whole magic-2 batch.
  if (bytes.size() < rf::kLogOverhead) {
    return Invalid("produce request holds no whole record batch");
  }
  const int32_t batch_length =
      util::LoadBigEndian<int32_t>(bytes.data() + rf::kBatchLengthOffset);
  if (batch_length < rf::kMinBatchLength) {
    return Corrupt(absl::StrCat("batchLength ", batch_length,
                                " is below the 61-byte header"));
  }
  const uint64_t total = rf::kLogOverhead + static_cast<uint64_t>(batch_length);
  if (total > bytes.size()) {
    return Invalid(absl::StrCat("produce request holds no whole record batch (",
                                total, "-byte batch in ", bytes.size(),
                                " bytes)"));
  }
  const int8_t magic = static_cast<int8_t>(bytes[rf::kMagicOffset]);
  if (magic != rf::kMagic) {
    return Invalid(absl::StrCat(
        "produce requests may only hold record batches with magic 2, not ",
        magic));
  }
  ASSIGN_OR_RETURN(record::RecordBatchView batch,
                   record::RecordBatchView::Parse(bytes), Corrupt(_));
  const record::RecordBatchHeader& h = batch.header();
  const int16_t codec = h.attributes & rf::kCompressionMask;
  if (codec > rf::kMaxKnownCodec) {
    return Corrupt(absl::StrCat("unknown compression codec ", codec));
  }
  if (!allow_zstd && h.compression() == record::Compression::kZstd) {
    return MakeError(ErrorReason::kUnsupportedCompressionType,
                     "zstd-compressed batches need produce v7 or later");
  }
  if (total != bytes.size()) {
    return Invalid(
        "produce requests may hold exactly one record batch per partition");
  }

  // UnifiedLog.analyzeAndValidateRecords: size, then CRC.
  if (h.total_size() > config.max_message_bytes) {
    return MakeError(ErrorReason::kMessageTooLarge,
                     absl::StrCat("record batch of ", h.total_size(),
                                  " bytes exceeds max.message.bytes ",
                                  config.max_message_bytes));
  }
  if (absl::Status crc = batch.VerifyCrc(); !crc.ok()) {
    return Corrupt(crc);
  }

  // LogValidator.validateBatch.
  if (h.records_count <= 0) {
    return Invalid(absl::StrCat("invalid record count ", h.records_count));
  }
  if (static_cast<int64_t>(h.last_offset_delta) + 1 != h.records_count) {
    return Invalid(absl::StrCat("batch holds ", h.records_count,
                                " records but lastOffsetDelta ",
                                h.last_offset_delta));
  }
  if (h.is_control()) {
    return Invalid("clients may not write control batches");
  }
  if (h.is_transactional()) {
    return Invalid(
        "transactional batches are not supported by this broker yet");
  }
  if (h.producer_id >= 0 && (h.base_sequence < 0 || h.producer_epoch < 0)) {
    return Invalid(absl::StrCat("idempotent batch of producer ", h.producer_id,
                                " has sequence ", h.base_sequence,
                                " and epoch ", h.producer_epoch));
  }
  if (config.cleanup_compact) RETURN_IF_ERROR(CheckKeys(batch));
  return h;
}

}  // namespace rill::broker
