// SyncGroup, Heartbeat and LeaveGroup, and how members leave: sessions
// expiring, syncs never sent, pending member ids never used.
#include <utility>

#include "absl/strings/str_cat.h"
#include "group/group_coordinator_impl.h"
#include "rill/error.h"

namespace rill::group {
namespace {

absl::Status Error(ErrorReason reason, std::string_view message) {
  return MakeError(reason, message);
}

absl::Status UnknownMember(std::string_view member_id, const Group& g) {
  return Error(
      ErrorReason::kUnknownMemberId,
      absl::StrCat("member ",
                   absl::string_view(member_id.data(), member_id.size()),
                   " is not in group ", g.id()));
}

}  // namespace

absl::Status GroupCoordinatorImpl::ValidateCurrentMember(
    Group& g, std::string_view member_id,
    const std::optional<std::string>& instance) {
  if (instance.has_value()) {
    std::optional<std::string> current = g.StaticMemberId(*instance);
    if (!current.has_value()) return UnknownMember(member_id, g);
    if (*current != member_id) {
      return Error(ErrorReason::kFencedInstanceId,
                   absl::StrCat("group.instance.id ", *instance,
                                " is held by a newer member"));
    }
    return absl::OkStatus();
  }
  if (!g.Has(member_id)) return UnknownMember(member_id, g);
  return absl::OkStatus();
}

void GroupCoordinatorImpl::SyncGroup(SyncGroupRequest req, SyncCallback done) {
  Lookup lookup = LookupGroup(req.group_id, false, false);
  if (!lookup.status.ok()) {
    // A coordinator still loading has lost the rebalance in flight: the
    // member should rejoin, which REBALANCE_IN_PROGRESS tells every client
    // (older ones do not expect COORDINATOR_LOAD_IN_PROGRESS here).
    if (HasErrorReason(lookup.status,
                       ErrorReason::kCoordinatorLoadInProgress)) {
      lookup.status = Error(ErrorReason::kRebalanceInProgress,
                            std::string(lookup.status.message()));
    }
    done(SyncError(lookup.status));
    return;
  }
  if (lookup.group == nullptr) {
    done(SyncError(
        Error(ErrorReason::kUnknownMemberId,
              absl::StrCat("group ", req.group_id, " does not exist"))));
    return;
  }
  Group& g = *lookup.group;
  Completions c(&appends_);
  absl::MutexLock lock(&g.mu);
  absl::Status error;
  if (g.Is(GroupState::kDead)) {
    error = Error(ErrorReason::kCoordinatorNotAvailable,
                  "the group is being removed");
  } else if (absl::Status s =
                 ValidateCurrentMember(g, req.member_id, req.group_instance_id);
             !s.ok()) {
    error = std::move(s);
  } else if (req.generation_id != g.generation()) {
    error = Error(ErrorReason::kIllegalGeneration,
                  absl::StrCat("generation ", req.generation_id,
                               " is not the group's ", g.generation()));
  } else if ((req.protocol_type.has_value() &&
              *req.protocol_type != g.protocol_type()) ||
             (req.protocol_name.has_value() &&
              g.protocol_name() != req.protocol_name)) {
    error = Error(ErrorReason::kInconsistentGroupProtocol,
                  "protocol type or name differs from the group's");
  } else if (g.Is(GroupState::kEmpty)) {
    error = UnknownMember(req.member_id, g);
  } else if (g.Is(GroupState::kPreparingRebalance)) {
    error =
        Error(ErrorReason::kRebalanceInProgress, "the group is rebalancing");
  }
  if (!error.ok()) {
    c.Sync(std::move(done), SyncError(std::move(error)));
    return;
  }
  Member& m = *g.Get(req.member_id);
  if (g.Is(GroupState::kStable)) {
    // The assignment is settled: hand it out.
    g.pending_sync.erase(req.member_id);
    SyncGroupResponse r;
    r.protocol_type = g.protocol_type();
    r.protocol_name = g.protocol_name().value_or("");
    r.assignment = m.assignment;
    c.Sync(std::move(done), std::move(r));
    ScheduleHeartbeat(g, m, m.session_timeout_ms);
    return;
  }
  // CompletingRebalance: wait for the leader's assignment to be stored.
  c.Sync(std::exchange(m.sync_callback, nullptr),
         SyncError(Error(ErrorReason::kRebalanceInProgress,
                         "superseded by a newer SyncGroup")));
  m.sync_callback = std::move(done);
  g.pending_sync.erase(req.member_id);
  if (g.pending_sync.empty()) CancelTimer(g.sync_timer);
  if (!g.IsLeader(req.member_id)) return;
  // Members the leader left out get an empty assignment; ids it made up
  // are ignored.
  auto assignment = std::make_shared<Assignment>();
  for (SyncGroupAssignment& a : req.assignments) {
    if (g.Has(a.member_id)) {
      (*assignment)[a.member_id] = std::move(a.assignment);
    }
  }
  for (const auto& [id, member] : g.members()) (*assignment)[id];
  StoreGroup(
      g, assignment.get(),
      [this, weak = g.weak_from_this(), generation = g.generation(),
       assignment](absl::Status s) {
        OnAssignmentStored(weak, generation, *assignment, std::move(s));
      },
      c);
}

void GroupCoordinatorImpl::OnAssignmentStored(const WeakGroup& weak,
                                              int32_t generation,
                                              const Assignment& assignment,
                                              absl::Status status) {
  GroupRef g = weak.lock();
  if (g == nullptr) return;
  Completions c(&appends_);
  absl::MutexLock lock(&g->mu);
  // A member may have joined meanwhile; then this generation is over.
  if (!g->Is(GroupState::kCompletingRebalance) ||
      g->generation() != generation) {
    return;
  }
  if (!status.ok()) {
    ResetAndPropagateAssignmentError(*g, status, c);
    MaybePrepareRebalance(*g, c);
    return;
  }
  for (auto& [id, m] : g->members()) {
    auto a = assignment.find(id);
    m.assignment = a == assignment.end() ? std::string() : a->second;
  }
  PropagateAssignment(*g, absl::OkStatus(), c);
  g->TransitionTo(GroupState::kStable, NowMs());
}

void GroupCoordinatorImpl::ResetAndPropagateAssignmentError(
    Group& g, const absl::Status& error, Completions& c) {
  for (auto& [id, m] : g.members()) m.assignment.clear();
  PropagateAssignment(g, error, c);
}

void GroupCoordinatorImpl::PropagateAssignment(Group& g,
                                               const absl::Status& status,
                                               Completions& c) {
  for (auto& [id, m] : g.members()) {
    if (!m.awaiting_sync()) continue;
    SyncGroupResponse r;
    r.status = status;
    if (status.ok()) {
      r.protocol_type = g.protocol_type();
      r.protocol_name = g.protocol_name().value_or("");
      r.assignment = m.assignment;
    }
    c.Sync(std::exchange(m.sync_callback, nullptr), std::move(r));
    // Its session may have lapsed while it waited (waiting keeps a member
    // alive, but sets no new deadline): start a fresh one.
    ScheduleHeartbeat(g, m, m.session_timeout_ms);
  }
}

absl::Status GroupCoordinatorImpl::Heartbeat(const HeartbeatRequest& req) {
  Lookup lookup = LookupGroup(req.group_id, false, false);
  if (!lookup.status.ok()) {
    // While loading, Kafka answers heartbeats blindly: the member learns of
    // trouble from its next JoinGroup or SyncGroup.
    if (HasErrorReason(lookup.status,
                       ErrorReason::kCoordinatorLoadInProgress)) {
      return absl::OkStatus();
    }
    return lookup.status;
  }
  if (lookup.group == nullptr) {
    return Error(ErrorReason::kUnknownMemberId,
                 absl::StrCat("group ", req.group_id, " does not exist"));
  }
  Group& g = *lookup.group;
  absl::MutexLock lock(&g.mu);
  if (g.Is(GroupState::kDead)) {
    return Error(ErrorReason::kCoordinatorNotAvailable,
                 "the group is being removed");
  }
  if (absl::Status s =
          ValidateCurrentMember(g, req.member_id, req.group_instance_id);
      !s.ok()) {
    return s;
  }
  if (req.generation_id != g.generation()) {
    return Error(ErrorReason::kIllegalGeneration,
                 absl::StrCat("generation ", req.generation_id,
                              " is not the group's ", g.generation()));
  }
  if (g.Is(GroupState::kEmpty)) return UnknownMember(req.member_id, g);
  Member& m = *g.Get(req.member_id);
  ScheduleHeartbeat(g, m, m.session_timeout_ms);
  if (g.Is(GroupState::kPreparingRebalance)) {
    return Error(ErrorReason::kRebalanceInProgress,
                 "the group is rebalancing: rejoin");
  }
  return absl::OkStatus();
}

LeaveGroupResponse GroupCoordinatorImpl::LeaveGroup(
    const LeaveGroupRequest& req) {
  LeaveGroupResponse response;
  Lookup lookup = LookupGroup(req.group_id, false, false);
  if (!lookup.status.ok()) {
    response.status = lookup.status;
    return response;
  }
  if (lookup.group == nullptr) {
    for (const MemberIdentity& who : req.members) {
      response.member_statuses.push_back(
          Error(ErrorReason::kUnknownMemberId,
                absl::StrCat("group ", req.group_id, " does not exist")));
      (void)who;
    }
    return response;
  }
  Group& g = *lookup.group;
  Completions c(&appends_);
  absl::MutexLock lock(&g.mu);
  if (g.Is(GroupState::kDead)) {
    response.status = Error(ErrorReason::kCoordinatorNotAvailable,
                            "the group is being removed");
    return response;
  }
  for (const MemberIdentity& who : req.members) {
    absl::Status status;
    if (who.member_id.empty()) {
      // An administrator removing a static member by its instance id.
      std::optional<std::string> id =
          who.group_instance_id.has_value()
              ? g.StaticMemberId(*who.group_instance_id)
              : std::nullopt;
      if (id.has_value()) {
        RemoveMemberAndUpdateGroup(g, *id, c);
      } else {
        status = Error(ErrorReason::kUnknownMemberId,
                       "no member holds that group.instance.id");
      }
    } else if (g.pending_members.contains(who.member_id)) {
      RemovePendingMemberAndUpdateGroup(g, who.member_id, c);
    } else {
      status = ValidateCurrentMember(g, who.member_id, who.group_instance_id);
      if (status.ok()) RemoveMemberAndUpdateGroup(g, who.member_id, c);
    }
    response.member_statuses.push_back(std::move(status));
  }
  return response;
}

void GroupCoordinatorImpl::RemoveMemberAndUpdateGroup(
    Group& g, const std::string& member_id, Completions& c) {
  std::optional<Member> m = g.Remove(member_id);
  if (!m.has_value()) return;
  CancelHeartbeat(*m);
  // A member removed while waiting learns it must join again.
  const absl::Status gone =
      Error(ErrorReason::kUnknownMemberId,
            absl::StrCat("member ", member_id, " was removed from the group"));
  c.Join(std::move(m->join_callback), JoinError("", gone));
  c.Sync(std::move(m->sync_callback), SyncError(gone));
  switch (g.state()) {
    case GroupState::kStable:
    case GroupState::kCompletingRebalance:
      MaybePrepareRebalance(g, c);
      break;
    case GroupState::kPreparingRebalance:
      TryCompleteJoin(g, c);
      break;
    case GroupState::kEmpty:
    case GroupState::kDead:
      break;
  }
}

void GroupCoordinatorImpl::RemovePendingMemberAndUpdateGroup(
    Group& g, const std::string& member_id, Completions& c) {
  auto it = g.pending_members.find(member_id);
  if (it == g.pending_members.end()) return;
  CancelTimer(it->second);
  g.pending_members.erase(it);
  if (g.Is(GroupState::kPreparingRebalance)) TryCompleteJoin(g, c);
}

void GroupCoordinatorImpl::OnHeartbeatExpired(const WeakGroup& weak,
                                              const std::string& member_id,
                                              uint64_t epoch) {
  GroupRef g = weak.lock();
  if (g == nullptr) return;
  Completions c(&appends_);
  absl::MutexLock lock(&g->mu);
  if (g->Is(GroupState::kDead)) return;
  Member* m = g->Get(member_id);
  if (m == nullptr || m->heartbeat_epoch != epoch) return;
  m->heartbeat_timer = 0;
  // Waiting in JoinGroup or SyncGroup counts as alive (the rebalance and
  // sync timeouts bound those waits), except for a member that never
  // completed a join: it has had kNewMemberJoinTimeoutMs.
  if (!m->is_new && (m->awaiting_join() || m->awaiting_sync())) return;
  RemoveMemberAndUpdateGroup(*g, member_id, c);
}

void GroupCoordinatorImpl::OnPendingMemberExpired(const WeakGroup& weak,
                                                  const std::string& member_id,
                                                  uint64_t epoch) {
  GroupRef g = weak.lock();
  if (g == nullptr) return;
  Completions c(&appends_);
  absl::MutexLock lock(&g->mu);
  auto it = g->pending_members.find(member_id);
  if (it == g->pending_members.end() || it->second.epoch != epoch) return;
  RemovePendingMemberAndUpdateGroup(*g, member_id, c);
}

void GroupCoordinatorImpl::OnSyncTimer(const WeakGroup& weak, uint64_t epoch,
                                       int32_t generation) {
  GroupRef g = weak.lock();
  if (g == nullptr) return;
  Completions c(&appends_);
  absl::MutexLock lock(&g->mu);
  if (g->sync_timer.epoch != epoch || g->generation() != generation) return;
  g->sync_timer.id = 0;
  if (!g->Is(GroupState::kCompletingRebalance) && !g->Is(GroupState::kStable)) {
    return;
  }
  if (g->pending_sync.empty()) return;
  // Members that never asked for their assignment are gone; the others
  // need a new one without them.
  std::vector<std::string> silent(g->pending_sync.begin(),
                                  g->pending_sync.end());
  for (const std::string& id : silent) {
    if (std::optional<Member> m = g->Remove(id)) {
      CancelHeartbeat(*m);
      const absl::Status gone = UnknownMember(id, *g);
      c.Join(std::move(m->join_callback), JoinError("", gone));
      c.Sync(std::move(m->sync_callback), SyncError(gone));
    }
  }
  PrepareRebalance(*g, c);
}

}  // namespace rill::group
