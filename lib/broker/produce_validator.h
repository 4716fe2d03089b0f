// ValidateProduceBatch: the checks a Kafka broker makes on one partition's
// records in a produce request (v3+), before anything is appended.
#ifndef RILL_BROKER_PRODUCE_VALIDATOR_H_
#define RILL_BROKER_PRODUCE_VALIDATOR_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "rill/log/log_config.h"
#include "rill/record/record_batch.h"

namespace rill::broker {

// ValidateProduceBatch checks `bytes` in Kafka's order (ProduceRequest's
// validateRecords, then UnifiedLog and LogValidator) and returns the batch's
// header. Errors carry the ErrorReason Kafka 3.x answers with:
//   - no whole batch, a magic other than 2, more than one batch (or any
//     bytes after the batch): kInvalidRecord;
//   - zstd without `allow_zstd` (produce below v7):
//     kUnsupportedCompressionType;
//   - larger than max.message.bytes: kMessageTooLarge;
//   - a batchLength below the header, a bad CRC, an unknown codec, or (on
//     compacted topics) records that do not decode: kCorruptMessage;
//   - record count <= 0 or != lastOffsetDelta + 1, the control bit, the
//     transactional bit (transactions are not supported yet), a producer id
//     with a negative sequence or epoch, and on compacted topics (cleanup
//     policy compact) a record with a null key: kInvalidRecord.
// The producer's baseOffset is not checked: the log assigns offsets. (Kafka
// 3.x refuses a non-zero one; rill accepts it, as older brokers did.)
absl::StatusOr<record::RecordBatchHeader> ValidateProduceBatch(
    std::string_view bytes, const LogConfig& config, bool allow_zstd);

}  // namespace rill::broker

#endif  // RILL_BROKER_PRODUCE_VALIDATOR_H_
