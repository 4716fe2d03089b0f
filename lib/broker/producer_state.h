// ProducerStateTable: a partition's idempotent-producer state and Kafka's
// rules for the sequence numbers and epochs of incoming batches.
//
// For every producer id that wrote to the partition it keeps the epoch and
// the metadata of the producer's last 5 batches (Kafka's
// ProducerStateManager), which is enough to tell a retried batch from a new
// one and to refuse gaps:
//
//   ASSIGN_OR_RETURN(std::optional<BatchMetadata> dup, table.Check(batch));
//   if (dup) return dup->first_offset;     // a retry: answer as before
//   ... append ...
//   table.Update(batch, appended_first_offset, appended_max_timestamp);
#ifndef RILL_BROKER_PRODUCER_STATE_H_
#define RILL_BROKER_PRODUCER_STATE_H_

#include <cstdint>
#include <deque>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "rill/record/record_batch.h"
#include "rill/types.h"

namespace rill::broker {

// IncrementSequence adds `delta` to a sequence number, wrapping from
// INT32_MAX to 0 as Kafka's sequences do.
int32_t IncrementSequence(int32_t sequence, int32_t delta);

// BatchMetadata records one appended batch of a producer.
struct BatchMetadata {
  int32_t first_seq = 0;
  int32_t last_seq = 0;
  Offset first_offset = Offset(0);
  Offset last_offset = Offset(0);
  // The batch's maxTimestamp as stored (the append time on LogAppendTime
  // topics).
  int64_t timestamp_ms = record::kNoTimestamp;

  friend bool operator==(const BatchMetadata&, const BatchMetadata&) = default;
};

// ProducerEntry is what the partition knows about one producer id.
struct ProducerEntry {
  ProducerEpoch epoch = ProducerEpoch(record::kNoProducerEpoch);
  // The producer's last batches in this epoch, oldest first, at most
  // format::kMaxCachedBatches.
  std::deque<BatchMetadata> batches;
  // maxTimestamp of its last batch; producer.id.expiration.ms runs from here
  // (as in Kafka, which also expires by this record timestamp).
  int64_t last_timestamp_ms = record::kNoTimestamp;

  // last_seq is the last sequence written in this epoch, or -1 if none.
  int32_t last_seq() const {
    return batches.empty() ? record::kNoSequence : batches.back().last_seq;
  }

  friend bool operator==(const ProducerEntry&, const ProducerEntry&) = default;
};

// ProducerBatch is the part of a batch header the producer rules look at.
struct ProducerBatch {
  ProducerId producer_id = ProducerId(record::kNoProducerId);
  ProducerEpoch epoch = ProducerEpoch(record::kNoProducerEpoch);
  int32_t first_seq = record::kNoSequence;
  int32_t last_offset_delta = 0;

  static ProducerBatch FromHeader(const record::RecordBatchHeader& header);
  // idempotent: the batch carries a producer id (Kafka's hasProducerId:
  // any id >= 0).
  bool idempotent() const { return producer_id.value() >= 0; }
  int32_t last_seq() const {
    return IncrementSequence(first_seq, last_offset_delta);
  }
};

// ProducerStateTable is owned by one Partition and used under its append
// lock. Not thread-safe.
class ProducerStateTable {
 public:
  using Map = absl::flat_hash_map<ProducerId, ProducerEntry>;

  // Check applies Kafka's rules to an idempotent batch about to be appended
  // (a batch without a producer id passes unchecked):
  //   - unknown producer: any sequence is accepted (Kafka 2.5+, KIP-360: its
  //     state may have been removed by retention, DeleteRecords or expiry);
  //   - same epoch: a batch whose first and last sequence equal one of the
  //     cached batches is a duplicate, returned so the caller can answer
  //     with its offsets; otherwise the first sequence must follow the last
  //     one written (kOutOfOrderSequenceNumber);
  //   - lower epoch: kInvalidProducerEpoch (a fenced producer);
  //   - higher epoch: the sequence must start again at 0
  //     (kOutOfOrderSequenceNumber).
  // Changes nothing.
  absl::StatusOr<std::optional<BatchMetadata>> Check(
      const ProducerBatch& batch) const;

  // Update records a batch appended at [first_offset, first_offset +
  // last_offset_delta] with maxTimestamp `timestamp_ms`: a new epoch
  // replaces the producer's batches, and only the last 5 are kept. Used
  // after a checked append and, unchecked, when replaying the log.
  void Update(const ProducerBatch& batch, Offset first_offset,
              int64_t timestamp_ms);

  // ExpireProducers drops producers whose last batch is at least
  // `expiration_ms` older than now_ms; returns how many.
  int ExpireProducers(int64_t now_ms, int64_t expiration_ms);

  // Find returns a producer's entry, or null.
  const ProducerEntry* Find(ProducerId id) const;
  // Put installs an entry (loading a snapshot).
  void Put(ProducerId id, ProducerEntry entry);
  size_t size() const { return producers_.size(); }
  const Map& producers() const { return producers_; }

 private:
  Map producers_;
};

}  // namespace rill::broker

#endif  // RILL_BROKER_PRODUCER_STATE_H_
