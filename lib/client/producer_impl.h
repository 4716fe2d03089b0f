// client/producer_impl.h — the Producer behind rill/client/producer.h.
//
// Send appends to the partition's open batch under one mutex. A batch is
// sealed when full, when linger.ms passes (the producer's timer), or on
// Flush; sealed batches of a partition are sent one at a time, in order, by
// whichever thread sealed the first of them (`PartitionQueue::sending`), so
// sequences reach the broker in order. Each goes to the partition's leader,
// cached per partition from DescribeTopic (Send itself looks nothing up
// once the topic is known). Retriable errors keep the batch at the head of
// its queue and retry it, unchanged, after retry.backoff.ms until
// delivery.timeout.ms — after a leader error, to the leader looked up
// again; other errors fail its records.
//
// Split over producer.cc (Send, batching, Flush, Close) and
// producer_send.cc (sending, answers, retries).
#ifndef RILL_CLIENT_PRODUCER_IMPL_H_
#define RILL_CLIENT_PRODUCER_IMPL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "client/producer_batch.h"
#include "client/router.h"
#include "rill/client/producer.h"
#include "util/timer_queue.h"

namespace rill::client {

// ProducerTopic is what the producer knows of one topic.
struct ProducerTopic {
  int32_t num_partitions = 0;
  int64_t refreshed_ms = 0;
  // Set when a batch opens past metadata.max.age.ms, so that the next Send
  // re-reads the partition count (Send itself reads no clock).
  bool stale = false;
  std::vector<std::unique_ptr<PartitionQueue>> partitions;
};

// ProducerImpl: owned by the application; the brokers outlive it.
// Thread-safe.
class ProducerImpl final : public Producer {
 public:
  ProducerImpl(std::shared_ptr<Router> router, ProducerOptions options,
               std::shared_ptr<Clock> clock, ProducerIdAndEpoch producer_id);
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
  // --- producer.cc ---------------------------------------------------------
  // GetTopicLocked returns the topic's state, described (again) when
  // unknown, stale or `refresh`; describing updates every partition's
  // leader.
  absl::StatusOr<ProducerTopic*> GetTopicLocked(std::string_view topic,
                                                bool refresh)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // StartBatchLocked opens a batch (and its linger timer) for `tp`.
  void StartBatchLocked(ProducerTopic& topic, const TopicPartition& tp,
                        PartitionQueue& queue)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // SealLocked moves the open batch to the send queue; true if the caller
  // must now Drain the queue (nobody is sending it).
  bool SealLocked(const TopicPartition& tp, PartitionQueue& queue)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnLinger(const TopicPartition& tp, PartitionQueue* queue,
                uint64_t batch_number) ABSL_LOCKS_EXCLUDED(mu_);

  // --- producer_send.cc ----------------------------------------------------
  // Drain sends `queue`'s sealed batches in order until it is empty or
  // backing off, or until an answer is left to a later callback.
  void Drain(const TopicPartition& tp, PartitionQueue* queue)
      ABSL_LOCKS_EXCLUDED(mu_);
  // PrepareHeadLocked builds the head batch's bytes (assigning its
  // sequence) on its first send, and finds where it goes: the leader (held
  // for this send only), or why it cannot be sent now (no leader, or none
  // reachable; the topic is gone). Sets how long the send may wait.
  absl::StatusOr<std::shared_ptr<Broker>> PrepareHeadLocked(
      const TopicPartition& tp, PartitionQueue& queue, int64_t* timeout_ms)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Complete handles the answer to the queue's head batch; false when
  // sending must stop (backing off). `sent` is false when the batch never
  // reached a broker.
  bool Complete(const TopicPartition& tp, PartitionQueue* queue,
                absl::StatusOr<ProduceResult> result, bool sent)
      ABSL_LOCKS_EXCLUDED(mu_);
  // RetryLocked schedules the head batch's next send after
  // retry.backoff.ms.
  void RetryLocked(const TopicPartition& tp, PartitionQueue* queue)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // RenewProducerIdLocked starts a new idempotent session (its sequences
  // start at 0 on every partition).
  void RenewProducerIdLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::shared_ptr<Router> router_;
  const ProducerOptions options_;
  const std::shared_ptr<Clock> clock_;
  const std::shared_ptr<Partitioner> partitioner_;
  util::TimerQueue timers_;

  mutable absl::Mutex mu_;
  absl::CondVar idle_;  // signalled when unacked_ drops to 0
  ProducerIdAndEpoch producer_id_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, ProducerTopic> topics_ ABSL_GUARDED_BY(mu_);
  int64_t unacked_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::string> spare_buffers_ ABSL_GUARDED_BY(mu_);
  // The topic of the previous Send: most producers send to one topic, so
  // this skips hashing its name.
  std::string_view last_topic_name_ ABSL_GUARDED_BY(mu_);
  ProducerTopic* last_topic_ ABSL_GUARDED_BY(mu_) = nullptr;
  // The first failure since the last Flush, which returns it.
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace rill::client

#endif  // RILL_CLIENT_PRODUCER_IMPL_H_
