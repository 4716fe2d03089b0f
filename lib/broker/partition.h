// Partition: one topic partition as the broker serves it — produce
// validation, idempotent-producer checks, the high watermark and last stable
// offset over a Log.
//
//   ASSIGN_OR_RETURN(std::shared_ptr<Partition> p,
//                    Partition::Open({.tp = tp, .log = log, .fs = fs}));
//   p->Produce(batch, {.acks = Acks::kAll}, [](auto result) { ... });
//   FetchPartitionResult r = p->Read({.fetch_offset = Offset(0)},
//                                    IsolationLevel::kReadCommitted,
//                                    /*max_bytes=*/1 << 20,
//                                    /*min_one_batch=*/true);
//
// A partition is one replica. It leads (serves producers and consumers,
// tracks its followers, moves the high watermark, answers acks=all) or
// follows (its log is appended by the ReplicaFetcher from the leader's) as
// cluster metadata says (ApplyState). Opened, it leads alone: a single
// replica whose in-sync set is itself, so the high watermark is the log end
// once an append returns. The last stable offset is the high watermark (no
// transactions yet).
#ifndef RILL_BROKER_PARTITION_H_
#define RILL_BROKER_PARTITION_H_

#include <functional>
#include <memory>
#include <optional>
#include <span>

#include "absl/status/statusor.h"
#include "rill/broker/broker.h"
#include "rill/broker/fetch.h"
#include "rill/broker/produce.h"
#include "rill/clock.h"
#include "rill/io/file_system.h"
#include "rill/log/log.h"
#include "rill/replication/cluster_metadata.h"
#include "rill/replication/controller.h"
#include "rill/replication/replica_fetcher.h"
#include "rill/types.h"
#include "util/timer_queue.h"

namespace rill::broker {

// PartitionOptions open a Partition.
struct PartitionOptions {
  TopicPartition tp = {};
  // The partition's log, owned by the broker's LogManager; must outlive the
  // Partition. Required.
  Log* log = nullptr;
  // Holds the producer-state snapshots, in log->dir(). Required.
  std::shared_ptr<io::FileSystem> fs = nullptr;
  // Expires idle producers. Default: system clock.
  std::shared_ptr<Clock> clock = nullptr;
  // This broker (broker.id): a replica leads when metadata names it.
  // Default: 0.
  NodeId node_id = NodeId(0);
  // The leader epoch it leads in until ApplyState says otherwise: written
  // into appended batches' partitionLeaderEpoch and reported by
  // ListOffsets. Default: 0.
  LeaderEpoch leader_epoch = LeaderEpoch(0);
  // The partition's state in cluster metadata to start from. Default: none
  // (it leads alone at `leader_epoch`).
  std::optional<replication::PartitionState> state = std::nullopt;
  // min.insync.replicas of the topic (see set_min_insync_replicas).
  // Default: 1.
  int32_t min_insync_replicas = 1;
  // Times out acks=all answers waiting for followers. Null: they wait
  // until the high watermark passes them or leadership is lost.
  // Default: null.
  util::TimerQueue* timers = nullptr;
  // producer.id.expiration.ms. Default: 1 day.
  int64_t producer_id_expiration_ms = 24 * 3600 * 1000LL;
  // Runs after the high watermark advances, after a leader with
  // followers appends (their fetches wait on the log end), and after a
  // change of role, without partition locks held (before the produce
  // callback): the broker re-checks parked fetches from here.
  // Default: none.
  std::function<void(const TopicPartition&)> on_advance = nullptr;
};

// RoleChange says what ApplyState changed.
struct RoleChange {
  bool became_leader = false;    // leads now, in a new epoch
  bool became_follower = false;  // follows now (a new leader or epoch)
};

// FollowerFetch is what a leader makes of a follower's fetch.
struct FollowerFetch {
  // The follower has caught up enough to join the ISR.
  bool wants_isr_change = false;
};

// Partition is owned by the broker (shared with in-flight fetches).
// Thread-safe: appends are serialized per partition (the producer checks and
// the append happen under one lock, so concurrent retries are safe); reads
// run concurrently with them. After Close() produces fail with
// kNotLeaderOrFollower; the Log must outlive the Partition.
class Partition : public replication::FollowerReplica {
 public:
  // Open restores producer state from the newest snapshot in the log's
  // directory and replays the log's batches after it.
  static absl::StatusOr<std::shared_ptr<Partition>> Open(
      PartitionOptions options);
  virtual ~Partition() = default;

  virtual Log& log() = 0;

