// Replica placement for new topics and partitions, and the checks on a
// placement given by hand (CreateTopics' and CreatePartitions'
// assignments).
#ifndef RILL_REPLICATION_REPLICA_ASSIGNMENT_H_
#define RILL_REPLICATION_REPLICA_ASSIGNMENT_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "rill/replication/cluster_image.h"
#include "rill/types.h"

namespace rill::replication::internal {

// AssignReplicas places partitions [first_partition, first_partition +
// num_partitions) on `brokers` (sorted, distinct, at least
// `replication_factor` of them) the way Kafka does without racks: leaders
// go round-robin from `start_index`, and each partition's followers follow
// its leader at a distance that grows by one every |brokers| partitions
// (from `shift`), so followers spread as evenly as leaders. Each result is
// one partition's replicas, leader first.
std::vector<std::vector<NodeId>> AssignReplicas(
    const std::vector<NodeId>& brokers, int32_t first_partition,
    int32_t num_partitions, int32_t replication_factor, int32_t start_index,
    int32_t shift);

// ValidateAssignment checks a placement given by hand: each partition names
// `replication_factor` distinct registered brokers (-1: the first
// partition's count sets it) and at least one of them is live;
// otherwise kInvalidReplicaAssignment.
absl::Status ValidateAssignment(
    const std::vector<std::vector<NodeId>>& assignment,
    int32_t replication_factor, const ClusterImage& image);

// InitialState is a new partition on `replicas`: its live replicas form the
// ISR (all of them, for a placement on live brokers) and the first of those
// leads.
PartitionState InitialState(std::vector<NodeId> replicas,
                            const ClusterImage& image);

}  // namespace rill::replication::internal

#endif  // RILL_REPLICATION_REPLICA_ASSIGNMENT_H_
