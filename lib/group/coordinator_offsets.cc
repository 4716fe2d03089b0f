// Committed offsets (commit, fetch, delete, retention) and the group
// administration calls (describe, list, delete).
#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "group/format.h"
#include "group/group_coordinator_impl.h"
#include "group/group_records.h"
#include "rill/error.h"
#include "rill/record/record_batch.h"

namespace rill::group {
namespace {

absl::Status Error(ErrorReason reason, std::string_view message) {
  return MakeError(reason, message);
}

// CommitTimestamp is when a commit counts as made: the client's time
// (OffsetCommit v1) or the coordinator's.
int64_t CommitTimestamp(const OffsetCommitPartition& p, int64_t now_ms) {
  return p.commit_timestamp_ms >= 0 ? p.commit_timestamp_ms : now_ms;
}

OffsetCommitResponse AllFailed(size_t n, const absl::Status& status) {
  OffsetCommitResponse r;
  r.partition_statuses.assign(n, status);
  return r;
}

}  // namespace

void GroupCoordinatorImpl::CommitOffsets(OffsetCommitRequest req,
                                         CommitCallback done) {
  const size_t n = req.offsets.size();
  Lookup lookup = LookupGroup(req.group_id, /*allow_empty_id=*/true, false);
  if (!lookup.status.ok()) {
    done(AllFailed(n, lookup.status));
    return;
  }
  if (lookup.group == nullptr) {
    if (req.generation_id >= 0) {
      // A member of a generation this coordinator never had.
      done(AllFailed(
          n, Error(ErrorReason::kIllegalGeneration,
                   absl::StrCat("group ", req.group_id, " does not exist"))));
      return;
    }
    // A consumer that assigns partitions itself: the group exists only to
    // hold its offsets.
    lookup = LookupGroup(req.group_id, true, /*create=*/true);
    if (!lookup.status.ok()) {
      done(AllFailed(n, lookup.status));
      return;
    }
  }
  Group& g = *lookup.group;
  Completions c(&appends_);
  absl::MutexLock lock(&g.mu);
  if (absl::Status s = ValidateOffsetCommit(g, req); !s.ok()) {
    c.Later([done = std::move(done), r = AllFailed(n, s)]() mutable {
      done(std::move(r));
    });
    return;
  }
  switch (g.state()) {
    case GroupState::kCompletingRebalance:
      // The member has its new generation but not its assignment yet.
      c.Later([done = std::move(done),
               r = AllFailed(n, Error(ErrorReason::kRebalanceInProgress,
                                      "the group is rebalancing"))]() mutable {
        done(std::move(r));
      });
      return;
    case GroupState::kStable:
    case GroupState::kPreparingRebalance:
      // A commit is as good as a heartbeat. (Allowed while preparing: the
      // member learns of the rebalance from its heartbeat.)
      if (Member* m = g.Get(req.member_id)) {
        ScheduleHeartbeat(g, *m, m->session_timeout_ms);
      }
      break;
    case GroupState::kEmpty:
    case GroupState::kDead:
      break;
  }
  StoreOffsets(g, req, std::move(done), c);
}

absl::Status GroupCoordinatorImpl::ValidateOffsetCommit(
    Group& g, const OffsetCommitRequest& req) {
  if (g.Is(GroupState::kDead)) {
    return Error(ErrorReason::kCoordinatorNotAvailable,
                 "the group is being removed");
  }
  if (req.generation_id < 0 && g.Is(GroupState::kEmpty)) {
    return absl::OkStatus();  // outside the group protocol, allowed
  }
  if (req.generation_id >= 0 || !req.member_id.empty() ||
      req.group_instance_id.has_value()) {
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
    return absl::OkStatus();
  }
  // Generation -1 without a member: only while nobody is in the group.
  return Error(
      ErrorReason::kUnknownMemberId,
      absl::StrCat("group ", g.id(), " has members; commit as one of them"));
}

void GroupCoordinatorImpl::StoreOffsets(Group& g, OffsetCommitRequest& req,
                                        CommitCallback done, Completions& c) {
  const int64_t now = NowMs();
  // OffsetCommit v2–4's retention time fixes each offset's expiry now.
  const int64_t expire_ms =
      req.retention_time_ms >= 0 ? now + req.retention_time_ms : -1;
  const uint64_t commit_id = next_commit_id_.fetch_add(1);
  OffsetCommitResponse response;
  response.partition_statuses.resize(req.offsets.size());
  // Which request entries became records, in record order.
  auto written = std::make_shared<std::vector<size_t>>();
  record::RecordBatchBuilder builder;
  std::vector<std::string> keys;
  std::vector<std::string> values;
  keys.reserve(req.offsets.size());
  values.reserve(req.offsets.size());
  for (size_t i = 0; i < req.offsets.size(); ++i) {
    const OffsetCommitPartition& p = req.offsets[i];
    if (p.metadata.size() >
        static_cast<size_t>(config_.offset_metadata_max_bytes)) {
      response.partition_statuses[i] =
          Error(ErrorReason::kOffsetMetadataTooLarge,
                absl::StrCat("offset metadata of ", p.metadata.size(),
                             " bytes exceeds offset.metadata.max.bytes ",
                             config_.offset_metadata_max_bytes));
      continue;
    }
    absl::StatusOr<std::string> key = EncodeOffsetCommitKey(g.id(), p.tp);
    absl::StatusOr<std::string> value =
        key.ok() ? EncodeOffsetCommitValue(
                       {.offset = p.offset.value(),
                        .leader_epoch = p.leader_epoch.value(),
                        .metadata = p.metadata,
                        .commit_timestamp_ms = CommitTimestamp(p, now),
                        .expire_timestamp_ms = expire_ms})
                 : key.status();
    if (!value.ok()) {
      response.partition_statuses[i] = Error(
          ErrorReason::kInvalidRequest, std::string(value.status().message()));
      continue;
    }
    keys.push_back(*std::move(key));
    values.push_back(*std::move(value));
    written->push_back(i);
  }
  for (size_t k = 0; k < keys.size(); ++k) {
    builder.Append({.timestamp_ms = now, .key = keys[k], .value = values[k]});
  }
  absl::StatusOr<std::string> batch =
      written->empty() ? absl::StatusOr<std::string>(std::string())
                       : builder.Build();
  if (written->empty() || !batch.ok()) {
    if (!batch.ok()) {
      for (size_t i : *written) {
        response.partition_statuses[i] =
            Error(ErrorReason::kUnknownServerError,
                  std::string(batch.status().message()));
      }
    }
    c.Later([done = std::move(done), r = std::move(response)]() mutable {
      done(std::move(r));
    });
    return;
  }
  for (size_t i : *written)
    g.pending_commits[req.offsets[i].tp].insert(commit_id);
  // Applied to the cache only once durable, as Kafka does.
  appends_.Enqueue(
      g.partition(), *std::move(batch),
      [group = g.shared_from_this(), commit_id, now, expire_ms, written,
       offsets = std::move(req.offsets), response = std::move(response),
       done = std::move(done)](absl::StatusOr<Offset> base) mutable {
        {
          absl::MutexLock lock(&group->mu);
          for (size_t k = 0; k < written->size(); ++k) {
            const OffsetCommitPartition& p = offsets[(*written)[k]];
            bool was_pending = false;
            auto it = group->pending_commits.find(p.tp);
            if (it != group->pending_commits.end()) {
              was_pending = it->second.erase(commit_id) > 0;
              if (it->second.empty()) group->pending_commits.erase(it);
            }
            // Not pending any more: the offset was deleted meanwhile.
            if (!base.ok() || !was_pending || group->Is(GroupState::kDead)) {
              continue;
            }
            const int64_t record_offset =
                base->value() + static_cast<int64_t>(k);
            auto [slot, inserted] = group->offsets.try_emplace(p.tp);
            if (!inserted && slot->second.record_offset > record_offset) {
              continue;  // a later commit's record already landed
            }
            slot->second = StoredOffset{
                CommittedOffset{p.tp, p.offset, p.leader_epoch, p.metadata,
                                CommitTimestamp(p, now)},
                record_offset, expire_ms};
          }
        }
        if (!base.ok()) {
          const absl::Status error = StoreErrorForCommit(base.status());
          for (size_t i : *written) response.partition_statuses[i] = error;
        }
        done(std::move(response));
      });
  c.DrainAppends();
}

absl::StatusOr<std::vector<CommittedOffset>> GroupCoordinatorImpl::FetchOffsets(
    std::string_view group_id,
    const std::optional<std::vector<TopicPartition>>& partitions) {
  Lookup lookup = LookupGroup(group_id, /*allow_empty_id=*/true, false);
  if (!lookup.status.ok()) return lookup.status;
  std::vector<CommittedOffset> out;
  const auto uncommitted = [](const TopicPartition& tp) {
    CommittedOffset o;
    o.tp = tp;
    return o;
  };
  if (lookup.group == nullptr) {
    if (partitions.has_value()) {
      for (const TopicPartition& tp : *partitions)
        out.push_back(uncommitted(tp));
    }
    return out;
  }
  Group& g = *lookup.group;
  absl::MutexLock lock(&g.mu);
  const bool dead = g.Is(GroupState::kDead);
  if (partitions.has_value()) {
    for (const TopicPartition& tp : *partitions) {
      auto it = g.offsets.find(tp);
      out.push_back(dead || it == g.offsets.end() ? uncommitted(tp)
                                                  : it->second.value);
    }
  } else if (!dead) {
    for (const auto& [tp, stored] : g.offsets) out.push_back(stored.value);
    std::sort(out.begin(), out.end(),
              [](const CommittedOffset& a, const CommittedOffset& b) {
                return a.tp < b.tp;
              });
  }
  return out;
}

absl::StatusOr<std::vector<absl::Status>> GroupCoordinatorImpl::DeleteOffsets(
    std::string_view group_id, const std::vector<TopicPartition>& partitions) {
  Lookup lookup = LookupGroup(group_id, false, false);
  if (!lookup.status.ok()) return lookup.status;
  const absl::Status not_found =
      Error(ErrorReason::kGroupIdNotFound,
            absl::StrCat("group ",
                         absl::string_view(group_id.data(), group_id.size()),
                         " does not exist"));
  if (lookup.group == nullptr) return not_found;
  GroupRef g = lookup.group;
  std::vector<absl::Status> statuses(partitions.size());
  bool dead = false;
  {
    Completions c(&appends_);
    absl::MutexLock lock(&g->mu);
    switch (g->state()) {
      case GroupState::kDead:
        return not_found;
      case GroupState::kEmpty:
        break;
      case GroupState::kPreparingRebalance:
      case GroupState::kCompletingRebalance:
      case GroupState::kStable:
        if (g->protocol_type() != kConsumerProtocolType) {
          return Error(ErrorReason::kNonEmptyGroup,
                       "the group has members and is not a consumer group");
        }
        break;
    }
    std::vector<TopicPartition> removed;
    for (size_t i = 0; i < partitions.size(); ++i) {
      const TopicPartition& tp = partitions[i];
      if (!g->Is(GroupState::kEmpty) && g->IsSubscribedToTopic(tp.topic)) {
        statuses[i] = Error(ErrorReason::kGroupSubscribedToTopic,
                            absl::StrCat("the group consumes ", tp.topic));
        continue;
      }
      g->pending_commits.erase(tp);
      if (g->offsets.erase(tp) > 0) removed.push_back(tp);
    }
    dead = RemoveIfEmptyAndUnused(*g, std::move(removed), c);
  }
  if (dead) DropGroup(g);
  return statuses;
}

absl::StatusOr<GroupDescription> GroupCoordinatorImpl::DescribeGroup(
    std::string_view group_id) {
  Lookup lookup = LookupGroup(group_id, true, false);
  if (!lookup.status.ok()) return lookup.status;
  if (lookup.group != nullptr) {
    absl::MutexLock lock(&lookup.group->mu);
    if (!lookup.group->Is(GroupState::kDead)) return lookup.group->Describe();
  }
  // As Kafka (DescribeGroups below v6): no error, state "Dead".
  GroupDescription d;
  d.group_id = std::string(group_id);
  d.state = std::string(GroupStateName(GroupState::kDead));
  return d;
}

std::vector<GroupListing> GroupCoordinatorImpl::ListGroups() {
  std::vector<GroupRef> groups;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, g] : groups_) groups.push_back(g);
  }
  std::vector<GroupListing> out;
  for (const GroupRef& g : groups) {
    absl::MutexLock lock(&g->mu);
    if (g->Is(GroupState::kDead)) continue;
    out.push_back(GroupListing{g->id(), g->protocol_type(),
                               std::string(GroupStateName(g->state()))});
  }
  std::sort(out.begin(), out.end(),
            [](const GroupListing& a, const GroupListing& b) {
              return a.group_id < b.group_id;
            });
  return out;
}

