// ProducerImpl: sending each partition's sealed batches to its leader, the
// answers, and retries. See client/producer_impl.h.
#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "client/producer_impl.h"
#include "rill/error.h"

namespace rill::client {
namespace {

// Batch buffers kept for reuse.
constexpr size_t kMaxSpareBuffers = 4;

// IsRetriable: the batch may be taken if sent again — to the leader looked
// up afresh, for leader errors.
bool IsRetriable(const absl::Status& status) {
  switch (GetErrorReason(status)) {
    case ErrorReason::kNotEnoughReplicas:
    case ErrorReason::kNotEnoughReplicasAfterAppend:
    case ErrorReason::kRequestTimedOut:
      return true;
    default:
      return IsLeaderError(status);
  }
}

// Producer-state errors: the broker no longer accepts this producer id's
// sequence, so a new id is needed (Kafka's producer bumps its epoch).
bool NeedsNewProducerId(const absl::Status& status) {
  const ErrorReason reason = GetErrorReason(status);
  return reason == ErrorReason::kOutOfOrderSequenceNumber ||
         reason == ErrorReason::kInvalidProducerEpoch ||
         reason == ErrorReason::kUnknownProducerId;
}

}  // namespace

absl::StatusOr<std::shared_ptr<Broker>> ProducerImpl::PrepareHeadLocked(
    const TopicPartition& tp, PartitionQueue& queue, int64_t* timeout_ms) {
  ProducerBatch& batch = *queue.sealed.front();
  if (batch.bytes.empty()) {
    if (options_.enable_idempotence) {
      batch.base_sequence = queue.next_sequence;
      queue.next_sequence =
          NextSequence(batch.base_sequence, batch.record_count);
      batch.producer_id = producer_id_.producer_id;
      batch.builder.set_producer(producer_id_.producer_id.value(),
                                 producer_id_.epoch.value(),
                                 batch.base_sequence);
    }
    absl::StatusOr<std::string> built = batch.builder.Build();
    if (!built.ok()) return absl::InternalError("the batch could not be built");
    batch.bytes = *std::move(built);
  }
  // One send waits request.timeout.ms, and never past delivery.timeout.ms.
  *timeout_ms = std::clamp<int64_t>(
      batch.created_ms + options_.delivery_timeout_ms - clock_->NowMs(), 1,
      options_.request_timeout_ms);
  // A leader found unreachable is looked up once more at once: metadata
  // may already name its successor.
  for (int attempt = 0;; ++attempt) {
    if (queue.leader.value() < 0) {
      absl::StatusOr<ProducerTopic*> topic =
          GetTopicLocked(tp.topic, /*refresh=*/true);
      if (!topic.ok()) return topic.status();
    }
    if (queue.leader.value() < 0) {
      return MakeError(ErrorReason::kLeaderNotAvailable,
                       absl::StrCat(tp.ToString(), " has no leader now"));
    }
    // Directories answer without waiting on a broker: fine under mu_.
    if (std::shared_ptr<Broker> broker =
            router_->directory().Get(queue.leader)) {
      return broker;
    }
    if (attempt == 1) {
      return MakeError(
          ErrorReason::kLeaderNotAvailable,
          absl::StrCat("broker ", queue.leader.value(), ", leader of ",
                       tp.ToString(), ", is not reachable"));
    }
    queue.leader = NodeId(-1);
  }
}

void ProducerImpl::Drain(const TopicPartition& tp, PartitionQueue* queue) {
  while (true) {
    std::span<char> bytes;
    int64_t timeout_ms = 0;
    absl::StatusOr<std::shared_ptr<Broker>> leader;
    {
      absl::MutexLock lock(&mu_);
      if (queue->sealed.empty() && queue->open && options_.linger_ms == 0 &&
          !queue->backing_off) {
        SealLocked(tp, *queue);  // we are its sender already
      }
      if (queue->sealed.empty() || queue->backing_off) {
        queue->sending = false;
        return;
      }
      leader = PrepareHeadLocked(tp, *queue, &timeout_ms);
      ProducerBatch& batch = *queue->sealed.front();
      bytes = std::span<char>(batch.bytes.data(), batch.bytes.size());
    }
    if (!leader.ok()) {
      if (!Complete(tp, queue, leader.status(), /*sent=*/false)) return;
      continue;
    }
    // Held for this call only (see BrokerDirectory).
    std::shared_ptr<Broker> broker = *std::move(leader);
    // An answer given before Produce returns is handled by this loop; one
    // given later continues the drain on the producer's timer thread.
    struct Answer {
      absl::Mutex mu;
      bool returned ABSL_GUARDED_BY(mu) = false;
      std::optional<absl::StatusOr<ProduceResult>> result ABSL_GUARDED_BY(mu);
    };
    auto answer = std::make_shared<Answer>();
    auto on_answer = [this, tp, queue,
                      answer](absl::StatusOr<ProduceResult> result) {
      {
        absl::MutexLock lock(&answer->mu);
        if (!answer->returned) {
          answer->result = std::move(result);
          return;
        }
      }
      // This is a broker's thread (a follower's fetch completing acks=all,
      // a timeout, a leader change): delivery callbacks and the next send
      // must neither run on it nor hold it up.
      timers_.ScheduleAfter(
          0, [this, tp, queue, result = std::move(result)]() mutable {
            if (Complete(tp, queue, std::move(result), /*sent=*/true)) {
              Drain(tp, queue);
            }
          });
    };
    broker->Produce(tp, bytes,
                    {.acks = options_.acks, .timeout_ms = timeout_ms},
                    std::move(on_answer));
    broker.reset();
    std::optional<absl::StatusOr<ProduceResult>> result;
    {
      absl::MutexLock lock(&answer->mu);
      answer->returned = true;
      result = std::move(answer->result);
    }
    if (!result) return;  // the callback takes over
    if (!Complete(tp, queue, *std::move(result), /*sent=*/true)) return;
  }
}

void ProducerImpl::RetryLocked(const TopicPartition& tp,
                               PartitionQueue* queue) {
  queue->backing_off = true;
  queue->sending = false;
  timers_.ScheduleAfter(options_.retry_backoff_ms, [this, tp, queue] {
    {
      absl::MutexLock retry_lock(&mu_);
      queue->backing_off = false;
      if (queue->sending) return;
      queue->sending = true;
    }
    Drain(tp, queue);
  });
}

void ProducerImpl::RenewProducerIdLocked() {
  absl::StatusOr<std::shared_ptr<Broker>> broker = router_->AnyBroker();
  if (!broker.ok()) return;  // the next producer-state error tries again
  absl::StatusOr<ProducerIdAndEpoch> fresh = (*broker)->InitProducerId();
  if (!fresh.ok()) return;
  producer_id_ = *fresh;
  for (auto& [name, topic] : topics_) {
    for (auto& partition : topic.partitions) partition->next_sequence = 0;
  }
}

bool ProducerImpl::Complete(const TopicPartition& tp, PartitionQueue* queue,
                            absl::StatusOr<ProduceResult> result, bool sent) {
  std::unique_ptr<ProducerBatch> batch;
  {
    absl::MutexLock lock(&mu_);
    ProducerBatch& head = *queue->sealed.front();
    if (!result.ok()) {
      const absl::Status& status = result.status();
      // A topic no live broker knows is gone, not moving.
      const bool gone =
          !sent &&
          HasErrorReason(status, ErrorReason::kUnknownTopicOrPartition);
      if (IsRetriable(status) && !gone) {
        // Refused before its append (NOT_ENOUGH_REPLICAS) it was not
        // taken; after others (a timeout, a leader change) it may have
        // been.
        if (sent && !HasErrorReason(status, ErrorReason::kNotEnoughReplicas)) {
          head.maybe_appended = true;
        }
        // Looked up again before the retry: after a leader error, and
        // after a timeout too (a leader cut off from its cluster holds
        // sends until they time out, and may have been replaced).
        queue->leader = NodeId(-1);
        if (!closed_ &&
            clock_->NowMs() - head.created_ms < options_.delivery_timeout_ms) {
          RetryLocked(tp, queue);
          return false;
        }
      }
    }
    batch = std::move(queue->sealed.front());
    queue->sealed.pop_front();
    if (!result.ok()) {
      if (failure_.ok()) failure_ = result.status();
      // Sequences of the current session only: an older one's are moot.
      const bool current = batch->base_sequence >= 0 &&
                           batch->producer_id == producer_id_.producer_id;
      if (current &&
          (batch->maybe_appended || NeedsNewProducerId(result.status()))) {
        // The broker may hold the batch under these sequence numbers, or
        // no longer accepts ours: a new session starts over at 0.
        RenewProducerIdLocked();
      } else if (current) {
        // The broker did not take the batch: its sequence numbers are free.
        queue->next_sequence = batch->base_sequence;
      }
    }
    // The broker has copied the bytes: the buffer builds a later batch
    // (fresh large buffers would cost page faults every batch).
    if (spare_buffers_.size() < kMaxSpareBuffers &&
        batch->bytes.capacity() >= static_cast<size_t>(options_.batch_size)) {
      spare_buffers_.push_back(std::move(batch->bytes));
    }
  }
  for (PendingDelivery& delivery : batch->deliveries) {
    if (!result.ok()) {
      delivery.done(result.status());
      continue;
    }
    delivery.done(
        RecordMetadata{.tp = tp,
                       .offset = result->base_offset + delivery.index,
                       .timestamp_ms = result->log_append_time_ms >= 0
                                           ? result->log_append_time_ms
                                           : delivery.timestamp_ms});
  }
  // Only now: Flush returns once every callback has run, as Kafka's does.
  absl::MutexLock lock(&mu_);
  unacked_ -= batch->record_count;
  if (unacked_ == 0) idle_.SignalAll();
  return true;
}

}  // namespace rill::client
