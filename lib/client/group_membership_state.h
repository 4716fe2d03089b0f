// client/group_membership_state.h — the part of a GroupMembership other
// threads touch: coordinator callbacks leave their answers in it, and
// heartbeats (on the consumer's timer queue) run from it. Everything here
// is guarded by `mu`; nothing calls out (to the coordinator or the
// signal's waiters) while holding it, except the leaf locks of the timer
// queue and the signal.
#ifndef RILL_CLIENT_GROUP_MEMBERSHIP_STATE_H_
#define RILL_CLIENT_GROUP_MEMBERSHIP_STATE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "client/group_membership.h"
#include "client/router.h"
#include "rill/error.h"

namespace rill::client {

// Shared is owned jointly by its GroupMembership, the callbacks of its
// requests in flight and its scheduled heartbeats.
struct GroupMembership::Shared
    : public std::enable_shared_from_this<GroupMembership::Shared> {
  Shared(std::shared_ptr<Router> r, GroupMembershipConfig cfg,
         std::shared_ptr<ConsumerSignal> sig, util::TimerQueue* t)
      : router(std::move(r)),
        config(std::move(cfg)),
        signal(std::move(sig)),
        timers(t) {}

  // Finds the group's coordinator for each request.
  const std::shared_ptr<Router> router;
  const GroupMembershipConfig config;
  const std::shared_ptr<ConsumerSignal> signal;
  util::TimerQueue* const timers;

  absl::Mutex mu;
  State state ABSL_GUARDED_BY(mu) = State::kUnjoined;
  int32_t generation_id ABSL_GUARDED_BY(mu) = -1;
  std::string member_id ABSL_GUARDED_BY(mu);
  bool rejoin_needed ABSL_GUARDED_BY(mu) = true;
  // The generation was lost since the consumer last asked (TakeLost).
  bool lost ABSL_GUARDED_BY(mu) = false;
  absl::Status fatal ABSL_GUARDED_BY(mu);
  // Why the member last lost its generation (for commit errors).
  ErrorReason dropped_reason ABSL_GUARDED_BY(mu) = ErrorReason::kNone;
  // Only answers to the latest JoinGroup / SyncGroup are kept.
  uint64_t request_seq ABSL_GUARDED_BY(mu) = 0;
  std::optional<JoinGroupResponse> join_answer ABSL_GUARDED_BY(mu);
  std::optional<SyncGroupResponse> sync_answer ABSL_GUARDED_BY(mu);
  // Heartbeats scheduled under an older epoch do nothing.
  uint64_t heartbeat_epoch ABSL_GUARDED_BY(mu) = 0;
  util::TimerQueue::Id heartbeat_timer ABSL_GUARDED_BY(mu) = 0;
  // When the application last polled (timers' clock), and whether it is
  // inside Poll now (time spent waiting in Poll is not time away from it).
  int64_t last_poll_ms ABSL_GUARDED_BY(mu) = 0;
  bool polling ABSL_GUARDED_BY(mu) = false;

  // StartHeartbeatsLocked begins a new heartbeat chain (the first beat one
  // interval from now); StopHeartbeatsLocked ends the current one.
  void StartHeartbeatsLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  void StopHeartbeatsLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // LoseGenerationLocked: the coordinator no longer knows this member
  // (UNKNOWN_MEMBER_ID: rejoin as a new member) or this generation
  // (ILLEGAL_GENERATION: rejoin with the same member id).
  void LoseGenerationLocked(ErrorReason reason)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // FenceLocked: another instance with our group.instance.id took over;
  // the member is done (Kafka's FencedInstanceIdException is fatal).
  void FenceLocked(const absl::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // NoteError forgets the coordinator when `status` says it moved (or is
  // not there), so the next request finds it again.
  void NoteError(const absl::Status& status) ABSL_LOCKS_EXCLUDED(mu);
  // SendLeave sends LeaveGroup for `member` to the coordinator, found again
  // while it moves for up to kLeaveTimeout.
  absl::Status SendLeave(const MemberIdentity& member) ABSL_LOCKS_EXCLUDED(mu);

  // BeatNow sends the next heartbeat of a stable member now (Poll calls it:
  // in process a heartbeat is a function call, so a member learns of a
  // rebalance at its next poll rather than up to heartbeat.interval.ms
  // later, which is all Kafka's wire clients can do).
  void BeatNow() ABSL_LOCKS_EXCLUDED(mu);

 private:
  void ScheduleHeartbeatLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // PollTimeoutLocked: the application stayed away from Poll for longer
  // than max.poll.interval.ms. Returns the member to send LeaveGroup for (a
  // dynamic one), so the group moves its partitions to members that make
  // progress; static members only stop beating (Kafka's never send
  // LeaveGroup) and their session times out.
  std::optional<MemberIdentity> PollTimeoutLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Heartbeat is one beat of chain `epoch`, on the timer thread.
  void Heartbeat(uint64_t epoch) ABSL_LOCKS_EXCLUDED(mu);
};

}  // namespace rill::client

#endif  // RILL_CLIENT_GROUP_MEMBERSHIP_STATE_H_
