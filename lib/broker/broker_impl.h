// BrokerImpl: the Broker (include/rill/broker/broker.h) — topics over a
// LogManager, a Partition per topic partition, the fetch purgatory, producer
// ids, and the group coordinator over the `__consumer_offsets` partitions.
//
// Topics, partitions and their leaders come from cluster metadata: the
// broker registers with the controller, forwards topic administration to
// it, and applies every new ClusterImage (broker_metadata.cc): it opens the
// partitions it has a replica of, leads or follows each as the image says
// (followers fetch through the ReplicaFetcher), and drops what moved away.
// Without a cluster in its options it is a cluster of one, with its own
// controller over a durable store in its data directory.
//
// Data layout under data_dir:
//   meta.properties                   cluster.id and broker.id
//   <topic>-<n>/                      partition logs (the LogManager's)
//   __rill_metadata/cluster/          a cluster of one's metadata (the
//                                     durable MetadataStore)
//   __rill_metadata/producer_ids      the next reserved producer id block
#ifndef RILL_BROKER_BROKER_IMPL_H_
#define RILL_BROKER_BROKER_IMPL_H_

#include <atomic>
#include <map>
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
#include "rill/replication/cluster_image.h"
#include "rill/replication/replica_fetcher.h"
#include "util/timer_queue.h"

namespace rill::broker {

// Where the broker's own files go under data_dir (see above).
inline constexpr char kMetadataDir[] = "__rill_metadata";
inline constexpr char kClusterMetadataDir[] = "__rill_metadata/cluster";

// Topic is an immutable snapshot of one topic as this broker serves it:
// each new image builds a new one and swaps it in, so the produce and fetch
// paths read topics under a shared lock without copying partitions.
struct Topic {
  std::shared_ptr<const replication::TopicState> state;
  TopicConfig config;
  // By partition id; null where this broker has no replica.
  std::vector<std::shared_ptr<Partition>> partitions;
};

// BrokerImpl: see Broker. Lock order: admin_mu_, then apply_mu_, then mu_;
// partitions lock on their own and are never called with mu_ held. The
// controller is never called with apply_mu_ or mu_ held (its commits apply
// images on the calling thread).
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

  std::vector<ClusterNode> LiveBrokers() override;
  absl::StatusOr<NodeId> FindGroupCoordinator(
      std::string_view group_id) override;
  GroupCoordinator& group_coordinator() override { return *coordinator_; }
  absl::Status RunMaintenance() override;
  absl::Status Close() override;

  // --- Replication (broker_metadata.cc) -------------------------------------
  // OffsetsForLeaderEpoch answers a follower (or a KIP-320 consumer): where
  // `epoch` ends in this leader's log.
  absl::StatusOr<EpochEndOffset> OffsetForLeaderEpoch(
      const TopicPartition& tp, LeaderEpoch current_leader_epoch,
      LeaderEpoch epoch) override;