absl::Status GroupCoordinatorImpl::DeleteGroup(std::string_view group_id) {
  Lookup lookup = LookupGroup(group_id, true, false);
  if (!lookup.status.ok()) return lookup.status;
  const absl::Status not_found =
      Error(ErrorReason::kGroupIdNotFound,
            absl::StrCat("group ",
                         absl::string_view(group_id.data(), group_id.size()),
                         " does not exist"));
  if (lookup.group == nullptr) return not_found;
  GroupRef g = lookup.group;
  {
    Completions c(&appends_);
    absl::MutexLock lock(&g->mu);
    if (g->Is(GroupState::kDead)) return not_found;
    if (!g->Is(GroupState::kEmpty)) {
      return Error(ErrorReason::kNonEmptyGroup,
                   absl::StrCat("group ", g->id(), " has members"));
    }
    std::vector<TopicPartition> removed;
    for (const auto& [tp, stored] : g->offsets) removed.push_back(tp);
    std::sort(removed.begin(), removed.end());
    g->offsets.clear();
    g->pending_commits.clear();
    RemoveIfEmptyAndUnused(*g, std::move(removed), c);
  }
  DropGroup(g);
  return absl::OkStatus();
}

absl::StatusOr<int> GroupCoordinatorImpl::ExpireOffsets() {
  std::vector<GroupRef> groups;
  {
    absl::MutexLock lock(&mu_);
    if (closed_) {
      return MakeError(ErrorReason::kCoordinatorNotAvailable,
                       "the group coordinator is closed");
    }
    for (const auto& [id, g] : groups_) groups.push_back(g);
  }
  const int64_t now = NowMs();
  int expired = 0;
  for (const GroupRef& g : groups) {
    bool dead = false;
    {
      Completions c(&appends_);
      absl::MutexLock lock(&g->mu);
      if (g->Is(GroupState::kDead)) continue;
      std::vector<TopicPartition> removed =
          g->RemoveExpiredOffsets(now, config_.offsets_retention_ms);
      expired += static_cast<int>(removed.size());
      dead = RemoveIfEmptyAndUnused(*g, std::move(removed), c);
    }
    if (dead) DropGroup(g);
  }
  return expired;
}

void GroupCoordinatorImpl::ScheduleOffsetExpiry() {
  timers_.ScheduleAfter(config_.offsets_retention_check_interval_ms, [this] {
    (void)ExpireOffsets();  // fails only once closed
    ScheduleOffsetExpiry();
  });
}

}  // namespace rill::group
