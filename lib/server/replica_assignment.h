// Manual replica assignments (CreateTopics, CreatePartitions) checked
// against the one broker rill has.
//
// Kafka's controller accepts an assignment whose replica lists name
// registered brokers, each once, all lists the same length. With a single
// broker the only such list is [this broker]; anything else is
// INVALID_REPLICA_ASSIGNMENT, with Kafka's reason.
#ifndef RILL_SERVER_REPLICA_ASSIGNMENT_H_
#define RILL_SERVER_REPLICA_ASSIGNMENT_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "rill/types.h"

namespace rill::server {

// ValidateReplicas checks one partition's replica list: non-empty, every
// broker known (only `node` is), none twice. Errors are
// kInvalidReplicaAssignment.
absl::Status ValidateReplicas(const std::vector<int32_t>& broker_ids,
                              NodeId node);

// ValidatePartitionIndexes checks that the assigned partitions are 0..n-1,
// each once (CreateTopics).
absl::Status ValidatePartitionIndexes(const std::vector<int32_t>& partitions);

}  // namespace rill::server

#endif  // RILL_SERVER_REPLICA_ASSIGNMENT_H_
