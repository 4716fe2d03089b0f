// produce_batch_fuzzer: one partition's records from a Produce request
// through the broker's produce validation (broker/produce_validator.h), then
// record decoding and decompression, batch iteration and the in-place
// rewrites the log applies on append.
//
// Input: one flags byte, then the records bytes.
//   bit 0  allow zstd (Produce v7+)
//   bit 1  the topic is compacted (records are decoded to check keys)
//   bit 2  keep the CRC as given; otherwise the fuzzer recomputes it, so
//          mutations get past the CRC check to the records
// Validation errors must carry the reasons a Kafka broker answers with;
// a batch that passes must decode, and must still verify after the
// LogAppendTime rewrite.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "broker/produce_validator.h"
#include "record/format.h"
#include "rill/error.h"
#include "rill/log/log_config.h"
#include "rill/record/record_batch.h"
#include "util/crc32c.h"
#include "util/endian.h"

namespace rill {
namespace {

namespace rf = record::format;

constexpr uint8_t kAllowZstd = 1 << 0;
constexpr uint8_t kCompacted = 1 << 1;
constexpr uint8_t kKeepCrc = 1 << 2;
// Decompression bound for the fuzzer's own decoding (the validator keeps
// its default): big enough for every seed, small enough to stay fast.
constexpr size_t kMaxDecompressed = 4 << 20;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "produce_batch_fuzzer: %s\n", what.c_str());
  std::abort();
}

// FixCrc writes the CRC-32C of the batch's bytes after the CRC field, as
// far as the batch says it runs (or the input ends).
void FixCrc(std::string& bytes) {
  if (bytes.size() < rf::kHeaderSize) return;
  const int32_t length =
      util::LoadBigEndian<int32_t>(bytes.data() + rf::kBatchLengthOffset);
  if (length < rf::kMinBatchLength) return;
  const size_t end =
      std::min(bytes.size(), rf::kLogOverhead + static_cast<size_t>(length));
  const uint32_t crc =
      util::crc32c::Value(bytes.data() + rf::kCrcStart, end - rf::kCrcStart);
  util::StoreBigEndian(bytes.data() + rf::kCrcOffset, crc);
}

void CheckValidationError(const absl::Status& status) {
  switch (GetErrorReason(status)) {
    case ErrorReason::kInvalidRecord:
    case ErrorReason::kCorruptMessage:
    case ErrorReason::kMessageTooLarge:
    case ErrorReason::kUnsupportedCompressionType:
      return;
    default:
      Die("validation failed with a reason Kafka does not answer with: " +
          status.ToString());
  }
}

// CheckAccepted: what the log does with an accepted batch must work.
void CheckAccepted(std::string& bytes, const record::RecordBatchHeader& h) {
  if (static_cast<size_t>(h.total_size()) != bytes.size()) {
    Die("accepted batch is not the whole input");
  }
  absl::StatusOr<record::RecordBatchView> batch =
      record::RecordBatchView::Parse(bytes);
  if (!batch.ok()) Die("accepted batch does not parse");
  absl::StatusOr<record::DecodedRecords> records =
      batch->DecodeRecords(kMaxDecompressed);
  if (records.ok() && records->size() != static_cast<size_t>(h.records_count)) {
    Die("decoded a record count other than the header's");
  }
  record::SetBaseOffset(bytes.data(), 1234);
  record::SetPartitionLeaderEpoch(bytes.data(), 7);
  record::SetLogAppendTime(bytes.data(), bytes.size(), 1'700'000'000'000);
  absl::StatusOr<record::RecordBatchView> rewritten =
      record::RecordBatchView::Parse(bytes);
  if (!rewritten.ok() || !rewritten->VerifyCrc().ok() ||
      rewritten->header().base_offset != 1234 ||
      rewritten->header().records_count != h.records_count) {
    Die("accepted batch is broken by the append-time rewrites");
  }
}

// WalkBatches reads the bytes as a log segment or fetch response would.
void WalkBatches(std::string_view bytes) {
  record::BatchIterator it(bytes);
  while (it.Next()) {
    if (!it.batch().VerifyCrc().ok()) continue;
    (void)it.batch().DecodeRecords(kMaxDecompressed);
  }
  if (it.consumed() > bytes.size()) Die("iterator consumed past the end");
}

void FuzzBatch(uint8_t flags, std::string bytes) {
  if ((flags & kKeepCrc) == 0) FixCrc(bytes);
  WalkBatches(bytes);
  LogConfig config;
  config.cleanup_compact = (flags & kCompacted) != 0;
  absl::StatusOr<record::RecordBatchHeader> header =
      broker::ValidateProduceBatch(bytes, config, (flags & kAllowZstd) != 0);
  if (!header.ok()) {
    CheckValidationError(header.status());
    return;
  }
  CheckAccepted(bytes, *header);
}

}  // namespace
}  // namespace rill

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  rill::FuzzBatch(
      data[0], std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  return 0;
}
