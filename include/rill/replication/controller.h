// rill/replication/controller.h — the one writer of cluster metadata.
//
// The Controller decides what brokers cannot decide alone: which brokers
// are alive (registrations, heartbeats, session timeouts), where a topic's
// replicas go, who leads each partition, and which replicas are in sync. It
// writes each decision as records to a MetadataStore; brokers act on the
// images they see there. The rules are Kafka's (KRaft): leaders come from
// the ISR, an ISR never empties, unclean elections only where allowed, the
// leader changes the ISR by compare-and-set on the partition epoch.
//
//   auto store = NewInProcessMetadataStore();
//   ASSIGN_OR_RETURN(auto controller, Controller::Create({.store = store}));
//   ASSIGN_OR_RETURN(int64_t epoch, controller->RegisterBroker(NodeId(1), {}));
//   ASSIGN_OR_RETURN(TopicState topic,
//                    controller->CreateTopic({.name = "orders"}, {}));
//   RETURN_IF_ERROR(controller->Heartbeat(NodeId(1), epoch));  // on a timer
//   RETURN_IF_ERROR(controller->Tick());  // on a timer: sessions, rebalance
#ifndef RILL_REPLICATION_CONTROLLER_H_
#define RILL_REPLICATION_CONTROLLER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rill/broker/topic.h"
#include "rill/clock.h"
#include "rill/replication/cluster_image.h"
#include "rill/replication/cluster_metadata.h"
#include "rill/replication/metadata_store.h"
#include "rill/types.h"

namespace rill::replication {

// ControllerOptions create a Controller. Fields follow Kafka's config names.
struct ControllerOptions {
  // Where the metadata lives. Required.
  std::shared_ptr<MetadataStore> store = nullptr;
  // Time for sessions and the rebalance interval. Default: system clock.
  std::shared_ptr<Clock> clock = nullptr;
  // broker.session.timeout.ms: a broker not heard from for longer is
  // fenced (at the next Tick). Default: 9000.
  int64_t broker_session_timeout_ms = 9000;
  // unclean.leader.election.enable: a partition whose ISR is all dead may
  // be led by a live replica outside it, losing what only the ISR had. A
  // topic config of the same name overrides it. Default: false.
  bool unclean_leader_election_enable = false;
  // auto.leader.rebalance.enable: Tick moves leadership back to preferred
  // replicas. Default: true.
  bool auto_leader_rebalance_enable = true;
  // leader.imbalance.check.interval.seconds. Default: 300.
  int64_t leader_imbalance_check_interval_seconds = 300;
  // leader.imbalance.per.broker.percentage: the rebalance moves a broker's
  // preferred partitions back only when more than this share of them is
  // led elsewhere. Default: 10.
  int32_t leader_imbalance_per_broker_percentage = 10;
  // default.replication.factor. Default: 1.
  int16_t default_replication_factor = 1;
  // num.partitions. Default: 1.
  int32_t num_partitions = 1;
  // min.insync.replicas of topics that don't set it (for the
  // under-min-ISR count). Default: 1.
  int32_t min_insync_replicas = 1;
  // Seeds where replica assignment starts, for repeatable placements;
  // -1: random. Default: -1.
  int64_t assignment_seed = -1;
  // Checks a topic's config overrides beyond the two the controller reads
  // (min.insync.replicas, unclean.leader.election.enable); the broker plugs
  // in its log config validation. Default: none.
  std::function<absl::Status(const std::map<std::string, std::string>&)>
      validate_topic_configs = nullptr;
};

// CreateTopicOptions are CreateTopics' per-topic extras.
struct CreateTopicOptions {
  // Check everything, write nothing. Default: false.
  bool validate_only = false;
  // Replicas by hand: partition i's replicas, preferred leader first. The
  // topic's num_partitions and replication_factor must then be -1. Empty:
  // the controller places them. Default: empty.
  std::vector<std::vector<NodeId>> replica_assignment = {};
};

// NewPartitions asks CreatePartitions for more partitions.
struct NewPartitions {
  // The topic's partition count afterwards. Required.
  int32_t total_count = 0;
  // Replicas by hand for each new partition, or empty. Default: empty.
  std::vector<std::vector<NodeId>> replica_assignment = {};
};

// RegistrationOptions are what a broker says of itself when it registers.
struct RegistrationOptions {
  // Its last incarnation shut down cleanly, with everything on disk (Kafka's
  // previousBrokerEpoch / clean shutdown file). Default: true.
  bool previous_shutdown_clean = true;
};

// AlterPartitionRequest is a leader's request for a new ISR (Kafka's
// AlterPartition, KIP-497/KIP-841).
struct AlterPartitionRequest {
  NodeId leader_id = NodeId(-1);
  // The leader's broker epoch: a dead incarnation's request is refused.
  int64_t leader_broker_epoch = -1;
  TopicPartition partition = {};
  // The leadership and partition version the leader last saw.
  LeaderEpoch leader_epoch = LeaderEpoch(-1);
  int32_t partition_epoch = -1;
  std::vector<NodeId> new_isr = {};
};

// ControllerMetrics are what the controller has done and how the cluster
// stands, for tests and checkers.
struct ControllerMetrics {
  // Counters since this controller was created. A leader election is any
  // move of leadership to a live broker (failover, return of an offline
  // partition, preferred-leader move, controlled shutdown); unclean ones
  // are counted in both.
  int64_t leader_elections = 0;
  int64_t unclean_leader_elections = 0;
  // Changes that made an ISR smaller or larger.
  int64_t isr_shrinks = 0;
  int64_t isr_expands = 0;
  // Gauges of the current image.
  int32_t offline_partitions = 0;           // no leader
  int32_t under_replicated_partitions = 0;  // ISR smaller than replicas
  int32_t under_min_isr_partitions = 0;     // ISR below min.insync.replicas
  int32_t preferred_replica_imbalance = 0;  // led by other than replicas[0]
  int32_t fenced_brokers = 0;
  int32_t active_brokers = 0;
};

// Controller owns every metadata write. Created by Create, owned by its
// caller; the store outlives it and may outlive it (a new controller picks
// up where the image stands, giving every broker a fresh session).
// Thread-safe; no lock of the controller is held while the store calls its
// subscribers. The owner calls Tick on a timer.
class Controller {
 public:
  static absl::StatusOr<std::unique_ptr<Controller>> Create(
      ControllerOptions options);

