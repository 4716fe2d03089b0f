// ProducerImpl: see rill/client/producer.h.
//
// Send appends to the partition's open batch under one mutex. A batch is
// sealed when full, when linger.ms passes (the producer's timer), or on
// Flush; sealed batches of a partition are sent one at a time, in order, by
// whichever thread sealed the first of them (`PartitionQueue::sending`), so
// sequences reach the broker in order. Retriable errors keep the batch at
// the head of its queue and retry it, unchanged, after retry.backoff.ms until
// delivery.timeout.ms; other errors fail its records.
#include "rill/client/producer.h"

#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "client/producer_batch.h"
#include "rill/error.h"
#include "util/status_macros.h"
#include "util/timer_queue.h"

namespace rill::client {
namespace {

// metadata.max.age.ms: partition counts are re-read this often, so keyed
// records follow a topic that grew.
constexpr int64_t kMetadataMaxAgeMs = 300'000;
// Bytes a record adds to a batch beyond its key, value and headers, at most
// (length, attributes, timestamp and offset deltas, lengths, header count).
constexpr size_t kRecordOverhead = 5 + 1 + 10 + 5 + 5 + 5 + 5;
// Batch buffers kept for reuse.
constexpr size_t kMaxSpareBuffers = 4;

bool IsRetriable(const absl::Status& status) {
  switch (GetErrorReason(status)) {
    case ErrorReason::kNotEnoughReplicas:
    case ErrorReason::kNotEnoughReplicasAfterAppend:
    case ErrorReason::kNotLeaderOrFollower:
    case ErrorReason::kLeaderNotAvailable:
    case ErrorReason::kRequestTimedOut:
    case ErrorReason::kKafkaStorageError:
      return true;
    default:
      return false;
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

struct TopicState {
  int32_t num_partitions = 0;
  int64_t refreshed_ms = 0;
  // Set when a batch opens past metadata.max.age.ms, so that the next Send
  // re-reads the partition count (Send itself reads no clock).
  bool stale = false;
  std::vector<std::unique_ptr<PartitionQueue>> partitions;
};

class ProducerImpl final : public Producer {
 public:
  ProducerImpl(Broker& broker, ProducerOptions options,
               ProducerIdAndEpoch producer_id)
      : broker_(broker),
        options_(std::move(options)),
        clock_(options_.clock ? options_.clock : broker.clock()),
        partitioner_(options_.partitioner ? options_.partitioner
                                          : std::shared_ptr<Partitioner>(
                                                NewDefaultPartitioner())),
        timers_(clock_),
        producer_id_(producer_id) {}

  ~ProducerImpl() override { (void)Close(); }

  absl::Status Send(const ProducerRecord& record,
                    DeliveryCallback done) override;
  absl::Status Flush() override;
  absl::Status Close() override;
  ProducerIdAndEpoch producer_id() const override {
    absl::MutexLock lock(&mu_);
    return producer_id_;
  }

 private:
  absl::StatusOr<TopicState*> GetTopicLocked(std::string_view topic,
                                             bool refresh)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // StartBatchLocked opens a batch (and its linger timer) for `tp`.
  void StartBatchLocked(TopicState& topic, const TopicPartition& tp,
                        PartitionQueue& queue)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // SealLocked moves the open batch to the send queue; true if the caller
  // must now Drain the queue (nobody is sending it).
  bool SealLocked(const TopicPartition& tp, PartitionQueue& queue)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnLinger(const TopicPartition& tp, PartitionQueue* queue,
                uint64_t batch_number) ABSL_LOCKS_EXCLUDED(mu_);
  // Drain sends `queue`'s sealed batches in order until it is empty or
  // backing off, or until an answer is left to a later callback.
  void Drain(const TopicPartition& tp, PartitionQueue* queue)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Complete handles the broker's answer to the queue's head batch; false
  // when sending must stop (backing off).
  bool Complete(const TopicPartition& tp, PartitionQueue* queue,
                absl::StatusOr<ProduceResult> result) ABSL_LOCKS_EXCLUDED(mu_);

  Broker& broker_;
  const ProducerOptions options_;
  const std::shared_ptr<Clock> clock_;
  const std::shared_ptr<Partitioner> partitioner_;
  util::TimerQueue timers_;

  mutable absl::Mutex mu_;
  absl::CondVar idle_;  // signalled when unacked_ drops to 0
  ProducerIdAndEpoch producer_id_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, TopicState> topics_ ABSL_GUARDED_BY(mu_);
  int64_t unacked_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::string> spare_buffers_ ABSL_GUARDED_BY(mu_);
  // The topic of the previous Send: most producers send to one topic, so
  // this skips hashing its name.
  std::string_view last_topic_name_ ABSL_GUARDED_BY(mu_);
  TopicState* last_topic_ ABSL_GUARDED_BY(mu_) = nullptr;
  // The first failure since the last Flush, which returns it.
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

absl::StatusOr<TopicState*> ProducerImpl::GetTopicLocked(std::string_view name,
                                                         bool refresh) {
  if (last_topic_ != nullptr && !refresh && !last_topic_->stale &&
      name == last_topic_name_) {
    return last_topic_;
  }
  const absl::string_view key(name.data(), name.size());
  auto it = topics_.find(key);
  if (it != topics_.end() && !refresh && !it->second.stale) {
    last_topic_name_ = std::string_view(it->first);
    last_topic_ = &it->second;
    return &it->second;
  }
  ASSIGN_OR_RETURN(TopicDescription description, broker_.DescribeTopic(name));
  TopicState& topic = topics_[key];
  topic.num_partitions = static_cast<int32_t>(description.partitions.size());
  topic.refreshed_ms = clock_->NowMs();
  topic.stale = false;
  // topics_ may have rehashed: the cached pointer is re-taken on next use.
  last_topic_ = nullptr;
  while (static_cast<int32_t>(topic.partitions.size()) < topic.num_partitions) {
    topic.partitions.push_back(std::make_unique<PartitionQueue>());
  }
  return &topic;
}

void ProducerImpl::StartBatchLocked(TopicState& topic, const TopicPartition& tp,
                                    PartitionQueue& queue) {
  const int64_t now = clock_->NowMs();
  if (now - topic.refreshed_ms >= kMetadataMaxAgeMs) topic.stale = true;
  queue.open = std::make_unique<ProducerBatch>(
      record::BatchOptions{.compression = options_.compression_type}, now);
  std::string buffer;
  if (!spare_buffers_.empty()) {
    buffer = std::move(spare_buffers_.back());
    spare_buffers_.pop_back();
  }
  queue.open->builder.Reserve(static_cast<size_t>(options_.batch_size),
                              std::move(buffer));
  const uint64_t batch_number = ++queue.batches_opened;
  if (options_.linger_ms > 0) {
    PartitionQueue* target = &queue;
    queue.linger_timer = timers_.ScheduleAfter(
        options_.linger_ms, [this, tp, target, batch_number] {
          OnLinger(tp, target, batch_number);
        });
  }
}

bool ProducerImpl::SealLocked(const TopicPartition& tp, PartitionQueue& queue) {
  if (queue.linger_timer != 0) {
    timers_.Cancel(queue.linger_timer);
    queue.linger_timer = 0;
  }
  queue.sealed.push_back(std::move(queue.open));
  partitioner_->OnNewBatch(tp.topic, tp.partition);
  if (queue.sending || queue.backing_off) return false;
  queue.sending = true;
  return true;
}

absl::Status ProducerImpl::Send(const ProducerRecord& record,
                                DeliveryCallback done) {
  size_t size = kRecordOverhead + (record.key ? record.key->size() : 0) +
                (record.value ? record.value->size() : 0);
  for (const record::RecordHeader& h : record.headers) {
    size += h.key.size() + (h.value ? h.value->size() : 0) + 10;
  }
  if (size > static_cast<size_t>(options_.max_request_size)) {
    return MakeError(ErrorReason::kMessageTooLarge,
                     absl::StrCat("a record of about ", size,
                                  " bytes is larger than max.request.size ",
                                  options_.max_request_size));
  }
  if (record.timestamp_ms < -1) {
    return absl::InvalidArgumentError("a record timestamp must be >= 0");
  }
  const int64_t timestamp =
      record.timestamp_ms >= 0 ? record.timestamp_ms : clock_->NowMs();

  TopicPartition tp;
  PartitionQueue* queue;
  bool drain = false;
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return absl::FailedPreconditionError("producer is closed");
    ASSIGN_OR_RETURN(TopicState * topic, GetTopicLocked(record.topic, false));
    PartitionId partition;
    if (record.partition) {
      partition = *record.partition;
      if (partition.value() >= topic->num_partitions) {
        ASSIGN_OR_RETURN(topic, GetTopicLocked(record.topic, true));
      }
      if (partition.value() < 0 || partition.value() >= topic->num_partitions) {
        return MakeError(
            ErrorReason::kUnknownTopicOrPartition,
            absl::StrCat("topic ", std::string(record.topic), " has ",
                         topic->num_partitions, " partitions, not ",
                         partition.value() + 1));
      }
    } else {
      ASSIGN_OR_RETURN(partition,
                       partitioner_->Partition(record.topic, record.key,
                                               topic->num_partitions, {}));
    }
    tp = TopicPartition{std::string(record.topic), partition};
    queue = topic->partitions[partition.value()].get();
    if (queue->open && queue->open->record_count > 0 &&
        queue->open->builder.EstimatedSize() + size >
            static_cast<size_t>(options_.batch_size)) {
      drain |= SealLocked(tp, *queue);
    }
    if (!queue->open) StartBatchLocked(*topic, tp, *queue);
    ProducerBatch& batch = *queue->open;
    record::Record r{
        .timestamp_ms = timestamp, .key = record.key, .value = record.value};
    if (!record.headers.empty()) {
      r.headers.assign(record.headers.begin(), record.headers.end());
    }
    batch.builder.Append(r);
    if (done) {
      batch.deliveries.push_back({.index = batch.record_count,
                                  .timestamp_ms = timestamp,
                                  .done = std::move(done)});
    }
    ++batch.record_count;
    ++unacked_;
    // linger.ms=0: nothing waits for company, but records sent while the
    // partition's previous batch is in flight share the next one (the
    // sender seals it when that answer comes).
    if ((options_.linger_ms == 0 && !queue->sending) ||
        batch.builder.EstimatedSize() >=
            static_cast<size_t>(options_.batch_size)) {
      drain |= SealLocked(tp, *queue);
    }
  }
  if (drain) Drain(tp, queue);
  return absl::OkStatus();
}

void ProducerImpl::OnLinger(const TopicPartition& tp, PartitionQueue* queue,
                            uint64_t batch_number) {
  bool drain = false;
  {
    absl::MutexLock lock(&mu_);
    // The batch this timer was set for may have been sealed already.
    if (!queue->open || queue->batches_opened != batch_number) return;
    queue->linger_timer = 0;
    drain = SealLocked(tp, *queue);
  }
  if (drain) Drain(tp, queue);
}

void ProducerImpl::Drain(const TopicPartition& tp, PartitionQueue* queue) {
  while (true) {
    std::span<char> bytes;
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
      ProducerBatch& batch = *queue->sealed.front();
      if (batch.bytes.empty()) {
        if (options_.enable_idempotence) {
          batch.base_sequence = queue->next_sequence;
          queue->next_sequence =
              NextSequence(batch.base_sequence, batch.record_count);
          batch.builder.set_producer(producer_id_.producer_id.value(),
                                     producer_id_.epoch.value(),
                                     batch.base_sequence);
        }
        absl::StatusOr<std::string> built = batch.builder.Build();
        if (built.ok()) batch.bytes = *std::move(built);
      }
      bytes = std::span<char>(batch.bytes.data(), batch.bytes.size());
    }
    // An answer given before Produce returns is handled by this loop; one
    // given later continues the drain from the callback.
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
      if (Complete(tp, queue, std::move(result))) Drain(tp, queue);
    };
    if (bytes.empty()) {
      on_answer(absl::InternalError("the batch could not be built"));
    } else {
      broker_.Produce(
          tp, bytes,
          {.acks = options_.acks, .timeout_ms = options_.delivery_timeout_ms},
          std::move(on_answer));
    }
    std::optional<absl::StatusOr<ProduceResult>> result;
    {
      absl::MutexLock lock(&answer->mu);
      answer->returned = true;
      result = std::move(answer->result);
    }
    if (!result) return;  // the callback takes over
    if (!Complete(tp, queue, *std::move(result))) return;
  }
}

bool ProducerImpl::Complete(const TopicPartition& tp, PartitionQueue* queue,
                            absl::StatusOr<ProduceResult> result) {
  std::unique_ptr<ProducerBatch> batch;
  {
    absl::MutexLock lock(&mu_);
    ProducerBatch& head = *queue->sealed.front();
    if (!result.ok() && IsRetriable(result.status()) && !closed_ &&
        clock_->NowMs() - head.created_ms < options_.delivery_timeout_ms) {
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
      return false;
    }
    batch = std::move(queue->sealed.front());
    queue->sealed.pop_front();
    if (!result.ok()) {
      if (failure_.ok()) failure_ = result.status();
      if (batch->base_sequence >= 0) {
        // The broker did not take the batch: its sequence numbers are free.
        queue->next_sequence = batch->base_sequence;
      }
      if (NeedsNewProducerId(result.status())) {
        absl::StatusOr<ProducerIdAndEpoch> fresh = broker_.InitProducerId();
        if (fresh.ok()) {
          producer_id_ = *fresh;
          for (auto& [name, topic] : topics_) {
            for (auto& partition : topic.partitions) {
              partition->next_sequence = 0;
            }
          }
        }
      }
    }
    unacked_ -= batch->record_count;
    if (unacked_ == 0) idle_.SignalAll();
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
  return true;
}

absl::Status ProducerImpl::Flush() {
  std::vector<std::pair<TopicPartition, PartitionQueue*>> to_drain;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [name, topic] : topics_) {
      for (size_t p = 0; p < topic.partitions.size(); ++p) {
        PartitionQueue& queue = *topic.partitions[p];
        if (!queue.open) continue;
        TopicPartition tp{name, PartitionId(static_cast<int32_t>(p))};
        if (SealLocked(tp, queue)) to_drain.emplace_back(std::move(tp), &queue);
      }
    }
  }
  for (auto& [tp, queue] : to_drain) Drain(tp, queue);
  absl::MutexLock lock(&mu_);
  while (unacked_ > 0) idle_.Wait(&mu_);
  return std::exchange(failure_, absl::OkStatus());
}

absl::Status ProducerImpl::Close() {
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return absl::OkStatus();
  }
  absl::Status flushed = Flush();
  {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }
  timers_.Shutdown();
  return flushed;
}

}  // namespace

}  // namespace rill::client

