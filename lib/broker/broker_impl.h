// BrokerImpl: the Broker (include/rill/broker/broker.h) — topics over a
// LogManager, a Partition per topic partition, the fetch purgatory, producer
// ids, and the group coordinator over the `__consumer_offsets` partitions.
//
// Data layout under data_dir:
//   meta.properties                   cluster.id and broker.id
//   <topic>-<n>/                      partition logs (the LogManager's)
//   __rill_metadata/topics/<t>.topic  topic partition counts and overrides
//   __rill_metadata/producer_ids      the next reserved producer id block
#ifndef RILL_BROKER_BROKER_IMPL_H_
#define RILL_BROKER_BROKER_IMPL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "broker/fetch_purgatory.h"
#include "broker/offsets_group_log.h"
#include "broker/partition.h"
#include "broker/producer_id_allocator.h"
#include "broker/topic_config.h"
#include "broker/topic_store.h"
#include "rill/broker/broker.h"
#include "rill/log/log_manager.h"
#include "util/timer_queue.h"

namespace rill::broker {

// Topic is an immutable snapshot of one topic: administration builds a new
// one and swaps it in, so the produce and fetch paths read topics under a
// shared lock without copying partitions.
struct Topic {
  TopicRecord record;
  TopicConfig config;
  std::vector<std::shared_ptr<Partition>> partitions;
};

// BrokerImpl: see Broker. Lock order: admin_mu_ before mu_; partitions lock
// on their own and are never called with mu_ held.
class BrokerImpl final : public Broker {
 public:
  static absl::StatusOr<std::unique_ptr<Broker>> Open(BrokerOptions options);
  ~BrokerImpl() override;

  NodeId node_id() const override { return options_.node_id; }
  const BrokerOptions& options() const override { return options_; }
  const std::string& cluster_id() const override { return cluster_id_; }
  const std::shared_ptr<Clock>& clock() const override { return clock_; }

  absl::Status CreateTopic(const NewTopic& topic, bool validate_only) override;
  absl::Status DeleteTopic(std::string_view name) override;
  absl::Status CreatePartitions(std::string_view topic, int32_t total_count,
                                bool validate_only) override;
  absl::StatusOr<TopicDescription> DescribeTopic(
      std::string_view name) override;
  std::vector<std::string> ListTopics(bool include_internal) override;
  absl::StatusOr<std::vector<ConfigEntry>> DescribeTopicConfigs(
      std::string_view topic) override;
  absl::Status AlterTopicConfigs(std::string_view topic,
                                 const std::vector<ConfigChange>& changes,
                                 bool validate_only) override;
  absl::Status ReplaceTopicConfigs(
      std::string_view topic, const std::map<std::string, std::string>& configs,
      bool validate_only) override;
  std::vector<ConfigEntry> DescribeBrokerConfigs() override;

  void Produce(const TopicPartition& tp, std::span<char> batch,
               const ProduceOptions& options, ProduceCallback done) override;
  void Fetch(FetchRequest request, FetchCallback done) override;
  absl::StatusOr<ListOffsetsResult> ListOffsets(
      const TopicPartition& tp, const ListOffsetsSpec& spec) override;
  absl::StatusOr<PartitionOffsets> GetPartitionOffsets(
      const TopicPartition& tp) override;
  absl::StatusOr<Offset> DeleteRecords(const TopicPartition& tp,
                                       Offset before) override;
  absl::StatusOr<ProducerIdAndEpoch> InitProducerId() override;

  GroupCoordinator& group_coordinator() override { return *coordinator_; }
  absl::Status RunMaintenance() override;
  absl::Status Close() override;

 private:
  explicit BrokerImpl(BrokerOptions options);
  absl::Status Load();
  absl::Status LoadTopics();
  void ScheduleProducerStateSnapshots();

  // GetTopic returns the topic or kUnknownTopicOrPartition.
  absl::StatusOr<std::shared_ptr<const Topic>> GetTopic(std::string_view name)
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::shared_ptr<Partition>> GetPartition(
      const TopicPartition& tp) ABSL_LOCKS_EXCLUDED(mu_);
  // GetOffsetsPartition backs the group coordinator's GroupLog.
  absl::StatusOr<std::shared_ptr<Partition>> GetOffsetsPartition(int32_t p,
                                                                 bool create);

  // Topic administration, with admin_mu_ held.
  absl::Status CreateTopicLocked(const NewTopic& topic, bool internal,
                                 bool validate_only)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(admin_mu_);
  absl::Status UpdateTopicConfigsLocked(
      std::string_view topic, std::map<std::string, std::string> overrides,
      bool validate_only) ABSL_EXCLUSIVE_LOCKS_REQUIRED(admin_mu_);
  // OpenPartitions opens partitions [from, to) of a topic.
  absl::StatusOr<std::vector<std::shared_ptr<Partition>>> OpenPartitions(
      const std::string& topic, int32_t from, int32_t to,
      const LogConfig& config);
  void Publish(std::shared_ptr<const Topic> topic) ABSL_LOCKS_EXCLUDED(mu_);

  const BrokerOptions options_;
  const std::shared_ptr<io::FileSystem> fs_;
  const std::shared_ptr<Clock> clock_;
  const std::string data_dir_;
  std::string cluster_id_;

  std::unique_ptr<util::TimerQueue> timers_;
  std::unique_ptr<LogManager> logs_;
  std::unique_ptr<TopicStore> topic_store_;
  std::unique_ptr<ProducerIdAllocator> producer_ids_;
  std::unique_ptr<FetchPurgatory> purgatory_;
  std::unique_ptr<OffsetsGroupLog> group_log_;
  std::unique_ptr<GroupCoordinator> coordinator_;

  // Serializes topic administration (create, delete, alter, grow).
  absl::Mutex admin_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const Topic>> topics_
      ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(admin_mu_) = false;
};

}  // namespace rill::broker

#endif  // RILL_BROKER_BROKER_IMPL_H_
