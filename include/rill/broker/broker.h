// rill/broker/broker.h — a Kafka broker as a class.
//
// A Broker owns topics (partitions over segmented logs), the idempotent
// producer state of each partition, a group coordinator with its
// `__consumer_offsets` topic, and the delayed operations (long-poll fetches)
// waiting on them. Everything it stores lives under one data directory, or
// in memory, and comes back on reopen.
//
//   ASSIGN_OR_RETURN(auto broker, rill::Broker::Open({.data_dir =
//   "/var/rill"})); RETURN_IF_ERROR(broker->CreateTopic({.name = "orders",
//   .num_partitions = 3})); broker->Produce({"orders", rill::PartitionId(0)},
//   batch_bytes, {},
//                   [](absl::StatusOr<rill::ProduceResult> r) { ... });
//   broker->Fetch({.partitions = {{.tp = {"orders", rill::PartitionId(0)}}}},
//                 [](rill::FetchResult r) { ... });
//   RETURN_IF_ERROR(broker->Close());
//
// Most applications use it through rill::Producer / Consumer / Admin
// (rill/client/) or rill::testing::EmbeddedCluster; the wire server exposes it
// to Kafka clients.
#ifndef RILL_BROKER_BROKER_H_
#define RILL_BROKER_BROKER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rill/broker/fetch.h"
#include "rill/broker/produce.h"
#include "rill/broker/topic.h"
#include "rill/clock.h"
#include "rill/group/group_coordinator.h"
#include "rill/io/file_system.h"
#include "rill/log/log.h"
#include "rill/log/log_config.h"
#include "rill/logger.h"
#include "rill/replication/cluster_metadata.h"
#include "rill/replication/controller.h"
#include "rill/replication/metadata_store.h"
#include "rill/replication/replica_transport.h"
#include "rill/types.h"

namespace rill {

// BrokerOptions open a Broker. Fields follow Kafka's broker config names.
struct BrokerOptions {
  // broker.id. Default: 0.
  NodeId node_id = NodeId(0);
  // log.dirs: where everything is stored. Empty: in memory (an in-memory
  // file system private to this broker). Default: empty.
  std::string data_dir = {};
  // Storage. Default: POSIX files for a data_dir, else in memory.
  std::shared_ptr<io::FileSystem> fs = nullptr;
  // Time source for retention, timeouts and delayed operations. Default:
  // system clock.
  std::shared_ptr<Clock> clock = nullptr;
  // Where the broker's own messages go. Default: StderrLogger().
  std::shared_ptr<Logger> logger = nullptr;
  // The log.* defaults every topic config falls back on (log.retention.ms,
  // log.segment.bytes, message.max.bytes, ...). Default: Kafka's.
  LogConfig log_defaults = {};
  // auto.create.topics.enable: produce, fetch and metadata requests for an
  // unknown topic create it. Default: false.
  bool auto_create_topics_enable = false;
  // num.partitions: partitions of topics created without a count.
  // Default: 1.
  int32_t num_partitions = 1;
  // default.replication.factor. Default: 1.
  int16_t default_replication_factor = 1;
  // offsets.topic.num.partitions. Default: 50.
  int32_t offsets_topic_num_partitions = 50;
  // offsets.topic.replication.factor, capped at the number of live brokers
  // when the topic is created (Kafka instead refuses to create it until
  // that many are up; an embedded cluster of one should just work).
  // Default: 3.
  int16_t offsets_topic_replication_factor = 3;
  // offsets.topic.segment.bytes. Default: 100 MiB.
  int32_t offsets_topic_segment_bytes = 100 << 20;
  // The group coordinator's group.* and offsets.* settings.
  GroupCoordinatorConfig group = {};
  // How often flush, roll, retention and compaction run
  // (log.retention.check.interval.ms); 0 runs them only when
  // RunMaintenance() is called (manual-clock tests). Default: 1000.
  int64_t maintenance_interval_ms = 1000;
  // producer.id.expiration.ms: idempotent producer state of a producer
  // silent this long is dropped. Default: 1 day.
  int64_t producer_id_expiration_ms = 24 * 3600 * 1000LL;