  virtual ~Controller() = default;

  // image is the store's newest image.
  virtual std::shared_ptr<const ClusterImage> image() const = 0;
  virtual ControllerMetrics metrics() const = 0;

  // RegisterBroker registers a new incarnation of broker `id` and unfences
  // it; partitions without a leader that it can lead get it as leader. A
  // live earlier incarnation is fenced first (it died without the
  // controller noticing). A broker whose previous shutdown was not clean
  // may have lost records it had acknowledged: it leaves the ISR and ELR
  // of every partition where another replica can lead (KIP-966). Returns
  // the broker epoch for later calls.
  virtual absl::StatusOr<int64_t> RegisterBroker(
      NodeId id, std::vector<BrokerEndpoint> endpoints,
      const RegistrationOptions& options) = 0;
  // RegisterBroker after a clean shutdown.
  absl::StatusOr<int64_t> RegisterBroker(
      NodeId id, std::vector<BrokerEndpoint> endpoints) {
    return RegisterBroker(id, std::move(endpoints), RegistrationOptions{});
  }
  // Heartbeat keeps the broker's session; a fenced broker's heartbeat
  // unfences it (it was cut off, not dead). kStaleBrokerEpoch for an
  // unknown broker or an older incarnation.
  virtual absl::Status Heartbeat(NodeId id, int64_t broker_epoch) = 0;
  // FenceBroker declares the broker dead now (a kill): it leaves ISRs and
  // its partitions get new leaders. Fencing a fenced broker does nothing;
  // an unknown one is kBrokerIdNotRegistered.
  virtual absl::Status FenceBroker(NodeId id) = 0;
  // ControlledShutdown moves leadership and ISR membership away from the
  // broker while it still serves, then fences it; its later heartbeats
  // don't unfence it (a restart registers anew). kStaleBrokerEpoch from an
  // older incarnation.
  virtual absl::Status ControlledShutdown(NodeId id, int64_t broker_epoch) = 0;
  // UnregisterBroker fences the broker and forgets it (decommissioned); an
  // unknown one is kBrokerIdNotRegistered.
  virtual absl::Status UnregisterBroker(NodeId id) = 0;
  // Tick fences brokers silent for longer than broker.session.timeout.ms
  // and, when due, runs the preferred-leader rebalance.
  virtual absl::Status Tick() = 0;

  // CreateTopic validates and creates a topic as CreateTopics does: bad
  // name kInvalidTopic, existing kTopicAlreadyExists, partitions < 1
  // kInvalidPartitions, replication factor < 1 or above the live brokers
  // kInvalidReplicationFactor, bad configs kInvalidConfig, bad manual
  // placement kInvalidReplicaAssignment or kInvalidRequest. Returns the
  // topic as created (or as it would be, for validate_only).
  virtual absl::StatusOr<TopicState> CreateTopic(
      const NewTopic& topic, const CreateTopicOptions& options) = 0;
  // DeleteTopic removes a topic; internal topics are kInvalidTopic.
  virtual absl::Status DeleteTopic(std::string_view name) = 0;
  // CreatePartitions grows a topic to `request.total_count` partitions with
  // the topic's replication factor; fewer than now is kInvalidPartitions.
  virtual absl::Status CreatePartitions(std::string_view name,
                                        const NewPartitions& request) = 0;
  // SetTopicConfigs replaces a topic's config overrides (validated as at
  // creation). Allowing unclean election elects leaders for the topic's
  // offline partitions at once.
  virtual absl::Status SetTopicConfigs(
      std::string_view name, std::map<std::string, std::string> configs) = 0;

  // AlterPartition sets a new ISR at the leader's request and returns the
  // partition's new state. Refused: a dead incarnation kStaleBrokerEpoch;
  // an unknown partition kUnknownTopicOrPartition; a leader epoch other
  // than the current kFencedLeaderEpoch; a sender that is not the leader
  // kNotLeaderOrFollower; a partition epoch other than the current
  // kInvalidUpdateVersion; an ISR without the leader or outside the
  // replicas kInvalidRequest; a fenced or unknown broker in it
  // kIneligibleReplica.
  virtual absl::StatusOr<PartitionState> AlterPartition(
      const AlterPartitionRequest& request) = 0;
  // ElectPreferredLeaders moves every partition's leadership to its
  // preferred replica where that one is live and in the ISR; returns how
  // many moved.
  virtual absl::StatusOr<int32_t> ElectPreferredLeaders() = 0;
};

}  // namespace rill::replication

#endif  // RILL_REPLICATION_CONTROLLER_H_
