// rill/replication/replica_transport.h — how a follower reaches its leader.
//
// A follower needs two things from the broker leading a partition: its
// records (Kafka's Fetch with a replica id) and, after a leadership change,
// where the follower's last epoch ends in the leader's log (Kafka's
// OffsetForLeaderEpoch), to cut a divergent tail. A ReplicaTransport carries
// both. In one process the brokers call each other directly
// (NewInProcessReplicaTransport in rill/broker/); across processes the same
// requests travel as Kafka's wire protocol.
//
//   transport->Fetch(leader, {.replica_id = me, .partitions = {...}},
//                    [](absl::StatusOr<ReplicaFetchResponse> r) { ... });
#ifndef RILL_REPLICATION_REPLICA_TRANSPORT_H_
#define RILL_REPLICATION_REPLICA_TRANSPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rill/log/log.h"
#include "rill/types.h"

namespace rill::replication {

// ReplicaFetchPartition is one partition of a follower's fetch.
struct ReplicaFetchPartition {
  TopicPartition tp = {};
  // The follower's log end: the leader takes it as the follower's progress.
  Offset fetch_offset = Offset(0);
  // The leader epoch the follower follows; the leader refuses a different
  // one (kFencedLeaderEpoch if older, kUnknownLeaderEpoch if newer).
  LeaderEpoch current_leader_epoch = LeaderEpoch(-1);
  // replica.fetch.max.bytes for this partition. Default: 1 MiB.
  int32_t max_bytes = 1 << 20;
};

// ReplicaFetchRequest is a follower's fetch from one leader.
struct ReplicaFetchRequest {
  NodeId replica_id = NodeId(-1);
  std::vector<ReplicaFetchPartition> partitions = {};
  // replica.fetch.wait.max.ms: how long the leader may hold the request
  // when it has nothing new. Default: 500.
  int64_t max_wait_ms = 500;
  // replica.fetch.min.bytes. Default: 1.
  int32_t min_bytes = 1;
  // replica.fetch.response.max.bytes. Default: 10 MiB.
  int32_t max_bytes = 10 << 20;
};

// ReplicaFetchedPartition is the leader's answer for one partition.
struct ReplicaFetchedPartition {
  TopicPartition tp = {};
  // kNotLeaderOrFollower, kFencedLeaderEpoch, kUnknownLeaderEpoch,
  // kOffsetOutOfRange, ... (rill/error.h).
  absl::Status status = absl::OkStatus();
  Offset high_watermark = Offset(-1);
  Offset log_start_offset = Offset(-1);
  Offset log_end_offset = Offset(-1);
  // Whole RecordBatch v2 batches from fetch_offset on, as stored: in
  // `records`, or, from a transport sharing the leader's storage (in one
  // process), where they lie in the leader's log, for the follower to copy
  // on its own thread (the leader's thread that answered the fetch then
  // copies nothing). At most one of the two is non-empty.
  std::string records = {};
  LogReadResult stored = {};
};

// ReplicaFetchResponse answers a ReplicaFetchRequest, partitions in request
// order.
struct ReplicaFetchResponse {
  std::vector<ReplicaFetchedPartition> partitions = {};
};

// EpochEndOffsetQuery asks where `leader_epoch` ends in the leader's log.
struct EpochEndOffsetQuery {
  TopicPartition tp = {};
  // As in ReplicaFetchPartition.
  LeaderEpoch current_leader_epoch = LeaderEpoch(-1);
  LeaderEpoch leader_epoch = LeaderEpoch(-1);
};

// EpochEndOffsetAnswer: the largest epoch at or below the one asked for that
// the leader's log has, and the first offset after it (-1 and -1: none).
struct EpochEndOffsetAnswer {
  TopicPartition tp = {};
  absl::Status status = absl::OkStatus();
  LeaderEpoch leader_epoch = LeaderEpoch(-1);
  Offset end_offset = Offset(-1);
};

// ReplicaTransport reaches leaders by broker id. Implementations are
// thread-safe; callbacks run exactly once, on any thread, without locks of
// the transport held. A transport-level failure (leader down, link cut) is
// kUnavailable; per-partition errors go in the answers.
class ReplicaTransport {
 public:
  using FetchCallback =
      absl::AnyInvocable<void(absl::StatusOr<ReplicaFetchResponse>)>;
  using EpochCallback = absl::AnyInvocable<void(
      absl::StatusOr<std::vector<EpochEndOffsetAnswer>>)>;

  virtual ~ReplicaTransport() = default;

  virtual void Fetch(NodeId from, NodeId leader, ReplicaFetchRequest request,
                     FetchCallback done) = 0;
  virtual void OffsetsForLeaderEpoch(NodeId from, NodeId leader,
                                     std::vector<EpochEndOffsetQuery> queries,
                                     EpochCallback done) = 0;
};

}  // namespace rill::replication

#endif  // RILL_REPLICATION_REPLICA_TRANSPORT_H_
