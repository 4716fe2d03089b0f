// client/consumer_impl.h — the Consumer behind rill/client/consumer.h.
//
// Everything happens on the polling thread, inside the calls the
// application makes (Kafka's classic KafkaConsumer model): Poll drives the
// group protocol (GroupMembership), rebalance callbacks, auto-commit,
// position lookups (committed offset, else auto.offset.reset) and fetching
// (Fetcher). Requests go where the Router says: fetches and offset lookups
// to each partition's leader, group requests to the group's coordinator,
// metadata to any live broker. The only other threads are the brokers' and
// the coordinator's
// (answering fetches, joins, syncs and commits into shared inboxes) and the
// consumer's timer thread (heartbeats); they wake Poll through one
// ConsumerSignal and never touch the state below.
//
// Split over consumer.cc (the API, Poll, commits), consumer_positions.cc
// (lookups, seeks, pause, lag) and consumer_rebalance.cc (the group duties
// and the listener).
#ifndef RILL_CLIENT_CONSUMER_IMPL_H_
#define RILL_CLIENT_CONSUMER_IMPL_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/consumer_assignment.h"
#include "client/consumer_group_protocol.h"
#include "client/consumer_offsets.h"
#include "client/consumer_signal.h"
#include "client/fetcher.h"
#include "client/group_membership.h"
#include "client/router.h"
#include "rill/client/assignor.h"
#include "rill/client/consumer.h"
#include "util/timer_queue.h"

namespace rill::client {

// ConsumerImpl: owned by the application; the brokers outlive it. Not
// thread-safe (one thread at a time), except Wakeup.
class ConsumerImpl final : public Consumer {
 public:
  ConsumerImpl(std::shared_ptr<Router> router, ConsumerOptions options,
               std::unique_ptr<ConsumerGroupProtocol> protocol);
  ~ConsumerImpl() override;
  ConsumerImpl(const ConsumerImpl&) = delete;
  ConsumerImpl& operator=(const ConsumerImpl&) = delete;

  absl::Status Subscribe(const std::vector<std::string>& topics,
                         std::shared_ptr<RebalanceListener> listener) override;
  absl::Status Assign(const std::vector<TopicPartition>& partitions) override;
  absl::Status Unsubscribe() override;
  std::vector<TopicPartition> Assignment() const override;
  std::vector<std::string> Subscription() const override;

  absl::StatusOr<ConsumerRecords> Poll(int64_t timeout_ms) override;
  void Wakeup() override { signal_->Wakeup(); }

  absl::Status Seek(const TopicPartition& tp, Offset offset) override;
  absl::Status SeekToBeginning(
      const std::vector<TopicPartition>& partitions) override;
  absl::Status SeekToEnd(
      const std::vector<TopicPartition>& partitions) override;
  absl::StatusOr<Offset> Position(const TopicPartition& tp) override;

  absl::Status Pause(const std::vector<TopicPartition>& partitions) override;
  absl::Status Resume(const std::vector<TopicPartition>& partitions) override;
  std::vector<TopicPartition> Paused() const override;

  absl::Status CommitSync() override;
  absl::Status CommitSync(
      const std::map<TopicPartition, OffsetAndMetadata>& offsets) override;
  void CommitAsync(CommitCallback done) override;
  absl::StatusOr<std::optional<OffsetAndMetadata>> Committed(
      const TopicPartition& tp) override;
  absl::StatusOr<int64_t> Lag(const TopicPartition& tp) override;

  std::string member_id() const override;
  int32_t generation_id() const override;

  absl::Status Close() override;

 private:
  // --- consumer.cc ---------------------------------------------------------
  absl::Status CheckOpen(std::string_view call) const;
  absl::Status CheckGroup(std::string_view call) const;
  bool auto_commit() const {
    return options_.enable_auto_commit && !options_.group_id.empty();
  }
  // Consumed is the position of every assigned partition (of `only`, when
  // given) that has one: what commits store.
  std::map<TopicPartition, OffsetAndMetadata> Consumed(
      const std::vector<TopicPartition>* only = nullptr) const;
  // CommitGeneration is who commits: the stable generation when
  // subscribed, or nobody (-1, "") for manually assigned partitions.
  absl::StatusOr<MemberGeneration> CommitGeneration() const;
  absl::Status CommitOffsetsSync(
      const std::map<TopicPartition, OffsetAndMetadata>& offsets);
  void CommitConsumedAsync(CommitCallback done);
  void MaybeAutoCommit();