  // Produce validates one RecordBatch v2 as Kafka does (exactly one batch,
  // magic 2, CRC, record count = lastOffsetDelta + 1, max.message.bytes,
  // no control batches from clients, zstd only if allowed, keys on
  // compacted topics), checks the producer's epoch and sequence, appends,
  // and calls `done` as `options.acks` asks: inline, on this thread, for
  // every acks value on a single replica (acks=all waits for the high
  // watermark to pass the batch, which here it does at once). A retried
  // duplicate of one of a producer's last 5 batches answers with the
  // original offsets and appends nothing. Bad input changes nothing. See
  // broker/produce_validator.h for the error of each check.
  virtual void Produce(std::span<char> batch, const ProduceOptions& options,
                       ProduceCallback done) = 0;

  // Read serves one partition of a fetch: at most max_bytes (at least one
  // whole batch if `min_one_batch`), up to the high watermark
  // (read_uncommitted) or last stable offset (read_committed) for a
  // consumer, up to the log end for a follower (`replica_id` >= 0, after
  // RecordFollowerFetch). Errors go in the result's status
  // (kOffsetOutOfRange outside [log start, log end]; kNotLeaderOrFollower
  // unless this replica leads; kFencedLeaderEpoch / kUnknownLeaderEpoch for
  // a current_leader_epoch older / newer than this leader's).
  virtual FetchPartitionResult Read(const FetchPartitionRequest& request,
                                    IsolationLevel isolation, int64_t max_bytes,
                                    bool min_one_batch,
                                    NodeId replica_id = NodeId(-1)) = 0;

  // ListOffsets: earliest (log start), latest (high watermark, or last
  // stable offset for read_committed), max timestamp (the first record with
  // the largest timestamp, KIP-734) or the first record at or after a
  // timestamp; offset -1 when none. Only offsets below the isolation level's
  // bound are reported. Other negative timestamps: kInvalidRequest.
  virtual absl::StatusOr<ListOffsetsResult> ListOffsets(
      const ListOffsetsSpec& spec) = 0;
  virtual PartitionOffsets offsets() const = 0;
  virtual Offset high_watermark() const = 0;
  // DeleteRecords: see Broker::DeleteRecords.
  virtual absl::StatusOr<Offset> DeleteRecords(Offset before) = 0;

  // UpdateConfig applies a changed topic config to the log.
  virtual absl::Status UpdateConfig(const LogConfig& config) = 0;
  virtual void set_min_insync_replicas(int32_t n) = 0;

  // --- Replication ----------------------------------------------------------
  // ApplyState takes the partition's state from cluster metadata: it leads
  // when state.leader is this broker (a new epoch resets what it knows of
  // followers; the same epoch takes the new ISR) and follows otherwise.
  // Losing leadership answers waiting acks=all produces with
  // kNotLeaderOrFollower.
  virtual RoleChange ApplyState(const replication::PartitionState& state) = 0;
  virtual bool is_leader() const = 0;
  virtual LeaderEpoch leader_epoch() const = 0;
  // RecordFollowerFetch, on the leader, takes a follower's fetch offset as
  // its log end: the high watermark may move (acks=all answers run here).
  // Errors as Read's for a follower.
  virtual absl::StatusOr<FollowerFetch> RecordFollowerFetch(
      NodeId replica, LeaderEpoch current_leader_epoch,
      Offset fetch_offset) = 0;
  // ProposeIsrChange, on the leader, is the ISR it should ask the
  // controller for now (laggards out after `lag_ms`, caught-up followers
  // in), marked pending until IsrChangeDone; nullopt if none is due.
  virtual std::optional<replication::AlterPartitionRequest> ProposeIsrChange(
      int64_t lag_ms) = 0;
  // IsrChangeDone ends a pending change the controller refused (an
  // accepted one arrives through ApplyState).
  virtual void IsrChangeDone() = 0;
  // LeaderEndOffsetForEpoch answers OffsetForLeaderEpoch on the leader.
  virtual absl::StatusOr<EpochEndOffset> LeaderEndOffsetForEpoch(
      LeaderEpoch current_leader_epoch, LeaderEpoch epoch) = 0;
  // SnapshotProducerState writes the producer state at the log end, and
  // expires producers idle past producer.id.expiration.ms.
  virtual absl::Status SnapshotProducerState() = 0;
  // Close snapshots producer state; the log itself is closed by its owner.
  virtual absl::Status Close() = 0;
  // CloseAbruptly closes as a crash would: waiting acks=all produces fail
  // and later calls fail as after Close, but no snapshot is written (the
  // next open rebuilds producer state from the log).
  virtual void CloseAbruptly() = 0;
};

}  // namespace rill::broker

#endif  // RILL_BROKER_PARTITION_H_
