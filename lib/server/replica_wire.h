// Replica requests as Kafka messages: a follower's ReplicaFetchRequest as a
// Fetch request and its answer back, its epoch queries as an
// OffsetForLeaderEpoch request and their answers back. Pure functions, no
// I/O; the TCP transport (tcp_replica_transport.cc) sends what they build.
#ifndef RILL_SERVER_REPLICA_WIRE_H_
#define RILL_SERVER_REPLICA_WIRE_H_

#include <cstdint>
#include <vector>

#include "protocol/messages/fetch.h"
#include "protocol/messages/offset_for_leader_epoch.h"
#include "rill/replication/replica_transport.h"
#include "rill/types.h"

namespace rill::server {

// The versions a follower speaks: the newest our codecs have. Fetch v9+
// carries current_leader_epoch; OffsetForLeaderEpoch v3 the replica id.
inline constexpr int16_t kReplicaFetchVersion = 11;
inline constexpr int16_t kReplicaEpochsVersion = 3;

// ToFetchRequest is a sessionless, read_uncommitted Fetch of the request's
// partitions, grouped by topic in first-seen order.
protocol::FetchRequest ToFetchRequest(
    const replication::ReplicaFetchRequest& request);

// FromFetchResponse answers `request` from `response`, partitions in
// request order. A partition's status is its error code, or the top-level
// one (v7+) where the partition has none; a partition the response lacks is
// kUnknownServerError. Records are copied out of the response (whose views
// point into its frame). log_end_offset is -1: Kafka's Fetch does not carry
// it. `leader` names the broker in error messages.
replication::ReplicaFetchResponse FromFetchResponse(
    const replication::ReplicaFetchRequest& request,
    const protocol::FetchResponse& response, NodeId leader);

// ToEpochsRequest asks for every query's epoch, as broker `replica_id`.
protocol::OffsetForLeaderEpochRequest ToEpochsRequest(
    NodeId replica_id,
    const std::vector<replication::EpochEndOffsetQuery>& queries);

// FromEpochsResponse answers `queries` in order, as FromFetchResponse does.
std::vector<replication::EpochEndOffsetAnswer> FromEpochsResponse(
    const std::vector<replication::EpochEndOffsetQuery>& queries,
    const protocol::OffsetForLeaderEpochResponse& response, NodeId leader);

}  // namespace rill::server

#endif  // RILL_SERVER_REPLICA_WIRE_H_
