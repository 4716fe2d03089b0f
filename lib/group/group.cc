#include "group/group.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "group/consumer_protocol.h"
#include "group/format.h"
#include "rill/error.h"

namespace rill::group {

std::string_view GroupStateName(GroupState state) {
  switch (state) {
    case GroupState::kEmpty:
      return "Empty";
    case GroupState::kPreparingRebalance:
      return "PreparingRebalance";
    case GroupState::kCompletingRebalance:
      return "CompletingRebalance";
    case GroupState::kStable:
      return "Stable";
    case GroupState::kDead:
      return "Dead";
  }
  return "Unknown";
}

Group::Group(std::string id, int32_t partition, int64_t now_ms)
    : id_(std::move(id)), partition_(partition), state_timestamp_ms_(now_ms) {}

void Group::TransitionTo(GroupState s, int64_t now_ms) {
  state_ = s;
  state_timestamp_ms_ = now_ms;
}

bool Group::CanRebalance() const {
  return state_ == GroupState::kEmpty || state_ == GroupState::kStable ||
         state_ == GroupState::kCompletingRebalance;
}

Member* Group::Get(std::string_view member_id) {
  auto it = members_.find(member_id);
  return it == members_.end() ? nullptr : &it->second;
}

std::optional<std::string> Group::StaticMemberId(
    std::string_view instance_id) const {
  auto it = static_members_.find(
      absl::string_view(instance_id.data(), instance_id.size()));
  if (it == static_members_.end()) return std::nullopt;
  return it->second;
}

Member& Group::Add(Member member) {
  if (members_.empty()) protocol_type_ = member.protocol_type;
  if (member.group_instance_id.has_value()) {
    static_members_[*member.group_instance_id] = member.member_id;
  }
  if (!leader_.has_value()) leader_ = member.member_id;
  std::string id = member.member_id;
  return members_.insert_or_assign(std::move(id), std::move(member))
      .first->second;
}

std::optional<Member> Group::Remove(std::string_view member_id) {
  std::optional<Member> removed;
  auto it = members_.find(member_id);
  if (it != members_.end()) {
    removed = std::move(it->second);
    members_.erase(it);
    if (removed->group_instance_id.has_value()) {
      auto s = static_members_.find(*removed->group_instance_id);
      if (s != static_members_.end() && s->second == removed->member_id) {
        static_members_.erase(s);
      }
    }
  }
  if (IsLeader(member_id)) {
    if (members_.empty()) {
      leader_.reset();
    } else {
      leader_ = members_.begin()->first;
    }
  }
  pending_sync.erase(absl::string_view(member_id.data(), member_id.size()));
  return removed;
}

Member& Group::ReplaceStaticMember(const std::string& instance_id,
                                   const std::string& old_id,
                                   const std::string& new_id,
                                   Completions& done) {
  auto node = members_.extract(old_id);
  Member& m = node.mapped();
  done.Join(std::exchange(m.join_callback, nullptr),
            JoinError(old_id, MakeError(ErrorReason::kFencedInstanceId,
                                        "a newer member holds this "
                                        "group.instance.id")));
  done.Sync(std::exchange(m.sync_callback, nullptr),
            SyncError(MakeError(ErrorReason::kFencedInstanceId,
                                "a newer member holds this "
                                "group.instance.id")));
  m.member_id = new_id;
  node.key() = new_id;
  members_.insert(std::move(node));
  if (IsLeader(old_id)) leader_ = new_id;
  static_members_[instance_id] = new_id;
  if (pending_sync.erase(old_id) > 0) pending_sync.insert(new_id);
  return members_.find(new_id)->second;
}

bool Group::HasAllMembersJoined() const {
  if (!pending_members.empty()) return false;
  return std::all_of(members_.begin(), members_.end(),
                     [](const auto& kv) { return kv.second.awaiting_join(); });
}

bool Group::MaybeElectNewJoinedLeader() {
  if (!leader_.has_value()) return false;
  auto current = members_.find(*leader_);
  if (current != members_.end() && current->second.awaiting_join()) {
    return true;
  }
  for (const auto& [id, m] : members_) {
    if (m.awaiting_join()) {
      leader_ = id;
      return true;
    }
  }
  return false;
}

int32_t Group::RebalanceTimeoutMs() const {
  int32_t timeout = 0;
  for (const auto& [id, m] : members_) {
    timeout = std::max(timeout, m.rebalance_timeout_ms);
  }
  return timeout;
}

bool Group::SupportsProtocols(
    std::string_view protocol_type,
    const std::vector<GroupProtocol>& protocols) const {
  if (state_ == GroupState::kEmpty) {
    return !protocol_type.empty() && !protocols.empty();
  }
  if (protocol_type != protocol_type_) return false;
  for (const GroupProtocol& p : protocols) {
    bool everyone = true;
    for (const auto& [id, m] : members_) {
      if (m.MetadataFor(p.name) == nullptr) {
        everyone = false;
        break;
      }
    }
    if (everyone) return true;
  }
  return false;
}

std::string Group::SelectProtocol() const {
  // Candidates: the protocols every member supports, in the order of the
  // leader's preference (which breaks ties).
  const Member* first = nullptr;
  if (leader_.has_value()) {
    auto it = members_.find(*leader_);
    if (it != members_.end()) first = &it->second;
  }
  if (first == nullptr) first = &members_.begin()->second;
  std::vector<std::string> ordered;
  absl::flat_hash_set<std::string> candidates;
  for (const GroupProtocol& p : first->protocols) {
    const bool everyone =
        std::all_of(members_.begin(), members_.end(), [&p](const auto& kv) {
          return kv.second.MetadataFor(p.name) != nullptr;
        });
    if (everyone && candidates.insert(p.name).second) {
      ordered.push_back(p.name);
    }
  }
  absl::flat_hash_map<std::string, int> votes;
  for (const auto& [id, m] : members_) ++votes[m.Vote(candidates)];
  std::string best;
  int best_votes = -1;
  for (const std::string& name : ordered) {
    const int v = votes[name];
    if (v > best_votes) {
      best = name;
      best_votes = v;
    }
  }
  return best;
}

void Group::InitNextGeneration(int64_t now_ms) {
  ++generation_;
  if (!members_.empty()) {
    protocol_name_ = SelectProtocol();
    ComputeSubscribedTopics();
    TransitionTo(GroupState::kCompletingRebalance, now_ms);
  } else {
    protocol_name_.reset();
    ComputeSubscribedTopics();
    TransitionTo(GroupState::kEmpty, now_ms);
  }
  pending_sync.clear();
}

std::vector<JoinGroupMember> Group::CurrentMemberMetadata() const {
  std::vector<JoinGroupMember> out;
  out.reserve(members_.size());
  for (const auto& [id, m] : members_) {
    const std::string* metadata =
        protocol_name_.has_value() ? m.MetadataFor(*protocol_name_) : nullptr;
    out.push_back(JoinGroupMember{id, m.group_instance_id,
                                  metadata ? *metadata : std::string()});
  }
  return out;
}

bool Group::IsSubscribedToTopic(std::string_view topic) const {
  if (!subscribed_topics_.has_value()) return true;
  return subscribed_topics_->find(topic) != subscribed_topics_->end();
}

void Group::ComputeSubscribedTopics() {
  subscribed_topics_.reset();
  if (protocol_type_ != kConsumerProtocolType) return;
  if (members_.empty()) {
    subscribed_topics_.emplace();
    return;
  }
  if (!protocol_name_.has_value()) return;
  std::set<std::string, std::less<>> topics;
  for (const auto& [id, m] : members_) {
    const std::string* metadata = m.MetadataFor(*protocol_name_);
    if (metadata == nullptr) return;
    absl::StatusOr<std::vector<std::string>> parsed =
        ParseSubscriptionTopics(*metadata);
    if (!parsed.ok()) return;  // unknown: every topic counts as subscribed
    topics.insert(parsed->begin(), parsed->end());
  }
  subscribed_topics_ = std::move(topics);
}

std::vector<TopicPartition> Group::RemoveExpiredOffsets(int64_t now_ms,
                                                        int64_t retention_ms) {
  // Which offsets are eligible, and from when retention counts.
  bool skip_subscribed = false;
  bool since_empty = false;
  if (!protocol_type_.empty() && state_ == GroupState::kEmpty) {
    since_empty = true;
  } else if (protocol_type_ == kConsumerProtocolType &&
             subscribed_topics_.has_value() && state_ == GroupState::kStable) {
    skip_subscribed = true;
  } else if (!protocol_type_.empty()) {
    return {};  // members are active; their offsets stay
  }
  std::vector<TopicPartition> expired;
  for (const auto& [tp, stored] : offsets) {
    if (pending_commits.contains(tp)) continue;
    if (skip_subscribed && IsSubscribedToTopic(tp.topic)) continue;
    bool is_expired = false;
    if (stored.expire_timestamp_ms >= 0) {
      is_expired = now_ms >= stored.expire_timestamp_ms;
    } else {
      int64_t base = stored.value.commit_timestamp_ms;
      if (since_empty) base = std::max(base, state_timestamp_ms_);
      is_expired = now_ms - base >= retention_ms;
    }
    if (is_expired) expired.push_back(tp);
  }
  for (const TopicPartition& tp : expired) offsets.erase(tp);
  std::sort(expired.begin(), expired.end());
  return expired;
}

GroupMetadataValue Group::ToRecord(
    const absl::flat_hash_map<std::string, std::string>* assignment) const {
  GroupMetadataValue v;
  v.protocol_type = protocol_type_;
  v.generation = generation_;
  v.protocol = protocol_name_;
  v.leader = leader_;
  v.current_state_timestamp_ms = state_timestamp_ms_;
  for (const auto& [id, m] : members_) {
    MemberMetadataValue mv;
    mv.member_id = id;
    mv.group_instance_id = m.group_instance_id;
    mv.client_id = m.client_id;
    mv.client_host = m.client_host;
    mv.rebalance_timeout_ms = m.rebalance_timeout_ms;
    mv.session_timeout_ms = m.session_timeout_ms;
    if (protocol_name_.has_value()) {
      if (const std::string* md = m.MetadataFor(*protocol_name_)) {
        mv.subscription = *md;
      }
    }
    if (assignment != nullptr) {
      auto a = assignment->find(id);
      if (a != assignment->end()) mv.assignment = a->second;
    } else {
      mv.assignment = m.assignment;
    }
    v.members.push_back(std::move(mv));
  }
  return v;
}

absl::Status Group::Restore(const GroupMetadataValue& record) {
  if (!record.members.empty() && !record.protocol.has_value()) {
    return absl::DataLossError(absl::StrCat("group metadata of ", id_,
                                            " has members but no protocol"));
  }
  protocol_type_ = record.protocol_type;
  generation_ = record.generation;
  protocol_name_ = record.protocol;
  state_timestamp_ms_ = record.current_state_timestamp_ms;
  members_.clear();
  static_members_.clear();
  leader_.reset();
  for (const MemberMetadataValue& mv : record.members) {
    Member m;
    m.member_id = mv.member_id;
    m.group_instance_id = mv.group_instance_id;
    m.client_id = mv.client_id;
    m.client_host = mv.client_host;
    m.rebalance_timeout_ms = mv.rebalance_timeout_ms;
    m.session_timeout_ms = mv.session_timeout_ms;
    m.protocol_type = record.protocol_type;
    m.protocols.push_back(GroupProtocol{*record.protocol, mv.subscription});
    m.assignment = mv.assignment;
    Add(std::move(m));
  }
  if (record.leader.has_value() && Has(*record.leader)) {
    leader_ = record.leader;
  }
  state_ = members_.empty() ? GroupState::kEmpty : GroupState::kStable;
  ComputeSubscribedTopics();
  return absl::OkStatus();
}

GroupDescription Group::Describe() const {
  GroupDescription d;
  d.group_id = id_;
  d.state = std::string(GroupStateName(state_));
  d.protocol_type = protocol_type_;
  d.generation_id = generation_;
  const bool stable = state_ == GroupState::kStable;
  if (stable && protocol_name_.has_value()) d.protocol_name = *protocol_name_;
  for (const auto& [id, m] : members_) {
    GroupMemberDescription md;
    md.member_id = id;
    md.group_instance_id = m.group_instance_id;
    md.client_id = m.client_id;
    md.client_host = m.client_host;
    // As Kafka: metadata and assignments only once the group is Stable.
    if (stable && protocol_name_.has_value()) {
      if (const std::string* meta = m.MetadataFor(*protocol_name_)) {
        md.metadata = *meta;
      }
      md.assignment = m.assignment;
    }
    d.members.push_back(std::move(md));
  }
  return d;
}

}  // namespace rill::group