  // --- consumer_positions.cc -----------------------------------------------
  // AssignedStates returns the states of `partitions` (all assigned ones
  // when empty); kFailedPrecondition naming the first one not assigned.
  absl::StatusOr<std::vector<PartitionState*>> AssignedStates(
      std::vector<TopicPartition> partitions, std::string_view call);
  // ResolvePosition finds the position of a partition that has none: its
  // committed offset, else auto.offset.reset. With auto.offset.reset=none
  // that is an error; lookup failures are errors only if `report_errors`
  // (else the partition rests for kRetryBackoff and Poll tries again).
  absl::Status ResolvePosition(PartitionState& state, bool report_errors);
  absl::Status ResolvePositions();
  // ListOffset looks an offset up on tp's leader, again as the leader
  // moves until `deadline` (a past one: a single attempt).
  absl::StatusOr<Offset> ListOffset(const TopicPartition& tp, int64_t timestamp,
                                    absl::Time deadline);
  // NextRetry is the earliest time a backed-off lookup, fetch or join may
  // run again (after `now`).
  absl::Time NextRetry(absl::Time now) const;

  // --- consumer_rebalance.cc -----------------------------------------------
  // UpdateGroup does the group's share of a Poll: lost partitions, joining
  // (with the revocations that come first) and completing a rebalance.
  absl::Status UpdateGroup();
  // PrepareJoin: before (re)joining, revoke all partitions (eager, after an
  // auto-commit) or those of topics no longer subscribed (cooperative).
  void PrepareJoin();
  // CompleteRebalance applies a new assignment: revoke what is gone
  // (cooperative: then rejoin), then announce what was added.
  absl::Status CompleteRebalance(const CompletedRebalance& done);
  // SubscribedPartitionCounts: partitions of each subscribed topic now (0
  // for a topic that does not exist).
  std::map<std::string, int32_t> SubscribedPartitionCounts() const;
  // MaybeCheckMetadata asks for a rejoin when a subscribed topic appeared,
  // vanished or grew since the last join, as Kafka's consumers rebalance on
  // such metadata changes. Checked every kMetadataCheckMs of the clock.
  void MaybeCheckMetadata();
  // LoseAll gives up every partition without a chance to commit.
  void LoseAll();
  // RevokeForLeave tells the listener all partitions are going, as the
  // member leaves (revoked if its generation is intact, else lost).
  void RevokeForLeave();
  void InvokeRevoked(const std::vector<TopicPartition>& partitions);
  void InvokeAssigned(const std::vector<TopicPartition>& partitions);
  void InvokeLost(const std::vector<TopicPartition>& partitions);

  const std::shared_ptr<Router> router_;
  const ConsumerOptions options_;
  const std::shared_ptr<ConsumerSignal> signal_;
  const std::unique_ptr<ConsumerGroupProtocol> protocol_;
  // Group consumers only (group.id set): heartbeats, commits, membership.
  // timers_ outlives membership_, whose heartbeats it runs.
  std::unique_ptr<util::TimerQueue> timers_;
  std::unique_ptr<ConsumerOffsets> offsets_;
  std::unique_ptr<GroupMembership> membership_;

  ConsumerAssignment assignment_;
  Fetcher fetcher_;
  std::shared_ptr<RebalanceListener> listener_;
  // How the current generation's partitions are given up.
  RebalanceProtocol rebalance_protocol_ = RebalanceProtocol::kEager;
  // The generation in which the owned partitions were assigned (-1: none).
  int32_t assigned_generation_ = -1;
  // The revocations before the pending join are done.
  bool join_prepared_ = false;
  // Partition counts of the subscribed topics when we last joined.
  std::map<std::string, int32_t> joined_partition_counts_;
  int64_t next_metadata_check_ms_ = 0;
  int64_t next_auto_commit_ms_ = 0;
  bool closed_ = false;
};

}  // namespace rill::client

#endif  // RILL_CLIENT_CONSUMER_IMPL_H_
