// GroupMembership::Shared: heartbeats and the generation bookkeeping they
// share with the polling thread.
#include "client/group_membership_state.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace rill::client {
namespace {

// How long LeaveGroup looks for a coordinator that is moving: leaving is
// best effort (a member that cannot say goodbye is removed when its
// session times out).
constexpr absl::Duration kLeaveTimeout = absl::Seconds(1);

}  // namespace

void GroupMembership::Shared::NoteError(const absl::Status& status) {
  if (IsCoordinatorError(status)) {
    router->InvalidateCoordinator(config.group_id);
  }
}

absl::Status GroupMembership::Shared::SendLeave(const MemberIdentity& member) {
  absl::StatusOr<LeaveGroupResponse> answer =
      router->CallCoordinator<LeaveGroupResponse>(
          config.group_id, absl::Now() + kLeaveTimeout,
          [&](GroupCoordinator& coordinator)
              -> absl::StatusOr<LeaveGroupResponse> {
            LeaveGroupResponse response = coordinator.LeaveGroup(
                {.group_id = config.group_id, .members = {member}});
            if (IsCoordinatorError(response.status)) return response.status;
            return response;
          });
  if (!answer.ok()) return answer.status();
  absl::Status status = answer->status;
  if (status.ok() && !answer->member_statuses.empty()) {
    status = answer->member_statuses.front();
  }
  return status;
}

void GroupMembership::Shared::StartHeartbeatsLocked() {
  StopHeartbeatsLocked();
  ScheduleHeartbeatLocked();
}

void GroupMembership::Shared::ScheduleHeartbeatLocked() {
  const uint64_t epoch = heartbeat_epoch;
  heartbeat_timer = timers->ScheduleAfter(
      config.heartbeat_interval_ms,
      [self = shared_from_this(), epoch] { self->Heartbeat(epoch); });
}

void GroupMembership::Shared::StopHeartbeatsLocked() {
  ++heartbeat_epoch;
  if (heartbeat_timer != 0) {
    timers->Cancel(heartbeat_timer);
    heartbeat_timer = 0;
  }
}

void GroupMembership::Shared::LoseGenerationLocked(ErrorReason reason) {
  StopHeartbeatsLocked();
  state = State::kUnjoined;
  generation_id = -1;
  if (reason == ErrorReason::kUnknownMemberId) member_id.clear();
  rejoin_needed = true;
  lost = true;
  dropped_reason = reason;
  ++request_seq;
  join_answer.reset();
  sync_answer.reset();
}

std::optional<MemberIdentity> GroupMembership::Shared::PollTimeoutLocked() {
  const MemberIdentity member{.member_id = member_id,
                              .group_instance_id = config.group_instance_id};
  LoseGenerationLocked(ErrorReason::kUnknownMemberId);
  if (config.group_instance_id.has_value() || member.member_id.empty()) {
    return std::nullopt;
  }
  return member;
}

void GroupMembership::Shared::FenceLocked(const absl::Status& status) {
  StopHeartbeatsLocked();
  state = State::kUnjoined;
  generation_id = -1;
  fatal = status;
  dropped_reason = ErrorReason::kFencedInstanceId;
  ++request_seq;
}

void GroupMembership::Shared::BeatNow() {
  uint64_t epoch;
  {
    absl::MutexLock lock(&mu);
    if (state != State::kStable || heartbeat_timer == 0 ||
        !timers->Cancel(heartbeat_timer)) {
      return;  // not a stable member, or its timer is beating right now
    }
    heartbeat_timer = 0;
    epoch = heartbeat_epoch;
  }
  Heartbeat(epoch);
}

void GroupMembership::Shared::Heartbeat(uint64_t epoch) {
  HeartbeatRequest request;
  std::optional<MemberIdentity> leave;
  bool poll_timeout = false;
  {
    absl::MutexLock lock(&mu);
    if (epoch != heartbeat_epoch) return;
    heartbeat_timer = 0;
    poll_timeout = !polling && timers->clock()->NowMs() - last_poll_ms >
                                   config.rebalance_timeout_ms;
    if (poll_timeout) {
      leave = PollTimeoutLocked();
    } else {
      request = {.group_id = config.group_id,
                 .generation_id = generation_id,
                 .member_id = member_id,
                 .group_instance_id = config.group_instance_id};
    }
  }
  if (poll_timeout) {
    if (leave.has_value()) (void)SendLeave(*leave);
    signal->Notify();
    return;
  }
  absl::Status status;
  {
    absl::StatusOr<std::shared_ptr<Broker>> coordinator =
        router->Coordinator(config.group_id);
    status = coordinator.ok()
                 ? (*coordinator)->group_coordinator().Heartbeat(request)
                 : coordinator.status();
  }
  NoteError(status);
  bool notify = false;
  {
    absl::MutexLock lock(&mu);
    if (epoch != heartbeat_epoch) return;  // rejoined or left meanwhile
    switch (const ErrorReason reason = GetErrorReason(status)) {
      case ErrorReason::kRebalanceInProgress:
        // News only while stable; during a sync the SyncGroup answer says
        // it again.
        if (state == State::kStable && !rejoin_needed) {
          rejoin_needed = true;
          notify = true;
        }
        break;
      case ErrorReason::kUnknownMemberId:
      case ErrorReason::kIllegalGeneration:
        LoseGenerationLocked(reason);
        notify = true;
        break;
      case ErrorReason::kFencedInstanceId:
        FenceLocked(status);
        notify = true;
        break;
      default:
        // OK, or the coordinator moved or is loading the group: keep
        // beating (to the coordinator found again); a new coordinator that
        // does not know the generation answers as above.
        break;
    }
    if (epoch == heartbeat_epoch) ScheduleHeartbeatLocked();
  }
  if (notify) signal->Notify();
}

}  // namespace rill::client