  // --- Replication ----------------------------------------------------------
  // The cluster this broker joins: the metadata every broker reads, the
  // controller that writes it, and how followers reach leaders, shared by
  // the brokers of one process (rill::testing::EmbeddedCluster builds
  // them). All null: the broker is a cluster of one, with a controller of
  // its own. Default: null.
  std::shared_ptr<replication::MetadataStore> metadata_store = nullptr;
  std::shared_ptr<replication::Controller> controller = nullptr;
  std::shared_ptr<replication::ReplicaTransport> replica_transport = nullptr;
  // The listeners registered for this broker (advertised.listeners), which
  // Metadata reports to clients. Default: none.
  std::vector<replication::BrokerEndpoint> advertised_endpoints = {};
  // replica.lag.time.max.ms: a follower not caught up for this long leaves
  // the ISR. Default: 30000.
  int64_t replica_lag_time_max_ms = 30000;
  // replica.fetch.wait.max.ms. Default: 500.
  int64_t replica_fetch_wait_max_ms = 500;
  // replica.fetch.backoff.ms. Default: 1000.
  int64_t replica_fetch_backoff_ms = 1000;
  // broker.heartbeat.interval.ms: how often the broker tells the
  // controller it is alive. Default: 2000.
  int64_t broker_heartbeat_interval_ms = 2000;
  // min.insync.replicas of topics that don't set it. Default: 1.
  int32_t min_insync_replicas = 1;
  // unclean.leader.election.enable of topics that don't set it (used by a
  // controller of the broker's own). Default: false.
  bool unclean_leader_election_enable = false;
  // auto.leader.rebalance.enable (a controller of the broker's own).
  // Default: true.
  bool auto_leader_rebalance_enable = true;
};

// ListOffsetsSpec picks the offset ListOffsets looks up.
struct ListOffsetsSpec {
  // Kafka's special timestamps.
  static constexpr int64_t kLatest = -1;
  static constexpr int64_t kEarliest = -2;
  static constexpr int64_t kMaxTimestamp = -3;
  // A timestamp (ms), or one of the above. Default: latest.
  int64_t timestamp = kLatest;
  IsolationLevel isolation = IsolationLevel::kReadUncommitted;
};

// ListOffsetsResult: the offset found, with its timestamp for time lookups.
// offset -1 when no record has a timestamp >= the one asked for.
struct ListOffsetsResult {
  Offset offset = Offset(-1);
  int64_t timestamp_ms = -1;
  LeaderEpoch leader_epoch = LeaderEpoch(-1);
};

// ProducerIdAndEpoch identifies an idempotent producer session.
struct ProducerIdAndEpoch {
  ProducerId producer_id = ProducerId(-1);
  ProducerEpoch epoch = ProducerEpoch(-1);
};

// PartitionOffsets are a partition's bounds, as Admin's lag report needs.
struct PartitionOffsets {
  Offset log_start_offset;
  Offset high_watermark;
  Offset last_stable_offset;
  Offset log_end_offset;
};

// ClusterNode is a live (registered and unfenced) broker of the cluster.
struct ClusterNode {
  NodeId id = NodeId(-1);
  // Its listeners as registered (advertised.listeners).
  std::vector<replication::BrokerEndpoint> endpoints = {};
};

// Broker is one broker. Owned by its opener. Thread-safe: partitions lock
// independently; callbacks run without broker locks held. After Close()
// only destruction is allowed.
class Broker {
 public:
  static absl::StatusOr<std::unique_ptr<Broker>> Open(BrokerOptions options);
  virtual ~Broker() = default;

  virtual NodeId node_id() const = 0;
  // cluster_id is generated on first open and kept in meta.properties.
  virtual const std::string& cluster_id() const = 0;
  virtual const std::shared_ptr<Clock>& clock() const = 0;
  // options are the settings it was opened with (fs and clock filled in).
  virtual const BrokerOptions& options() const = 0;

