#include "client/group_membership.h"

#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "client/group_membership_state.h"
#include "rill/error.h"
#include "util/status_macros.h"

namespace rill::client {
namespace {

absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// Retriable: the coordinator is moving or loading, or the group is busy;
// JoinGroup is simply sent again after retry.backoff.ms.
bool IsRetriableJoinError(ErrorReason reason) {
  switch (reason) {
    case ErrorReason::kCoordinatorNotAvailable:
    case ErrorReason::kNotCoordinator:
    case ErrorReason::kCoordinatorLoadInProgress:
    case ErrorReason::kRebalanceInProgress:
    case ErrorReason::kRequestTimedOut:
      return true;
    default:
      return false;
  }
}

constexpr absl::Duration kJoinRetryBackoff = absl::Milliseconds(100);

}  // namespace

GroupMembership::GroupMembership(std::shared_ptr<Router> router,
                                 GroupMembershipConfig config,
                                 std::shared_ptr<ConsumerSignal> signal,
                                 util::TimerQueue* timers)
    : shared_(std::make_shared<Shared>(std::move(router), std::move(config),
                                       std::move(signal), timers)) {}

GroupMembership::~GroupMembership() {
  absl::MutexLock lock(&shared_->mu);
  shared_->StopHeartbeatsLocked();
  ++shared_->request_seq;
}

GroupMembership::State GroupMembership::state() const {
  absl::MutexLock lock(&shared_->mu);
  return shared_->state;
}

bool GroupMembership::ShouldJoin() const {
  {
    absl::MutexLock lock(&shared_->mu);
    if (!shared_->rejoin_needed || !shared_->fatal.ok() ||
        shared_->state == State::kJoining ||
        shared_->state == State::kSyncing) {
      return false;
    }
  }
  return absl::Now() >= retry_at_;
}

void GroupMembership::RequestRejoin() {
  absl::MutexLock lock(&shared_->mu);
  shared_->rejoin_needed = true;
}

void GroupMembership::SendJoin(std::vector<GroupProtocol> protocols) {
  protocols_ = std::move(protocols);
  SendJoinRequest();
}

void GroupMembership::SendJoinRequest() {
  Shared& s = *shared_;
  JoinGroupRequest request{
      .group_id = s.config.group_id,
      .session_timeout_ms = s.config.session_timeout_ms,
      .rebalance_timeout_ms = s.config.rebalance_timeout_ms,
      .member_id = {},
      .group_instance_id = s.config.group_instance_id,
      .protocol_type = s.config.protocol_type,
      .protocols = protocols_,
      .require_known_member_id = true,
      .client_id = s.config.client_id,
      .client_host = {}};
  uint64_t seq;
  {
    absl::MutexLock lock(&s.mu);
    s.StopHeartbeatsLocked();
    s.state = State::kJoining;
    s.rejoin_needed = false;
    seq = ++s.request_seq;
    s.join_answer.reset();
    s.sync_answer.reset();
    request.member_id = s.member_id;
  }
  auto on_answer = [shared = shared_, seq](JoinGroupResponse answer) {
    {
      absl::MutexLock lock(&shared->mu);
      if (shared->request_seq != seq) return;
      shared->join_answer = std::move(answer);
    }
    shared->signal->Notify();
  };
  absl::StatusOr<std::shared_ptr<Broker>> coordinator =
      s.router->Coordinator(s.config.group_id);
  if (!coordinator.ok()) {
    // Answered as a coordinator that is not there would: retried later.
    JoinGroupResponse refused;
    refused.status = coordinator.status();
    on_answer(std::move(refused));
    return;
  }
  (*coordinator)
      ->group_coordinator()
      .JoinGroup(std::move(request), std::move(on_answer));
}

absl::StatusOr<std::optional<CompletedRebalance>> GroupMembership::Advance(
    LeaderAssign assign) {
  while (true) {
    std::optional<JoinGroupResponse> join;
    std::optional<SyncGroupResponse> sync;
    {
      absl::MutexLock lock(&shared_->mu);
      if (!shared_->fatal.ok()) return shared_->fatal;
      join.swap(shared_->join_answer);
      sync.swap(shared_->sync_answer);
    }
    if (join.has_value()) {
      // Sends SyncGroup or another JoinGroup, whose answer may already be
      // in: look again.
      RETURN_IF_ERROR(OnJoinAnswer(*std::move(join), assign));
      continue;
    }
    if (sync.has_value()) return OnSyncAnswer(*std::move(sync));
    return std::nullopt;
  }
}

absl::Status GroupMembership::OnJoinAnswer(JoinGroupResponse answer,
                                           LeaderAssign assign) {
  Shared& s = *shared_;
  const ErrorReason reason = GetErrorReason(answer.status);
  s.NoteError(answer.status);
  if (answer.status.ok()) {
    uint64_t seq;
    {
      absl::MutexLock lock(&s.mu);
      s.generation_id = answer.generation_id;
      s.member_id = answer.member_id;
      s.state = State::kSyncing;
      s.dropped_reason = ErrorReason::kNone;
      seq = ++s.request_seq;
      s.StartHeartbeatsLocked();
    }
    SyncGroupRequest request{.group_id = s.config.group_id,
                             .generation_id = answer.generation_id,
                             .member_id = answer.member_id,
                             .group_instance_id = s.config.group_instance_id,
                             .protocol_type = s.config.protocol_type,
                             .protocol_name = answer.protocol_name,
                             .assignments = {}};
    if (answer.leader == answer.member_id) {
      absl::StatusOr<std::vector<SyncGroupAssignment>> assignments =
          assign(answer);
      if (!assignments.ok()) {
        absl::MutexLock lock(&s.mu);
        s.StopHeartbeatsLocked();
        s.state = State::kUnjoined;
        s.rejoin_needed = true;
        retry_at_ = absl::Now() + kJoinRetryBackoff;
        return util::Annotate(assignments.status(),
                              "the group leader's assignment failed");
      }
      request.assignments = *std::move(assignments);
    }
    auto on_answer = [shared = shared_, seq](SyncGroupResponse a) {
      {
        absl::MutexLock lock(&shared->mu);
        if (shared->request_seq != seq) return;
        shared->sync_answer = std::move(a);
      }
      shared->signal->Notify();
    };
    absl::StatusOr<std::shared_ptr<Broker>> coordinator =
        s.router->Coordinator(s.config.group_id);
    if (!coordinator.ok()) {
      SyncGroupResponse refused;
      refused.status = coordinator.status();
      on_answer(std::move(refused));
      return absl::OkStatus();
    }
    (*coordinator)
        ->group_coordinator()
        .SyncGroup(std::move(request), std::move(on_answer));
    return absl::OkStatus();
  }
  if (reason == ErrorReason::kMemberIdRequired ||
      reason == ErrorReason::kUnknownMemberId) {
    // KIP-394: join again with the id the coordinator made up; an unknown
    // member id: join again as a new member.
    {
      absl::MutexLock lock(&s.mu);
      s.member_id = reason == ErrorReason::kMemberIdRequired ? answer.member_id
                                                             : std::string();
      if (reason == ErrorReason::kUnknownMemberId && s.generation_id >= 0) {
        // Removed while rejoining (cooperatively, still owning partitions).
        s.generation_id = -1;
        s.lost = true;
        s.dropped_reason = reason;
      }
    }
    SendJoinRequest();
    return absl::OkStatus();
  }
  absl::MutexLock lock(&s.mu);
  if (reason == ErrorReason::kFencedInstanceId) {
    s.FenceLocked(answer.status);
    return answer.status;
  }
  s.state = State::kUnjoined;
  s.rejoin_needed = true;
  retry_at_ = absl::Now() + kJoinRetryBackoff;
  if (IsRetriableJoinError(reason)) return absl::OkStatus();
  return util::Annotate(answer.status,
                        absl::StrCat("JoinGroup for group ",
                                     AbslView(s.config.group_id), " failed"));
}

std::optional<CompletedRebalance> GroupMembership::OnSyncAnswer(
    SyncGroupResponse answer) {
  Shared& s = *shared_;
  s.NoteError(answer.status);
  absl::MutexLock lock(&s.mu);
  if (s.state != State::kSyncing) return std::nullopt;
  if (answer.status.ok()) {
    s.state = State::kStable;
    return CompletedRebalance{.generation_id = s.generation_id,
                              .protocol_name = answer.protocol_name,
                              .assignment = std::move(answer.assignment)};
  }
  switch (const ErrorReason reason = GetErrorReason(answer.status)) {
    case ErrorReason::kUnknownMemberId:
    case ErrorReason::kIllegalGeneration:
      s.LoseGenerationLocked(reason);
      break;
    case ErrorReason::kFencedInstanceId:
      s.FenceLocked(answer.status);
      break;
    default:
      // REBALANCE_IN_PROGRESS (another member joined before we synced) or
      // a coordinator hiccup: join again, keeping member id and what we own.
      s.StopHeartbeatsLocked();
      s.state = State::kUnjoined;
      s.rejoin_needed = true;
      if (reason != ErrorReason::kRebalanceInProgress) {
        retry_at_ = absl::Now() + kJoinRetryBackoff;
      }
      break;
  }
  return std::nullopt;
}

void GroupMembership::PollStarted(int64_t now_ms) {
  {
    absl::MutexLock lock(&shared_->mu);
    shared_->last_poll_ms = now_ms;
    shared_->polling = true;
  }
  shared_->BeatNow();
}

void GroupMembership::PollEnded(int64_t now_ms) {
  absl::MutexLock lock(&shared_->mu);
  shared_->last_poll_ms = now_ms;
  shared_->polling = false;
}

bool GroupMembership::TakeLost() {
  absl::MutexLock lock(&shared_->mu);
  const bool lost = shared_->lost;
  shared_->lost = false;
  return lost;
}

std::optional<MemberGeneration> GroupMembership::Stable() const {
  absl::MutexLock lock(&shared_->mu);
  if (shared_->state != State::kStable) return std::nullopt;
  return MemberGeneration{
      .generation_id = shared_->generation_id,
      .member_id = shared_->member_id,
      .group_instance_id = shared_->config.group_instance_id};
}

MemberGeneration GroupMembership::Current() const {
  absl::MutexLock lock(&shared_->mu);
  return MemberGeneration{
      .generation_id = shared_->generation_id,
      .member_id = shared_->member_id,
      .group_instance_id = shared_->config.group_instance_id};
}

absl::Status GroupMembership::NotStableError() const {
  Shared& s = *shared_;
  absl::MutexLock lock(&s.mu);
  if (!s.fatal.ok()) return s.fatal;
  if (s.state == State::kJoining || s.state == State::kSyncing ||
      (s.generation_id >= 0 && s.rejoin_needed)) {
    return MakeError(
        ErrorReason::kRebalanceInProgress,
        absl::StrCat("offsets cannot be committed while group ",
                     AbslView(s.config.group_id),
                     " is rebalancing; Poll completes the rebalance, after "
                     "which the revoked partitions' offsets belong to their "
                     "new owners"));
  }
  ErrorReason reason = s.dropped_reason;
  if (reason == ErrorReason::kNone) {
    reason = s.member_id.empty() ? ErrorReason::kUnknownMemberId
                                 : ErrorReason::kIllegalGeneration;
  }
  return MakeError(
      reason,
      absl::StrCat("commit failed (Kafka's CommitFailedException): this "
                   "consumer is not in an active generation of group ",
                   AbslView(s.config.group_id),
                   " — it was removed, e.g. because it did not poll within "
                   "max.poll.interval.ms or its heartbeats stopped for "
                   "session.timeout.ms, and its partitions may have moved; "
                   "Poll rejoins the group"));
}

void GroupMembership::OnCommitError(const absl::Status& status,
                                    int32_t generation_id) {
  bool notify = false;
  {
    Shared& s = *shared_;
    absl::MutexLock lock(&s.mu);
    if (generation_id != s.generation_id) return;  // a newer generation now
    switch (const ErrorReason reason = GetErrorReason(status)) {
      case ErrorReason::kUnknownMemberId:
      case ErrorReason::kIllegalGeneration:
        s.LoseGenerationLocked(reason);
        notify = true;
        break;
      case ErrorReason::kRebalanceInProgress:
        s.rejoin_needed = true;
        notify = true;
        break;
      case ErrorReason::kFencedInstanceId:
        s.FenceLocked(status);
        notify = true;
        break;
      default:
        break;
    }
  }
  if (notify) shared_->signal->Notify();
}

absl::Status GroupMembership::Leave() {
  Shared& s = *shared_;
  MemberIdentity member;
  bool send;
  {
    absl::MutexLock lock(&s.mu);
    send = !s.config.group_instance_id.has_value() && !s.member_id.empty() &&
           s.fatal.ok();
    member = {.member_id = s.member_id,
              .group_instance_id = s.config.group_instance_id};
    s.StopHeartbeatsLocked();
    s.state = State::kUnjoined;
    s.generation_id = -1;
    s.member_id.clear();
    s.rejoin_needed = true;
    s.lost = false;
    s.dropped_reason = ErrorReason::kNone;
    ++s.request_seq;
    s.join_answer.reset();
    s.sync_answer.reset();
  }
  retry_at_ = absl::InfinitePast();
  if (!send) return absl::OkStatus();
  const absl::Status status = s.SendLeave(member);
  if (HasErrorReason(status, ErrorReason::kUnknownMemberId)) {
    return absl::OkStatus();
  }
  return util::Annotate(status, "LeaveGroup");
}

}  // namespace rill::client