 private:
  explicit BrokerImpl(BrokerOptions options);
  absl::Status Load();
  // JoinCluster creates the broker's own controller (cluster of one) or
  // uses the given one, subscribes to metadata and registers.
  absl::Status JoinCluster();
  // ImportStoredTopics brings a cluster of one's topics kept by earlier
  // versions (the topic store) into its metadata.
  absl::Status ImportStoredTopics();
  // ApplyImage makes the broker serve what `image` says (see the header
  // comment); runs for every image, in order.
  void ApplyImage(const std::shared_ptr<const replication::ClusterImage>& image)
      ABSL_LOCKS_EXCLUDED(apply_mu_, mu_);
  absl::StatusOr<std::shared_ptr<const Topic>> ApplyTopic(
      const std::shared_ptr<const replication::TopicState>& state,
      const std::shared_ptr<const Topic>& old)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);
  // DropTopic closes and deletes this broker's replicas of a topic.
  void DropTopic(const Topic& topic) ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);
  void DropPartition(const std::shared_ptr<Partition>& partition)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);
  // Lead/Follow act on a partition's role change.
  void OnRoleChange(const std::shared_ptr<Partition>& partition,
                    const replication::PartitionState& state, RoleChange change)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);
  // WaitForMetadata waits until the image at `version` (or a later one) is
  // applied here.
  void WaitForMetadata(int64_t version) ABSL_LOCKS_EXCLUDED(apply_mu_);
  // ResolveTopicConfig: the topic's overrides over the broker's defaults.
  absl::StatusOr<TopicConfig> ResolveTopicConfig(
      const std::map<std::string, std::string>& overrides) const;
  // Periodic replication work on timers_ (in a cluster): heartbeats and
  // ISR changes.
  void ScheduleHeartbeat();
  void ScheduleIsrCheck();
  void CheckIsr();
  void ProposeIsrChange(const std::shared_ptr<Partition>& partition);
  void ScheduleProducerStateSnapshots();

  // GetTopic returns the topic or kUnknownTopicOrPartition.
  absl::StatusOr<std::shared_ptr<const Topic>> GetTopic(std::string_view name)
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::shared_ptr<Partition>> GetPartition(
      const TopicPartition& tp) ABSL_LOCKS_EXCLUDED(mu_);
  // --- Groups (broker_groups.cc) -------------------------------------------
  // GetOffsetsPartition backs the group coordinator's GroupLog.
  absl::StatusOr<std::shared_ptr<Partition>> GetOffsetsPartition(int32_t p,
                                                                 bool create);
  // CreateOffsetsTopic creates `__consumer_offsets` unless it exists.
  absl::Status CreateOffsetsTopic() ABSL_LOCKS_EXCLUDED(admin_mu_);
  // FollowOffsetsLeadership loads the groups of an offsets partition this
  // broker now leads, or unloads them when it no longer does.
  void FollowOffsetsLeadership(const std::shared_ptr<Partition>& partition);

  // Topic administration, with admin_mu_ held.
  absl::Status CreateTopicLocked(const NewTopic& topic, bool validate_only)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(admin_mu_);
  absl::Status UpdateTopicConfigsLocked(
      std::string_view topic, std::map<std::string, std::string> overrides,
      bool validate_only) ABSL_EXCLUSIVE_LOCKS_REQUIRED(admin_mu_);
  // OpenPartition opens this broker's replica of a partition.
  absl::StatusOr<std::shared_ptr<Partition>> OpenPartition(
      const TopicPartition& tp, const TopicConfig& config,
      const replication::PartitionState& state);

  const BrokerOptions options_;
  const std::shared_ptr<io::FileSystem> fs_;
  const std::shared_ptr<Clock> clock_;
  const std::shared_ptr<Logger> logger_;
  const std::string data_dir_;
  std::string cluster_id_;

  std::unique_ptr<util::TimerQueue> timers_;
  std::unique_ptr<LogManager> logs_;
  std::unique_ptr<ProducerIdAllocator> producer_ids_;
  std::unique_ptr<FetchPurgatory> purgatory_;
  std::unique_ptr<OffsetsGroupLog> group_log_;
  std::unique_ptr<GroupCoordinator> coordinator_;

  // The cluster: given in the options, or the broker's own (standalone_).
  bool standalone_ = false;
  std::shared_ptr<replication::MetadataStore> store_;
  std::shared_ptr<replication::Controller> controller_;
  std::unique_ptr<replication::ReplicaFetcher> fetcher_;
  replication::MetadataSubscription subscription_;
  std::atomic<int64_t> broker_epoch_{-1};

  // Serializes topic administration (create, delete, alter, grow).
  absl::Mutex admin_mu_ ABSL_ACQUIRED_BEFORE(apply_mu_);
  // Serializes image application.
  absl::Mutex apply_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  absl::CondVar applied_;  // signalled when applied_version_ grows
  int64_t applied_version_ ABSL_GUARDED_BY(apply_mu_) = -1;
  bool stopped_applying_ ABSL_GUARDED_BY(apply_mu_) = false;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const Topic>> topics_
      ABSL_GUARDED_BY(mu_);
  // The image topics_ was built from.
  std::shared_ptr<const replication::ClusterImage> image_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(admin_mu_) = false;
};

}  // namespace rill::broker

#endif  // RILL_BROKER_BROKER_IMPL_H_