  // --- Topics -------------------------------------------------------------
  // CreateTopic: kInvalidTopic (name), kTopicAlreadyExists,
  // kInvalidPartitions, kInvalidReplicationFactor, kInvalidConfig. With
  // validate_only nothing is created.
  virtual absl::Status CreateTopic(const NewTopic& topic,
                                   bool validate_only = false) = 0;
  // DeleteTopic removes a topic and its data: kUnknownTopicOrPartition;
  // internal topics are refused (kInvalidTopic).
  virtual absl::Status DeleteTopic(std::string_view name) = 0;
  // CreatePartitions grows a topic to `total_count` partitions; fewer or the
  // same is kInvalidPartitions.
  virtual absl::Status CreatePartitions(std::string_view topic,
                                        int32_t total_count,
                                        bool validate_only = false) = 0;
  virtual absl::StatusOr<TopicDescription> DescribeTopic(
      std::string_view name) = 0;
  // ListTopics names the topics, sorted; internal ones only if asked.
  virtual std::vector<std::string> ListTopics(bool include_internal) = 0;
  // DescribeTopicConfigs reports every config of the topic with its source.
  virtual absl::StatusOr<std::vector<ConfigEntry>> DescribeTopicConfigs(
      std::string_view topic) = 0;
  // AlterTopicConfigs applies incremental changes (IncrementalAlterConfigs):
  // all or nothing; kInvalidConfig names the first bad one.
  virtual absl::Status AlterTopicConfigs(
      std::string_view topic, const std::vector<ConfigChange>& changes,
      bool validate_only = false) = 0;
  // ReplaceTopicConfigs sets the topic's configs to exactly `configs`
  // (AlterConfigs v0–1 semantics: unnamed ones return to defaults).
  virtual absl::Status ReplaceTopicConfigs(
      std::string_view topic, const std::map<std::string, std::string>& configs,
      bool validate_only = false) = 0;
  // DescribeBrokerConfigs reports the broker's own configs under Kafka's
  // broker names (num.partitions, log.retention.ms, ...), each read-only
  // (rill has no dynamic broker configs), kBrokerDefault where the options
  // differ from Kafka's default.
  virtual std::vector<ConfigEntry> DescribeBrokerConfigs() = 0;

  // --- Data ---------------------------------------------------------------
  // Produce validates and appends one RecordBatch v2 (rewritten in place;
  // the span need only live for the call) and calls `done` per `acks`.
  virtual void Produce(const TopicPartition& tp, std::span<char> batch,
                       const ProduceOptions& options, ProduceCallback done) = 0;
  // Fetch reads several partitions as one delayed operation (see fetch.h).
  virtual void Fetch(FetchRequest request, FetchCallback done) = 0;
  virtual absl::StatusOr<ListOffsetsResult> ListOffsets(
      const TopicPartition& tp, const ListOffsetsSpec& spec) = 0;
  virtual absl::StatusOr<PartitionOffsets> GetPartitionOffsets(
      const TopicPartition& tp) = 0;
  // DeleteRecords moves the log start offset to `before` (-1: the high
  // watermark) and returns the new low watermark; kOffsetOutOfRange beyond
  // the high watermark; internal topics are refused (kInvalidTopic).
  virtual absl::StatusOr<Offset> DeleteRecords(const TopicPartition& tp,
                                               Offset before) = 0;
  // OffsetForLeaderEpoch answers a follower (or a KIP-320 consumer) on the
  // leader: the largest epoch at or below `epoch` in its log and where it
  // ends. kNotLeaderOrFollower if this broker does not lead the partition;
  // kFencedLeaderEpoch / kUnknownLeaderEpoch if `current_leader_epoch`
  // (unless -1) is older / newer than the leader's.
  virtual absl::StatusOr<EpochEndOffset> OffsetForLeaderEpoch(
      const TopicPartition& tp, LeaderEpoch current_leader_epoch,
      LeaderEpoch epoch) = 0;
  // InitProducerId starts an idempotent producer session: a new producer
  // id with epoch 0 (ids are never reused, across reopens too).
  virtual absl::StatusOr<ProducerIdAndEpoch> InitProducerId() = 0;

  // --- Cluster ------------------------------------------------------------
  // LiveBrokers are the brokers this broker's metadata shows alive, by id
  // (itself included while it is registered).
  virtual std::vector<ClusterNode> LiveBrokers() = 0;

  // --- Groups -------------------------------------------------------------
  // FindGroupCoordinator returns the broker coordinating `group_id`: the
  // leader of its `__consumer_offsets` partition. The topic is created
  // first if it does not exist, as Kafka does on FindCoordinator.
  // kCoordinatorNotAvailable while that partition has no leader.
  virtual absl::StatusOr<NodeId> FindGroupCoordinator(
      std::string_view group_id) = 0;
  // The coordinator of the groups whose offsets partitions this broker
  // leads (all of them in a cluster of one); other groups get
  // kNotCoordinator.
  virtual GroupCoordinator& group_coordinator() = 0;

  // RunMaintenance runs flush, roll, retention and compaction now.
  virtual absl::Status RunMaintenance() = 0;
  // Close answers parked fetches, stops background work, snapshots producer
  // state and closes every log cleanly.
  virtual absl::Status Close() = 0;
};

}  // namespace rill

#endif  // RILL_BROKER_BROKER_H_
