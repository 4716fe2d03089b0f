// client/group_membership.h — a member's side of Kafka's classic group
// protocol (Kafka's AbstractCoordinator): JoinGroup with the member-id
// dance, SyncGroup, heartbeats on a timer, LeaveGroup, and what each error
// means for the member. It knows nothing of partitions: the consumer builds
// the protocols, runs the assignor when this member leads, and reads the
// assignment bytes it gets back.
//
// The coordinator is the broker leading the group's offsets partition,
// found through the Router; a request that finds it moved (NOT_COORDINATOR,
// COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS) makes the next
// one look it up again, and a JoinGroup or SyncGroup so refused is retried
// after retry.backoff.ms, as Kafka's AbstractCoordinator does.
//
// Requests never block: the coordinator answers on another member's thread,
// its timer, or inline, and the answer waits in shared state until the
// polling thread calls Advance. Heartbeats run on the consumer's timer
// queue every heartbeat.interval.ms from a successful JoinGroup until the
// member rejoins, leaves or is removed; what they learn (a rebalance, a
// lost generation, fencing) wakes Poll through the ConsumerSignal.
#ifndef RILL_CLIENT_GROUP_MEMBERSHIP_H_
#define RILL_CLIENT_GROUP_MEMBERSHIP_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/consumer_signal.h"
#include "client/router.h"
#include "rill/group/group_coordinator.h"
#include "util/timer_queue.h"

namespace rill::client {

// GroupMembershipConfig: the member's group settings.
struct GroupMembershipConfig {
  std::string group_id = {};
  std::optional<std::string> group_instance_id = std::nullopt;
  std::string client_id = {};
  std::string protocol_type = "consumer";
  int32_t session_timeout_ms = 45000;
  // max.poll.interval.ms for consumers.
  int32_t rebalance_timeout_ms = 300000;
  int32_t heartbeat_interval_ms = 3000;
};

// MemberGeneration identifies the member in one generation, as commits
// carry it (-1 and "" outside the group protocol).
struct MemberGeneration {
  int32_t generation_id = -1;
  std::string member_id = {};
  std::optional<std::string> group_instance_id = std::nullopt;
};

// CompletedRebalance is what a finished JoinGroup + SyncGroup gave.
struct CompletedRebalance {
  int32_t generation_id = -1;
  std::string protocol_name = {};
  // This member's assignment, as the leader encoded it.
  std::string assignment = {};
};

// GroupMembership is owned by a consumer; the polling thread calls
// everything (it is not thread-safe to call from several threads), while
// coordinator callbacks and heartbeats touch only the internal shared
// state, under its lock. The timer queue must outlive it (or be shut down
// first).
class GroupMembership {
 public:
  enum class State {
    kUnjoined,  // not in a generation (or waiting to rejoin after an error)
    kJoining,   // JoinGroup sent
    kSyncing,   // SyncGroup sent
    kStable,    // in a generation
  };
  // LeaderAssign computes every member's assignment when this member leads.
  using LeaderAssign =
      absl::FunctionRef<absl::StatusOr<std::vector<SyncGroupAssignment>>(
          const JoinGroupResponse&)>;

  GroupMembership(std::shared_ptr<Router> router, GroupMembershipConfig config,
                  std::shared_ptr<ConsumerSignal> signal,
                  util::TimerQueue* timers);
  ~GroupMembership();
  GroupMembership(const GroupMembership&) = delete;
  GroupMembership& operator=(const GroupMembership&) = delete;

  State state() const;
  // ShouldJoin: a JoinGroup is due now (a rejoin was asked for, none is in
  // flight, and no error backoff is running).
  bool ShouldJoin() const;
  // RequestRejoin asks for a JoinGroup on the next Poll (e.g. the
  // subscription changed, or partitions were revoked cooperatively).
  void RequestRejoin();
  // retry_at is when a JoinGroup refused for a retriable reason is retried.
  absl::Time retry_at() const { return retry_at_; }

  // SendJoin sends JoinGroup with `protocols` (resent as they are after
  // MEMBER_ID_REQUIRED). Heartbeats stop until it succeeds.
  void SendJoin(std::vector<GroupProtocol> protocols);
  // Advance handles the answers that have arrived and sends what follows
  // (SyncGroup after JoinGroup, a second JoinGroup after
  // MEMBER_ID_REQUIRED). Returns the rebalance's result once SyncGroup
  // succeeds; an error for fatal conditions (FENCED_INSTANCE_ID, always
  // after) and for refusals the caller must see (INVALID_SESSION_TIMEOUT,
  // GROUP_MAX_SIZE_REACHED, INCONSISTENT_GROUP_PROTOCOL, a failed leader
  // assignment; the join is retried on a later call).
  absl::StatusOr<std::optional<CompletedRebalance>> Advance(
      LeaderAssign assign);

  // PollStarted and PollEnded bracket each Poll (times on the timer
  // queue's clock). A member whose application spends more than
  // max.poll.interval.ms between Polls is taken out of the group by its
  // heartbeat, as by Kafka's heartbeat thread: a dynamic member sends
  // LeaveGroup, so its partitions move on; its next Poll rejoins.
  void PollStarted(int64_t now_ms);
  void PollEnded(int64_t now_ms);

  // TakeLost returns true once after the member lost its generation
  // (UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION from a heartbeat, SyncGroup or
  // commit): its partitions are no longer its own.
  bool TakeLost();

  // Stable returns the generation while the member is in one.
  std::optional<MemberGeneration> Stable() const;
  // Current is the member id and generation as last known (for member_id()
  // and generation_id()).
  MemberGeneration Current() const;
  // NotStableError is what a commit gets outside a stable generation:
  // kRebalanceInProgress during a rebalance, else the reason the member was
  // dropped (kUnknownMemberId / kIllegalGeneration) — Kafka's
  // CommitFailedException.
  absl::Status NotStableError() const;
  // OnCommitError applies a commit's group error (UNKNOWN_MEMBER_ID,
  // ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS, FENCED_INSTANCE_ID) sent in
  // generation `generation_id`, as a heartbeat's would be.
  void OnCommitError(const absl::Status& status, int32_t generation_id);

  // Leave ends the membership: a dynamic member sends LeaveGroup (a static
  // one never does, as in Kafka: its session timeout removes it, so a
  // restart with the same group.instance.id causes no rebalance). Local
  // state is reset either way. UNKNOWN_MEMBER_ID (already gone) is not an
  // error.
  absl::Status Leave();

 private:
  struct Shared;

  // SendJoinRequest sends JoinGroup with protocols_.
  void SendJoinRequest();
  absl::Status OnJoinAnswer(JoinGroupResponse answer, LeaderAssign assign);
  std::optional<CompletedRebalance> OnSyncAnswer(SyncGroupResponse answer);

  const std::shared_ptr<Shared> shared_;
  std::vector<GroupProtocol> protocols_;  // of the current join
  absl::Time retry_at_ = absl::InfinitePast();
};

}  // namespace rill::client

#endif  // RILL_CLIENT_GROUP_MEMBERSHIP_H_
