// rill/broker/produce.h — the produce path's request and answer.
#ifndef RILL_BROKER_PRODUCE_H_
#define RILL_BROKER_PRODUCE_H_

#include <cstdint>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "rill/types.h"

namespace rill {

// Acks is how many replicas must have a write before it is acknowledged
// (Kafka's `acks`).
enum class Acks : int16_t {
  kNone = 0,    // acks=0: no answer is awaited (the callback still runs)
  kLeader = 1,  // acks=1: the leader's log has it
  kAll = -1,    // acks=all: every in-sync replica has it (min.insync.replicas)
};

// ProduceOptions tune one produce call.
struct ProduceOptions {
  // Default: all (Kafka 3.0+'s producer default).
  Acks acks = Acks::kAll;
  // How long an acks=all write may wait for replicas. Default: 30000.
  int64_t timeout_ms = 30000;
  // Produce requests below v7 may not carry zstd batches
  // (UNSUPPORTED_COMPRESSION_TYPE); the wire layer clears this for them.
  // Default: true.
  bool allow_zstd = true;
};

// ProduceResult says where a produced batch landed.
struct ProduceResult {
  // The batch's first offset; for a retried duplicate, the original's.
  Offset base_offset = Offset(-1);
  // The broker's timestamp for LogAppendTime topics; -1 for CreateTime.
  int64_t log_append_time_ms = -1;
  Offset log_start_offset = Offset(-1);
};

// ProduceCallback receives the outcome: an error carries an ErrorReason
// (kCorruptMessage, kMessageTooLarge, kInvalidRecord, kInvalidTimestamp,
// kOutOfOrderSequenceNumber, kInvalidProducerEpoch,
// kUnknownTopicOrPartition, kNotEnoughReplicas, kRequestTimedOut, ...).
using ProduceCallback = absl::AnyInvocable<void(absl::StatusOr<ProduceResult>)>;

}  // namespace rill

#endif  // RILL_BROKER_PRODUCE_H_
