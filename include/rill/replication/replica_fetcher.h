// rill/replication/replica_fetcher.h — a follower copying its leaders' logs.
//
// A broker runs one ReplicaFetcher. For every partition it follows it knows
// the leader and the leader epoch (from cluster metadata); per leader, one
// thread repeats:
//   1. for partitions new to this epoch, ask the leader where the
//      follower's latest epoch ends (OffsetForLeaderEpoch) and truncate the
//      follower's log there: a tail written under an older leader that the
//      new one does not have is cut, so logs never diverge;
//   2. fetch from each partition's log end (a long poll on the leader),
//      append what comes back, and take the leader's high watermark.
// The leader learns each follower's progress from the fetch offsets; that
// is what moves its high watermark and its ISR.
//
//   ReplicaFetcher fetcher({.node_id = NodeId(2), .transport = transport});
//   fetcher.Follow(partition, NodeId(1), LeaderEpoch(4));  // from metadata
//   fetcher.Unfollow(tp);   // became leader, or the replica moved away
#ifndef RILL_REPLICATION_REPLICA_FETCHER_H_
#define RILL_REPLICATION_REPLICA_FETCHER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "absl/status/status.h"
#include "rill/clock.h"
#include "rill/log/log.h"
#include "rill/replication/replica_transport.h"
#include "rill/types.h"

namespace rill::replication {

// FollowerReplica is a follower's copy of one partition, as the fetcher
// drives it. The broker's partition implements it. Thread-safe.
class FollowerReplica {
 public:
  virtual ~FollowerReplica() = default;

  virtual const TopicPartition& tp() const = 0;
  virtual Offset log_end_offset() const = 0;
  // latest_epoch is the leader epoch of the log's last batch, if any.
  virtual std::optional<LeaderEpoch> latest_epoch() const = 0;
  virtual EpochEndOffset EndOffsetForEpoch(LeaderEpoch epoch) const = 0;
  // TruncateFromLeader cuts the log back to `offset` (no-op at or past the
  // end) if this replica still follows at `leader_epoch`;
  // kNotLeaderOrFollower otherwise (leadership moved on meanwhile).
  virtual absl::Status TruncateFromLeader(LeaderEpoch leader_epoch,
                                          Offset offset) = 0;
  // ResetFromLeader empties the log and restarts it at `offset` (the
  // leader's log start is past this log's end).
  virtual absl::Status ResetFromLeader(LeaderEpoch leader_epoch,
                                       Offset offset) = 0;
  // AppendFromLeader appends fetched batches (offsets kept) that continue
  // the log, and takes the leader's high watermark (capped at the log end).
  // kNotLeaderOrFollower if this replica no longer follows at
  // `leader_epoch`; nothing is appended then.
  virtual absl::Status AppendFromLeader(LeaderEpoch leader_epoch,
                                        std::span<char> batches,
                                        Offset leader_high_watermark,
                                        Offset leader_log_start_offset) = 0;
  // AppendStoredFromLeader is AppendFromLeader of batches that still lie in
  // the leader's log in this process (ReplicaFetchedPartition::stored): they
  // are copied file to file (Log::AppendFrom), their CRCs taken as the
  // leader checked them.
  virtual absl::Status AppendStoredFromLeader(
      LeaderEpoch leader_epoch, const LogReadResult& stored,
      Offset leader_high_watermark, Offset leader_log_start_offset) = 0;
};

// ReplicaFetcherOptions create a ReplicaFetcher. Kafka's replica.* names.
struct ReplicaFetcherOptions {
  // This broker. Required.
  NodeId node_id = NodeId(-1);
  // How leaders are reached. Required.
  std::shared_ptr<ReplicaTransport> transport = nullptr;
  // replica.fetch.wait.max.ms. Default: 500.
  int64_t fetch_wait_max_ms = 500;
  // replica.fetch.max.bytes (per partition). Default: 1 MiB.
  int32_t fetch_max_bytes = 1 << 20;
  // replica.fetch.response.max.bytes. Default: 10 MiB.
  int32_t fetch_response_max_bytes = 10 << 20;
  // replica.fetch.backoff.ms: the pause after an error before asking the
  // same leader again. Default: 1000.
  int64_t fetch_backoff_ms = 1000;
};

// ReplicaFetcherMetrics count what the fetcher did, for tests.
struct ReplicaFetcherMetrics {
  int64_t fetches = 0;
  int64_t bytes_appended = 0;
  int64_t truncations = 0;  // logs actually cut back
  int64_t errors = 0;       // failed requests and partition errors
};

// ReplicaFetcher owns one thread per leader it fetches from (started on
// the first Follow for that leader). Thread-safe; Follow and Unfollow never
// block on a fetch in flight. The replicas it follows must stay usable
// until Unfollow or Shutdown returns.
class ReplicaFetcher {
 public:
  explicit ReplicaFetcher(ReplicaFetcherOptions options);
  // Shuts down.
  ~ReplicaFetcher();
  ReplicaFetcher(const ReplicaFetcher&) = delete;
  ReplicaFetcher& operator=(const ReplicaFetcher&) = delete;

  // Follow makes `replica` fetch from `leader` in `leader_epoch`,
  // truncating first. Replaces an earlier Follow of the same partition.
  void Follow(std::shared_ptr<FollowerReplica> replica, NodeId leader,
              LeaderEpoch leader_epoch);
  // Unfollow stops fetching the partition; once it returns the fetcher
  // does not touch the replica again (an append in flight completes
  // first).
  void Unfollow(const TopicPartition& tp);
  // following is the number of partitions being fetched.
  size_t following() const;
  ReplicaFetcherMetrics metrics() const;
  // Shutdown stops every thread; idempotent.
  void Shutdown();

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace rill::replication

#endif  // RILL_REPLICATION_REPLICA_FETCHER_H_
