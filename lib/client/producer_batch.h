// The producer's per-partition state: the batch being filled, the sealed
// batches waiting to be sent in order, and the idempotent sequence.
#ifndef RILL_CLIENT_PRODUCER_BATCH_H_
#define RILL_CLIENT_PRODUCER_BATCH_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "rill/client/producer.h"
#include "rill/record/record_batch.h"
#include "util/timer_queue.h"

namespace rill::client {

// PendingDelivery is a record whose sender asked to hear how it went.
struct PendingDelivery {
  int32_t index;  // offset delta within the batch
  int64_t timestamp_ms;
  DeliveryCallback done;
};

// ProducerBatch is one batch of one partition, from its first record until
// the broker answers it. Owned by its PartitionQueue.
struct ProducerBatch {
  ProducerBatch(record::BatchOptions options, int64_t created_ms)
      : builder(options), created_ms(created_ms) {}

  record::RecordBatchBuilder builder;
  int32_t record_count = 0;
  int64_t created_ms;
  std::vector<PendingDelivery> deliveries;
  // Built when first sent (the sequence is assigned then), and sent again
  // unchanged on a retry so the broker can recognize a duplicate.
  std::string bytes;
  int32_t base_sequence = -1;
  // The producer id the bytes carry (-1 without idempotence).
  ProducerId producer_id = ProducerId(-1);
  // A send failed in a way that leaves open whether a broker appended the
  // batch (a timeout, a leader change): if it fails for good, its
  // sequence numbers cannot be given to another batch.
  bool maybe_appended = false;
};

// PartitionQueue is one partition's batches. Guarded by the producer's
// mutex; `sending` marks the one thread (or callback chain) sending its
// sealed batches, in order.
struct PartitionQueue {
  std::unique_ptr<ProducerBatch> open;
  util::TimerQueue::Id linger_timer = 0;
  // Counts opened batches, so a linger timer that fires late can tell
  // whether the open batch is still the one it was set for.
  uint64_t batches_opened = 0;
  std::deque<std::unique_ptr<ProducerBatch>> sealed;
  bool sending = false;
  // A retriable failure waits retry.backoff.ms before the next attempt.
  bool backing_off = false;
  int32_t next_sequence = 0;
  // The partition's leader as metadata last showed it; -1 after a leader
  // error, so the next send looks it up again.
  NodeId leader = NodeId(-1);
};

// NextSequence adds `count` to a sequence number, wrapping past INT32_MAX
// to 0 as Kafka's producers and brokers do.
inline int32_t NextSequence(int32_t sequence, int32_t count) {
  const int64_t next = static_cast<int64_t>(sequence) + count;
  return static_cast<int32_t>(next % (static_cast<int64_t>(INT32_MAX) + 1));
}

}  // namespace rill::client

#endif  // RILL_CLIENT_PRODUCER_BATCH_H_
