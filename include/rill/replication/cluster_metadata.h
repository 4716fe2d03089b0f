// rill/replication/cluster_metadata.h — the nouns of cluster metadata, and
// the records that change them.
//
// As in Kafka's KRaft mode, cluster metadata is a log of records (a broker
// registered, a topic was created, a partition changed leader) and the
// cluster's state is what replaying that log yields (a ClusterImage, see
// cluster_image.h). Records are plain values; a replicated metadata quorum
// only has to agree on their order.
//
//   std::vector<rill::replication::MetadataRecord> records = {
//       rill::replication::RegisterBrokerRecord{.id = rill::NodeId(1),
//                                               .epoch = 0},
//       rill::replication::UnfenceBrokerRecord{.id = rill::NodeId(1),
//                                              .epoch = 0}};
#ifndef RILL_REPLICATION_CLUSTER_METADATA_H_
#define RILL_REPLICATION_CLUSTER_METADATA_H_

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "rill/types.h"
#include "rill/uuid.h"

namespace rill::replication {

// kNoLeader is the leader of an offline partition.
inline constexpr NodeId kNoLeader = NodeId(-1);

// BrokerEndpoint is one listener of a broker.
struct BrokerEndpoint {
  std::string listener_name = {};
  std::string host = {};
  int32_t port = 0;

  friend bool operator==(const BrokerEndpoint&,
                         const BrokerEndpoint&) = default;
};

// BrokerRegistration is a broker as the controller knows it.
struct BrokerRegistration {
  NodeId id = NodeId(-1);
  // The incarnation: the position of its registration record in the
  // metadata log (KRaft's broker epoch), so every registration gets a
  // larger one. Requests carrying an older epoch come from a dead
  // incarnation.
  int64_t epoch = -1;
  std::vector<BrokerEndpoint> endpoints = {};
  // A fenced broker is registered but not alive: it leads nothing and
  // joins no ISR until it is unfenced.
  bool fenced = true;

  friend bool operator==(const BrokerRegistration&,
                         const BrokerRegistration&) = default;
};

// PartitionState is one partition's placement and leadership.
struct PartitionState {
  // The assignment; replicas[0] is the preferred leader.
  std::vector<NodeId> replicas = {};
  // The in-sync replicas, a subset of `replicas`, in replica order. When
  // every member dies the last one stays, so the partition can come back
  // cleanly when it does; it empties only when that member restarts after
  // an unclean shutdown while an eligible leader replica can take over.
  std::vector<NodeId> isr = {};
  // Eligible leader replicas (KIP-966): replicas out of the ISR that hold
  // every committed record, because they left while the ISR was below
  // min.insync.replicas and nothing was committed since. Leaders come from
  // them when no ISR member is alive. Disjoint from `isr`, in replica order.
  std::vector<NodeId> elr = {};
  // kNoLeader: offline.
  NodeId leader = kNoLeader;
  // Bumps on every leader change; fences requests of older leaders.
  LeaderEpoch leader_epoch = LeaderEpoch(0);
  // Bumps on every change of leader, ISR or replicas (Kafka's
  // partitionEpoch): the version AlterPartition compares and sets.
  int32_t partition_epoch = 0;

  bool has_leader() const { return leader != kNoLeader; }

  friend bool operator==(const PartitionState&,
                         const PartitionState&) = default;
};

// TopicState is one topic.
struct TopicState {
  std::string name = {};
  // Tells incarnations of a same-named topic apart.
  Uuid id = {};
  // Broker-owned (__consumer_offsets): hidden from listings, not deletable.
  bool internal = false;
  // Topic config overrides under Kafka's names.
  std::map<std::string, std::string> configs = {};
  // Indexed by partition id.
  std::vector<PartitionState> partitions = {};

  friend bool operator==(const TopicState&, const TopicState&) = default;
};

// The records. Each names what it changes by id (broker id and epoch, topic
// id), so a record written against an older image cannot land on a newer
// incarnation.

// RegisterBrokerRecord adds a broker or replaces its registration with a
// newer incarnation.
struct RegisterBrokerRecord {
  NodeId id = NodeId(-1);
  int64_t epoch = -1;
  std::vector<BrokerEndpoint> endpoints = {};
  bool fenced = true;

  friend bool operator==(const RegisterBrokerRecord&,
                         const RegisterBrokerRecord&) = default;
};

// FenceBrokerRecord marks a broker not alive (session lost, killed, shut
// down).
struct FenceBrokerRecord {
  NodeId id = NodeId(-1);
  int64_t epoch = -1;

  friend bool operator==(const FenceBrokerRecord&,
                         const FenceBrokerRecord&) = default;
};

// UnfenceBrokerRecord marks a registered broker alive.
struct UnfenceBrokerRecord {
  NodeId id = NodeId(-1);
  int64_t epoch = -1;

  friend bool operator==(const UnfenceBrokerRecord&,
                         const UnfenceBrokerRecord&) = default;
};

// UnregisterBrokerRecord removes a broker (decommissioned).
struct UnregisterBrokerRecord {
  NodeId id = NodeId(-1);
  int64_t epoch = -1;

  friend bool operator==(const UnregisterBrokerRecord&,
                         const UnregisterBrokerRecord&) = default;
};

// CreateTopicRecord adds a topic with its configs and partitions.
struct CreateTopicRecord {
  TopicState topic = {};

  friend bool operator==(const CreateTopicRecord&,
                         const CreateTopicRecord&) = default;
};

// DeleteTopicRecord removes a topic.
struct DeleteTopicRecord {
  Uuid topic_id = {};

  friend bool operator==(const DeleteTopicRecord&,
                         const DeleteTopicRecord&) = default;
};

// AddPartitionsRecord appends partitions to a topic.
struct AddPartitionsRecord {
  Uuid topic_id = {};
  std::vector<PartitionState> partitions = {};

  friend bool operator==(const AddPartitionsRecord&,
                         const AddPartitionsRecord&) = default;
};

// ChangePartitionRecord replaces one partition's state (new leader, epoch,
// ISR or replicas). Its partition_epoch is the current one plus one.
struct ChangePartitionRecord {
  Uuid topic_id = {};
  PartitionId partition = PartitionId(0);
  PartitionState state = {};

  friend bool operator==(const ChangePartitionRecord&,
                         const ChangePartitionRecord&) = default;
};

// ChangeTopicConfigRecord replaces a topic's config overrides.
struct ChangeTopicConfigRecord {
  Uuid topic_id = {};
  std::map<std::string, std::string> configs = {};

  friend bool operator==(const ChangeTopicConfigRecord&,
                         const ChangeTopicConfigRecord&) = default;
};

// MetadataRecord is one entry of the metadata log.
using MetadataRecord =
    std::variant<RegisterBrokerRecord, FenceBrokerRecord, UnfenceBrokerRecord,
                 UnregisterBrokerRecord, CreateTopicRecord, DeleteTopicRecord,
                 AddPartitionsRecord, ChangePartitionRecord,
                 ChangeTopicConfigRecord>;

}  // namespace rill::replication

#endif  // RILL_REPLICATION_CLUSTER_METADATA_H_
