// PartitionImpl: the Partition (partition.h) over a rill::Log. The client
// paths (produce, read, offsets) are in partition.cc, the replica's role and
// replication in partition_replica.cc.
#ifndef RILL_BROKER_PARTITION_IMPL_H_
#define RILL_BROKER_PARTITION_IMPL_H_

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "broker/partition.h"
#include "broker/pending_acks.h"
#include "broker/producer_state.h"
#include "broker/replica_tracker.h"
#include "rill/error.h"

namespace rill::broker {

// Error helpers shared by the two halves.
absl::Status ClosedError(const TopicPartition& tp);
absl::Status NotLeaderError(const TopicPartition& tp, NodeId leader);
// WithReason gives a Log error the ErrorReason a Kafka client acts on;
// `invalid_argument` is the reason for kInvalidArgument.
absl::Status WithReason(const absl::Status& status,
                        ErrorReason invalid_argument);

class PartitionImpl final : public Partition,
                            public std::enable_shared_from_this<PartitionImpl> {
 public:
  explicit PartitionImpl(PartitionOptions options);

  // Load rebuilds producer state: the newest usable snapshot at or below
  // the log end, then the headers of the batches after it.
  absl::Status Load() ABSL_LOCKS_EXCLUDED(append_mu_, replica_mu_);

  // partition.cc: the client paths.
  const TopicPartition& tp() const override { return tp_; }
  Log& log() override { return *log_; }
  void Produce(std::span<char> batch, const ProduceOptions& options,
               ProduceCallback done) override;
  FetchPartitionResult Read(const FetchPartitionRequest& request,
                            IsolationLevel isolation, int64_t max_bytes,
                            bool min_one_batch, NodeId replica_id) override;
  absl::StatusOr<ListOffsetsResult> ListOffsets(
      const ListOffsetsSpec& spec) override;
  PartitionOffsets offsets() const override;
  Offset high_watermark() const override {
    return Offset(high_watermark_.load(std::memory_order_acquire));
  }
  absl::StatusOr<Offset> DeleteRecords(Offset before) override;
  absl::Status UpdateConfig(const LogConfig& config) override;
  void set_min_insync_replicas(int32_t n) override { min_isr_.store(n); }
  absl::Status SnapshotProducerState() override;
  absl::Status Close() override;
  void CloseAbruptly() override;

  // partition_replica.cc: roles and replication.
  RoleChange ApplyState(const replication::PartitionState& state) override;
  bool is_leader() const override { return leader_.load(); }
  LeaderEpoch leader_epoch() const override {
    return LeaderEpoch(leader_epoch_.load());
  }
  absl::StatusOr<FollowerFetch> RecordFollowerFetch(
      NodeId replica, LeaderEpoch current_leader_epoch,
      Offset fetch_offset) override;
  std::optional<replication::AlterPartitionRequest> ProposeIsrChange(
      int64_t lag_ms) override;
  void IsrChangeDone() override;
  absl::StatusOr<EpochEndOffset> LeaderEndOffsetForEpoch(
      LeaderEpoch current_leader_epoch, LeaderEpoch epoch) override;

  // FollowerReplica.
  Offset log_end_offset() const override { return log_->log_end_offset(); }
  std::optional<LeaderEpoch> latest_epoch() const override {
    return log_->latest_epoch();
  }
  EpochEndOffset EndOffsetForEpoch(LeaderEpoch epoch) const override {
    return log_->EndOffsetForEpoch(epoch);
  }
  absl::Status TruncateFromLeader(LeaderEpoch leader_epoch,
                                  Offset offset) override;
  absl::Status ResetFromLeader(LeaderEpoch leader_epoch,
                               Offset offset) override;
  absl::Status AppendFromLeader(LeaderEpoch leader_epoch,
                                std::span<char> batches,
                                Offset leader_high_watermark,
                                Offset leader_log_start_offset) override;
  absl::Status AppendStoredFromLeader(LeaderEpoch leader_epoch,
                                      const LogReadResult& stored,
                                      Offset leader_high_watermark,
                                      Offset leader_log_start_offset) override;

 private:
  // FollowLeader runs a follower's append (`append` appends and returns
  // the headers of what it appended) if this replica still follows at
  // `leader_epoch`, then tracks the producers and takes the leader's log
  // start and high watermark.
  absl::Status FollowLeader(
      LeaderEpoch leader_epoch, Offset leader_high_watermark,
      Offset leader_log_start_offset,
      absl::FunctionRef<
          absl::StatusOr<std::vector<record::RecordBatchHeader>>()>
          append);
  // CloseWith closes, writing a producer snapshot if `snapshot`.
  absl::Status CloseWith(bool snapshot);
  // Bound is the first offset a consumer at `isolation` may not see.
  Offset Bound(IsolationLevel isolation) const;
  // CheckLeader: this replica leads, at `epoch` if one is given (>= 0).
  // Reads only the atomics, so reads never wait for an append.
  absl::Status CheckLeader(LeaderEpoch epoch) const;
  // CheckFollowerLocked: this replica follows at `leader_epoch` (a fetcher
  // acting on an older Follow is refused).
  absl::Status CheckFollowerLocked(LeaderEpoch leader_epoch) const
      ABSL_SHARED_LOCKS_REQUIRED(append_mu_);
  // AppendLocked validates, checks the producer and appends. Returns the
  // answer to give (with the high watermark that completes an acks=all
  // produce) or the error; on error nothing has changed.
  absl::StatusOr<PendingAck> AppendLocked(std::span<char> batch,
                                          const ProduceOptions& options)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  // UpdateHighWatermarkLocked moves the leader's high watermark to what its
  // ISR has and collects the acks=all answers it completes (with
  // kNotEnoughReplicasAfterAppend while the ISR is below
  // min.insync.replicas); true if it moved.
  bool UpdateHighWatermarkLocked(std::vector<PendingAck>* ready)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(replica_mu_);
  // SetHighWatermarkLocked sets it outright (a follower's, which may move
  // back after a truncation); true if it changed.
  bool SetHighWatermarkLocked(Offset hw)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(replica_mu_);
  // ReloadProducersLocked rebuilds producer state for the log as it is now
  // (after a truncation).
  absl::Status ReloadProducersLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  // ScheduleAckTimeout expires waiting acks=all answers at `deadline_ms`.
  void ScheduleAckTimeout(int64_t timeout_ms);
  void ExpireAcks();
  void Notify() {
    if (on_advance_) on_advance_(tp_);
  }

  // Constant after construction.
  const TopicPartition tp_;
  Log* const log_;
  const std::shared_ptr<io::FileSystem> fs_;
  const std::shared_ptr<Clock> clock_;
  const NodeId self_;
  const int64_t producer_id_expiration_ms_;
  util::TimerQueue* const timers_;
  const std::function<void(const TopicPartition&)> on_advance_;

  // Serializes snapshot writes (file names may repeat); taken before
  // append_mu_ so that appends wait only while the state is encoded.
  absl::Mutex snapshot_mu_ ABSL_ACQUIRED_BEFORE(append_mu_);
  // Serializes appends (leader's and follower's) with their producer
  // checks, and role changes. Held across the log's write.
  mutable absl::Mutex append_mu_ ABSL_ACQUIRED_BEFORE(replica_mu_);
  ProducerStateTable producers_ ABSL_GUARDED_BY(append_mu_);
  // Guards the leader's view of its replicas. Taken after append_mu_ and
  // never held across I/O: a follower's fetch, which moves the high
  // watermark and completes acks=all produces, must not wait for the
  // leader's next write (it did, and the followers ran one at a time).
  mutable absl::Mutex replica_mu_;
  PendingAcks pending_acks_ ABSL_GUARDED_BY(replica_mu_);
  // The partition's state from metadata (replicas, ISR, leader, epochs).
  // Changed only with append_mu_ held too, so an append sees it constant.
  replication::PartitionState state_ ABSL_GUARDED_BY(replica_mu_);
  // What the leader knows of its followers.
  ReplicaTracker tracker_ ABSL_GUARDED_BY(replica_mu_);
  // The log end when this leadership began: followers join the ISR only
  // once past it.
  Offset epoch_start_offset_ ABSL_GUARDED_BY(replica_mu_) = Offset(0);
  // Written under replica_mu_; read anywhere.
  std::atomic<int64_t> high_watermark_{0};
  // The role, copied from state_: written under both mutexes, so constant
  // while either is held; read anywhere.
  std::atomic<int32_t> leader_epoch_{0};
  std::atomic<int32_t> leader_id_{0};
  std::atomic<bool> leader_{true};
  std::atomic<int32_t> min_isr_{1};
  // Set once, under append_mu_.
  std::atomic<bool> closed_{false};
};

}  // namespace rill::broker

#endif  // RILL_BROKER_PARTITION_IMPL_H_
