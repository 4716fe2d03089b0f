// JoinGroup and the rebalance it drives (Kafka's GroupCoordinator
// handleJoinGroup, prepareRebalance, DelayedJoin, InitialDelayedJoin and
// onCompleteJoin).
#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "group/group_coordinator_impl.h"
#include "rill/error.h"

namespace rill::group {
namespace {

absl::Status Error(ErrorReason reason, std::string_view message) {
  return MakeError(reason, message);
}

// AcceptJoiningMember: is there room for `member_id` in `g`
// (group.max.size)? Members already counted are always let back in.
bool AcceptJoiningMember(Group& g, std::string_view member_id, int32_t max)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(g.mu) {
  switch (g.state()) {
    case GroupState::kEmpty:
    case GroupState::kDead:
      return true;
    case GroupState::kPreparingRebalance: {
      // Counting members already waiting (not the group's size, which a
      // lowered limit may exceed) lets the last rejoiners be turned away.
      const Member* m = g.Get(member_id);
      if (m != nullptr && m->awaiting_join()) return true;
      const auto waiting = std::count_if(
          g.members().begin(), g.members().end(),
          [](const auto& kv) { return kv.second.awaiting_join(); });
      return waiting < max;
    }
    case GroupState::kCompletingRebalance:
    case GroupState::kStable:
      return g.Has(member_id) || g.size() < static_cast<size_t>(max);
  }
  return false;
}

}  // namespace

void GroupCoordinatorImpl::JoinGroup(JoinGroupRequest req, JoinCallback done) {
  // JoinGroup v0 has no rebalance timeout: it is the session timeout.
  if (req.rebalance_timeout_ms < 0) {
    req.rebalance_timeout_ms = req.session_timeout_ms;
  }
  Lookup lookup = LookupGroup(req.group_id, /*allow_empty_id=*/false,
                              /*create=*/false);
  if (!lookup.status.ok()) {
    done(JoinError(req.member_id, lookup.status));
    return;
  }
  if (req.session_timeout_ms < config_.group_min_session_timeout_ms ||
      req.session_timeout_ms > config_.group_max_session_timeout_ms) {
    done(JoinError(
        req.member_id,
        Error(ErrorReason::kInvalidSessionTimeout,
              absl::StrCat("session timeout ", req.session_timeout_ms,
                           " ms is outside [",
                           config_.group_min_session_timeout_ms, ", ",
                           config_.group_max_session_timeout_ms, "]"))));
    return;
  }
  const bool unknown_member = req.member_id.empty();
  if (lookup.group == nullptr) {
    // Only a member without an id may create the group.
    if (!unknown_member) {
      done(JoinError(req.member_id, Error(ErrorReason::kUnknownMemberId,
                                          absl::StrCat("group ", req.group_id,
                                                       " does not exist"))));
      return;
    }
    lookup = LookupGroup(req.group_id, false, /*create=*/true);
    if (!lookup.status.ok()) {
      done(JoinError(req.member_id, lookup.status));
      return;
    }
  }
  Group& g = *lookup.group;
  Completions c(&appends_);
  absl::MutexLock lock(&g.mu);
  if (!AcceptJoiningMember(g, req.member_id, config_.group_max_size)) {
    // Shed the member (pending or waiting to rejoin) so the group can
    // shrink to group.max.size.
    auto pending = g.pending_members.find(req.member_id);
    if (pending != g.pending_members.end()) {
      CancelTimer(pending->second);
      g.pending_members.erase(pending);
    } else if (std::optional<Member> m = g.Remove(req.member_id)) {
      CancelHeartbeat(*m);
      c.Sync(std::move(m->sync_callback),
             SyncError(Error(ErrorReason::kUnknownMemberId, "removed")));
    }
    c.Join(std::move(done),
           JoinError("", Error(ErrorReason::kGroupMaxSizeReached,
                               absl::StrCat("group ", g.id(),
                                            " reached group.max.size ",
                                            config_.group_max_size))));
  } else if (unknown_member) {
    DoNewMemberJoin(g, req, std::move(done), c);
  } else {
    DoCurrentMemberJoin(g, req, std::move(done), c);
  }
  if (g.Is(GroupState::kPreparingRebalance)) TryCompleteJoin(g, c);
}

void GroupCoordinatorImpl::DoNewMemberJoin(Group& g, JoinGroupRequest& req,
                                           JoinCallback done, Completions& c) {
  if (g.Is(GroupState::kDead)) {
    c.Join(std::move(done),
           JoinError("", Error(ErrorReason::kCoordinatorNotAvailable,
                               "the group is being removed")));
    return;
  }
  if (!g.SupportsProtocols(req.protocol_type, req.protocols)) {
    c.Join(std::move(done),
           JoinError("", Error(ErrorReason::kInconsistentGroupProtocol,
                               "no protocol in common with the group")));
    return;
  }
  std::string new_id = member_ids_.Next(req.group_instance_id.has_value()
                                            ? *req.group_instance_id
                                            : req.client_id);
  if (req.group_instance_id.has_value()) {
    std::optional<std::string> old_id =
        g.StaticMemberId(*req.group_instance_id);
    if (old_id.has_value()) {
      UpdateStaticMemberAndRebalance(g, *old_id, std::move(new_id), req,
                                     std::move(done), c);
    } else {
      AddMemberAndRebalance(g, std::move(new_id), req, std::move(done), c);
    }
  } else if (req.require_known_member_id) {
    // The member must come back with this id before its session timeout.
    SchedulePendingMemberExpiry(g, new_id, req.session_timeout_ms);
    c.Join(std::move(done),
           JoinError(new_id, Error(ErrorReason::kMemberIdRequired,
                                   "join again with the member id given")));
  } else {
    AddMemberAndRebalance(g, std::move(new_id), req, std::move(done), c);
  }
}

void GroupCoordinatorImpl::DoCurrentMemberJoin(Group& g, JoinGroupRequest& req,
                                               JoinCallback done,
                                               Completions& c) {
  const std::string member_id = req.member_id;
  if (g.Is(GroupState::kDead)) {
    c.Join(std::move(done),
           JoinError(member_id, Error(ErrorReason::kCoordinatorNotAvailable,
                                      "the group is being removed")));
    return;
  }
  if (!g.SupportsProtocols(req.protocol_type, req.protocols)) {
    c.Join(std::move(done),
           JoinError(member_id, Error(ErrorReason::kInconsistentGroupProtocol,
                                      "no protocol in common with the group")));
    return;
  }
  if (g.pending_members.contains(member_id)) {
    if (req.group_instance_id.has_value()) {
      // Pending ids are only handed to dynamic members.
      c.Join(std::move(done),
             JoinError(member_id, Error(ErrorReason::kInvalidRequest,
                                        "a static member joined with a pending "
                                        "dynamic member id")));
      return;
    }
    AddMemberAndRebalance(g, member_id, req, std::move(done), c);
    return;
  }
  if (absl::Status s =
          ValidateCurrentMember(g, member_id, req.group_instance_id);
      !s.ok()) {
    c.Join(std::move(done), JoinError(member_id, std::move(s)));
    return;
  }
  Member& m = *g.Get(member_id);
  switch (g.state()) {
    case GroupState::kPreparingRebalance:
      UpdateMemberAndRebalance(g, m, req, std::move(done), c);
      return;
    case GroupState::kCompletingRebalance:
      if (m.Matches(req.protocols)) {
        // Probably lost the first answer: give the same one again.
        c.Join(std::move(done), JoinResponseFor(g, member_id, true));
      } else {
        UpdateMemberAndRebalance(g, m, req, std::move(done), c);
      }
      return;
    case GroupState::kStable:
      // The leader rejoining forces a rebalance: that is how a consumer
      // reacts to changes its metadata does not show (new partitions).
      if (g.IsLeader(member_id) || !m.Matches(req.protocols)) {
        UpdateMemberAndRebalance(g, m, req, std::move(done), c);
      } else {
        c.Join(std::move(done), JoinResponseFor(g, member_id, false));
      }
      return;
    case GroupState::kEmpty:
    case GroupState::kDead:
      break;
  }
  c.Join(std::move(done),
         JoinError(member_id, Error(ErrorReason::kUnknownMemberId,
                                    "the group has no members")));
}

void GroupCoordinatorImpl::AddMemberAndRebalance(Group& g,
                                                 std::string member_id,
                                                 JoinGroupRequest& req,
                                                 JoinCallback done,
                                                 Completions& c) {
  auto pending = g.pending_members.find(member_id);
  if (pending != g.pending_members.end()) {
    CancelTimer(pending->second);
    g.pending_members.erase(pending);
  }
  Member m;
  m.member_id = std::move(member_id);
  m.group_instance_id = req.group_instance_id;
  m.client_id = req.client_id;
  m.client_host = req.client_host;
  m.rebalance_timeout_ms = req.rebalance_timeout_ms;
  m.session_timeout_ms = req.session_timeout_ms;
  m.protocol_type = req.protocol_type;
  m.protocols = std::move(req.protocols);
  m.join_callback = std::move(done);
  m.is_new = true;
  // Joining during the first rebalance extends its initial delay.
  if (g.Is(GroupState::kPreparingRebalance) && g.generation() == 0) {
    g.new_member_added = true;
  }
  Member& added = g.Add(std::move(m));
  // A new member cannot heartbeat while its JoinGroup waits; if its client
  // gave up and retried, the defunct member goes after this long.
  ScheduleHeartbeat(g, added, kNewMemberJoinTimeoutMs);
  MaybePrepareRebalance(g, c);
}

void GroupCoordinatorImpl::UpdateStaticMemberAndRebalance(
    Group& g, const std::string& old_id, std::string new_id,
    JoinGroupRequest& req, JoinCallback done, Completions& c) {
  StaticReplacement r;
  r.instance_id = *req.group_instance_id;
  r.old_id = old_id;
  r.new_id = new_id;
  r.leader_before = g.leader();
  Member& m = g.ReplaceStaticMember(r.instance_id, old_id, new_id, c);
  ScheduleHeartbeat(g, m, m.session_timeout_ms);
  r.old_protocols = std::exchange(m.protocols, std::move(req.protocols));
  r.old_rebalance_timeout_ms =
      std::exchange(m.rebalance_timeout_ms, req.rebalance_timeout_ms);
  r.old_session_timeout_ms =
      std::exchange(m.session_timeout_ms, req.session_timeout_ms);
  m.join_callback = std::move(done);
  switch (g.state()) {
    case GroupState::kStable:
      // A restarted static member keeps its assignment unless it changes
      // which protocol the group would pick. Its metadata bytes may differ
      // (a consumer's subscription carries its owned partitions), which is
      // why that alone does not rebalance, as in Kafka.
      if (g.protocol_name() == g.SelectProtocol()) {
        StoreGroup(
            g, nullptr,
            [this, weak = g.weak_from_this(), r](absl::Status s) {
              OnStaticMemberStored(weak, r, std::move(s));
            },
            c);
      } else {
        MaybePrepareRebalance(g, c);
      }
      return;
    case GroupState::kCompletingRebalance:
      // The leader may have assigned to the old id already: start over.
      PrepareRebalance(g, c);
      return;
    case GroupState::kPreparingRebalance:
      return;  // it is now waiting with the others
    case GroupState::kEmpty:
    case GroupState::kDead:
      break;
  }
  c.Join(std::exchange(m.join_callback, nullptr),
         JoinError(new_id, Error(ErrorReason::kUnknownMemberId,
                                 "the group has no members")));
}

void GroupCoordinatorImpl::OnStaticMemberStored(const WeakGroup& weak,
                                                const StaticReplacement& r,
                                                absl::Status status) {
  GroupRef g = weak.lock();
  if (g == nullptr) return;
  Completions c(&appends_);
  absl::MutexLock lock(&g->mu);
  Member* m = g->Get(r.new_id);
  // Unless still Stable, a rebalance (or unload) has taken over the member
  // and answers it.
  if (m == nullptr || !g->Is(GroupState::kStable)) return;
  JoinCallback done = std::exchange(m->join_callback, nullptr);
  if (!status.ok()) {
    // The new id never became durable: put the old member back.
    m->protocols = r.old_protocols;
    m->rebalance_timeout_ms = r.old_rebalance_timeout_ms;
    m->session_timeout_ms = r.old_session_timeout_ms;
    Member& old = g->ReplaceStaticMember(r.instance_id, r.new_id, r.old_id, c);
    ScheduleHeartbeat(*g, old, old.session_timeout_ms);
    c.Join(std::move(done), JoinError("", std::move(status)));
    return;
  }
  JoinGroupResponse response = JoinResponseFor(*g, r.new_id, false);
  // The leader id from before the replacement: a restarted leader must not
  // run an assignment a Stable group would ignore.
  response.leader = r.leader_before.value_or("");
  c.Join(std::move(done), std::move(response));
}

void GroupCoordinatorImpl::UpdateMemberAndRebalance(Group& g, Member& m,
                                                    JoinGroupRequest& req,
                                                    JoinCallback done,
                                                    Completions& c) {
  // A member that sends JoinGroup again while waiting: the newer request is
  // the one it listens to.
  c.Join(std::exchange(m.join_callback, nullptr),
         JoinError(m.member_id, Error(ErrorReason::kRebalanceInProgress,
                                      "superseded by a newer JoinGroup")));
  m.protocols = std::move(req.protocols);
  m.rebalance_timeout_ms = req.rebalance_timeout_ms;
  m.session_timeout_ms = req.session_timeout_ms;
  m.join_callback = std::move(done);
  MaybePrepareRebalance(g, c);
}

void GroupCoordinatorImpl::MaybePrepareRebalance(Group& g, Completions& c) {
  if (g.CanRebalance()) PrepareRebalance(g, c);
}

void GroupCoordinatorImpl::PrepareRebalance(Group& g, Completions& c) {
  // Members waiting for an assignment must rejoin instead.
  if (g.Is(GroupState::kCompletingRebalance)) {
    ResetAndPropagateAssignmentError(
        g, Error(ErrorReason::kRebalanceInProgress, "the group is rebalancing"),
        c);
  }
  g.pending_sync.clear();
  CancelTimer(g.sync_timer);
  const bool from_empty = g.Is(GroupState::kEmpty);
  CancelTimer(g.join.timer);
  g.join.initial = false;
  g.join.due_now = false;
  g.TransitionTo(GroupState::kPreparingRebalance, NowMs());
  if (from_empty) {
    const int64_t delay = config_.group_initial_rebalance_delay_ms;
    if (delay <= 0) {
      g.join.due_now = true;
    } else {
      g.join.initial = true;
      g.join.delay_ms = delay;
      g.join.remaining_ms =
          std::max<int64_t>(g.RebalanceTimeoutMs() - delay, 0);
      g.new_member_added = false;
      ScheduleJoinTimer(g, delay);
    }
  } else {
    ScheduleJoinTimer(g, g.RebalanceTimeoutMs());
  }
  TryCompleteJoin(g, c);
}

void GroupCoordinatorImpl::TryCompleteJoin(Group& g, Completions& c) {
  if (!g.Is(GroupState::kPreparingRebalance)) return;
  if (g.join.due_now) {
    CompleteJoin(g, c);
  } else if (!g.join.initial && g.HasAllMembersJoined()) {
    CompleteJoin(g, c);
  }
}

void GroupCoordinatorImpl::OnJoinTimer(const WeakGroup& weak, uint64_t epoch) {
  GroupRef g = weak.lock();
  if (g == nullptr) return;
  Completions c(&appends_);
  absl::MutexLock lock(&g->mu);
  if (g->join.timer.epoch != epoch || !g->Is(GroupState::kPreparingRebalance)) {
    return;
  }
  g->join.timer.id = 0;
  JoinWait& join = g->join;
  if (join.initial && g->new_member_added && join.remaining_ms != 0) {
    // Members are still arriving: wait another delay, within the budget.
    g->new_member_added = false;
    const int64_t delay = std::min<int64_t>(
        config_.group_initial_rebalance_delay_ms, join.remaining_ms);
    join.remaining_ms = std::max<int64_t>(join.remaining_ms - join.delay_ms, 0);
    join.delay_ms = delay;
    ScheduleJoinTimer(*g, delay);
    return;
  }
  CompleteJoin(*g, c);
}

void GroupCoordinatorImpl::CompleteJoin(Group& g, Completions& c) {
  CancelTimer(g.join.timer);
  g.join.initial = false;
  g.join.due_now = false;
  // Dynamic members that did not rejoin in time are out. Static ones stay:
  // only their session timeout removes them.
  std::vector<std::string> gone;
  for (const auto& [id, m] : g.members()) {
    if (!m.awaiting_join() && !m.is_static()) gone.push_back(id);
  }
  for (const std::string& id : gone) {
    if (std::optional<Member> m = g.Remove(id)) {
      CancelHeartbeat(*m);
      c.Sync(std::move(m->sync_callback),
             SyncError(Error(ErrorReason::kUnknownMemberId,
                             "did not rejoin before the rebalance timeout")));
    }
  }
  if (g.Is(GroupState::kDead)) return;
  if (!g.MaybeElectNewJoinedLeader() && g.size() > 0) {
    // Nobody rejoined: wait again until session timeouts clear the
    // silent (static) members.
    ScheduleJoinTimer(g, g.RebalanceTimeoutMs());
    return;
  }
  g.InitNextGeneration(NowMs());
  if (g.Is(GroupState::kEmpty)) {
    // Persisted so the generation survives a restart; a failure only means
    // a reload finds the previous generation, which has no live members.
    StoreGroup(
        g, nullptr, [](absl::Status) {}, c);
    return;
  }
  for (auto& [id, m] : g.members()) {
    c.Join(std::exchange(m.join_callback, nullptr),
           JoinResponseFor(g, id, true));
    ScheduleHeartbeat(g, m, m.session_timeout_ms);
    m.is_new = false;
    g.pending_sync.insert(id);
  }
  SchedulePendingSync(g);
}

JoinGroupResponse GroupCoordinatorImpl::JoinResponseFor(
    Group& g, const std::string& member_id, bool leader_gets_members) {
  JoinGroupResponse r;
  r.generation_id = g.generation();
  r.protocol_type = g.protocol_type();
  r.protocol_name = g.protocol_name().value_or("");
  r.leader = g.leader().value_or("");
  r.member_id = member_id;
  if (leader_gets_members && g.IsLeader(member_id)) {
    r.members = g.CurrentMemberMetadata();
  }
  return r;
}

}  // namespace rill::group