namespace rill {

absl::StatusOr<std::unique_ptr<Producer>> Producer::Create(
    Broker& broker, ProducerOptions options) {
  if (options.batch_size < 1 || options.linger_ms < 0 ||
      options.max_request_size < 1 || options.delivery_timeout_ms < 1 ||
      options.retry_backoff_ms < 0) {
    return absl::InvalidArgumentError(
        "batch.size, max.request.size and delivery.timeout.ms must be "
        "positive; linger.ms and retry.backoff.ms not negative");
  }
  if (options.enable_idempotence && options.acks != Acks::kAll) {
    return absl::InvalidArgumentError(
        "enable.idempotence requires acks=all (as Kafka's producer does)");
  }
  ProducerIdAndEpoch producer_id;
  if (options.enable_idempotence) {
    ASSIGN_OR_RETURN(producer_id, broker.InitProducerId());
  }
  return std::unique_ptr<Producer>(
      new client::ProducerImpl(broker, std::move(options), producer_id));
}

std::future<absl::StatusOr<RecordMetadata>> Producer::SendWithFuture(
    const ProducerRecord& record) {
  auto promise =
      std::make_shared<std::promise<absl::StatusOr<RecordMetadata>>>();
  std::future<absl::StatusOr<RecordMetadata>> future = promise->get_future();
  absl::Status sent =
      Send(record, [promise](absl::StatusOr<RecordMetadata> metadata) {
        promise->set_value(std::move(metadata));
      });
  if (!sent.ok()) promise->set_value(sent);
  return future;
}

}  // namespace rill
