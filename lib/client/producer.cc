// ProducerImpl: Send, batching, Flush and Close. See client/producer_impl.h.
#include "rill/client/producer.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "client/producer_impl.h"
#include "rill/error.h"
#include "util/status_macros.h"

namespace rill::client {
namespace {

// metadata.max.age.ms: partition counts are re-read this often, so keyed
// records follow a topic that grew.
constexpr int64_t kMetadataMaxAgeMs = 300'000;
// Bytes a record adds to a batch beyond its key, value and headers, at most
// (length, attributes, timestamp and offset deltas, lengths, header count).
constexpr size_t kRecordOverhead = 5 + 1 + 10 + 5 + 5 + 5 + 5;

}  // namespace

ProducerImpl::ProducerImpl(std::shared_ptr<Router> router,
                           ProducerOptions options,
                           std::shared_ptr<Clock> clock,
                           ProducerIdAndEpoch producer_id)
    : router_(std::move(router)),
      options_(std::move(options)),
      clock_(std::move(clock)),
      partitioner_(options_.partitioner
                       ? options_.partitioner
                       : std::shared_ptr<Partitioner>(NewDefaultPartitioner())),
      timers_(clock_),
      producer_id_(producer_id) {}

absl::StatusOr<ProducerTopic*> ProducerImpl::GetTopicLocked(
    std::string_view name, bool refresh) {
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
  absl::StatusOr<TopicDescription> described = router_->DescribeTopic(name);
  if (!described.ok()) {
    if (it != topics_.end() && !refresh &&
        !HasErrorReason(described.status(),
                        ErrorReason::kUnknownTopicOrPartition)) {
      // A periodic refresh that no broker could answer (the cluster is
      // restarting): go on with what is known, and look again later.
      it->second.stale = false;
      it->second.refreshed_ms = clock_->NowMs();
      return &it->second;
    }
    return described.status();
  }
  const TopicDescription& description = *described;
  ProducerTopic& topic = topics_[key];
  topic.num_partitions = static_cast<int32_t>(description.partitions.size());
  topic.refreshed_ms = clock_->NowMs();
  topic.stale = false;
  // topics_ may have rehashed: the cached pointer is re-taken on next use.
  last_topic_ = nullptr;
  while (static_cast<int32_t>(topic.partitions.size()) < topic.num_partitions) {
    topic.partitions.push_back(std::make_unique<PartitionQueue>());
  }
  for (int32_t p = 0; p < topic.num_partitions; ++p) {
    topic.partitions[p]->leader = description.partitions[p].leader;
  }
  return &topic;
}

void ProducerImpl::StartBatchLocked(ProducerTopic& topic,
                                    const TopicPartition& tp,
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
    ASSIGN_OR_RETURN(ProducerTopic * topic,
                     GetTopicLocked(record.topic, false));
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

}  // namespace rill::client

namespace rill {

absl::StatusOr<std::unique_ptr<Producer>> Producer::Create(
    Broker& broker, ProducerOptions options) {
  return Create(NewSingleBrokerDirectory(broker), std::move(options));
}

absl::StatusOr<std::unique_ptr<Producer>> Producer::Create(
    std::shared_ptr<BrokerDirectory> brokers, ProducerOptions options) {
  if (brokers == nullptr) {
    return absl::InvalidArgumentError("a producer needs brokers");
  }
  if (options.batch_size < 1 || options.linger_ms < 0 ||
      options.max_request_size < 1 || options.delivery_timeout_ms < 1 ||
      options.retry_backoff_ms < 0 || options.request_timeout_ms < 1) {
    return absl::InvalidArgumentError(
        "batch.size, max.request.size, delivery.timeout.ms and "
        "request.timeout.ms must be positive; linger.ms and "
        "retry.backoff.ms not negative");
  }
  if (options.enable_idempotence && options.acks != Acks::kAll) {
    return absl::InvalidArgumentError(
        "enable.idempotence requires acks=all (as Kafka's producer does)");
  }
  auto router = std::make_shared<client::Router>(std::move(brokers));
  std::shared_ptr<Clock> clock = options.clock;
  ProducerIdAndEpoch producer_id;
  if (clock == nullptr || options.enable_idempotence) {
    ASSIGN_OR_RETURN(std::shared_ptr<Broker> broker, router->AnyBroker());
    if (clock == nullptr) clock = broker->clock();
    if (options.enable_idempotence) {
      ASSIGN_OR_RETURN(producer_id, broker->InitProducerId());
    }
  }
  return std::unique_ptr<Producer>(new client::ProducerImpl(
      std::move(router), std::move(options), std::move(clock), producer_id));
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
