// group.h — one consumer group's state: members, generation, protocol and
// committed offsets (Kafka's GroupMetadata).
//
// A Group holds the data and the rules that need nothing but the data
// (leader election, protocol vote, who is subscribed to what, which offsets
// expired). The coordinator drives the state machine around it — timers,
// persistence, answering requests — always under `mu`:
//
//   Empty ──join──▶ PreparingRebalance ──all joined──▶ CompletingRebalance
//     ▲                ▲       │                          │ leader's
//     └─ last member ──┘       └──────── no members ──▶ Empty   │ assignment
//        leaves / expires         (member change) ◀── Stable ◀──┘ stored
//   any ──unload / delete / expired──▶ Dead
#ifndef RILL_GROUP_GROUP_H_
#define RILL_GROUP_GROUP_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "group/completions.h"
#include "group/group_records.h"
#include "group/member.h"
#include "rill/group/group_coordinator.h"
#include "util/timer_queue.h"

namespace rill::group {

enum class GroupState : int8_t {
  kEmpty,
  kPreparingRebalance,
  kCompletingRebalance,
  kStable,
  kDead,
};

// GroupStateName is Kafka's name of the state ("PreparingRebalance", ...).
std::string_view GroupStateName(GroupState state);

// StoredOffset is a committed offset and where its record sits in the
// offsets partition: of two commits of one partition, the one written later
// wins, whatever order their appends completed in.
struct StoredOffset {
  CommittedOffset value;
  int64_t record_offset = -1;
  // From version-1 records only (explicit per-commit expiry); -1 otherwise.
  int64_t expire_timestamp_ms = -1;
};

// TimerSlot is a scheduled timer and the epoch that lets a firing timer tell
// whether it is still the current one.
struct TimerSlot {
  util::TimerQueue::Id id = 0;
  uint64_t epoch = 0;
};

// JoinWait describes how a PreparingRebalance completes.
struct JoinWait {
  TimerSlot timer;
  // Kafka's InitialDelayedJoin: the first rebalance of an empty group waits
  // delay_ms, and again (up to remaining_ms in all) while members keep
  // arriving; only the timer completes it.
  bool initial = false;
  int64_t delay_ms = 0;
  int64_t remaining_ms = 0;
  // Complete at the next check whoever has joined (an initial delay of 0).
  bool due_now = false;
};

// Group is shared by the coordinator's group map and its timers and
// in-flight writes (which hold it weakly or until they finish). Every member
// below is guarded by `mu`; Dead groups are dropped from the map and left to
// their last holders.
class Group : public std::enable_shared_from_this<Group> {
 public:
  using MemberMap = std::map<std::string, Member, std::less<>>;

  Group(std::string id, int32_t partition, int64_t now_ms);
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;

  const std::string& id() const { return id_; }
  int32_t partition() const { return partition_; }

  mutable absl::Mutex mu;

  // --- State.
  GroupState state() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return state_; }
  bool Is(GroupState s) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return state_ == s;
  }
  void TransitionTo(GroupState s, int64_t now_ms)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // CanRebalance: Empty, Stable or CompletingRebalance.
  bool CanRebalance() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // state_timestamp_ms is when the group entered its state (-1: unknown, a
  // group restored from an old record).
  int64_t state_timestamp_ms() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return state_timestamp_ms_;
  }
  int32_t generation() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return generation_;
  }
  // protocol_type is "" for a group used only to store offsets.
  const std::string& protocol_type() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return protocol_type_;
  }
  const std::optional<std::string>& protocol_name() const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return protocol_name_;
  }
  const std::optional<std::string>& leader() const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return leader_;
  }
  bool IsLeader(std::string_view member_id) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return leader_.has_value() && *leader_ == member_id;
  }

  // --- Members.
  size_t size() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return members_.size();
  }
  bool Has(std::string_view member_id) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return members_.find(member_id) != members_.end();
  }
  Member* Get(std::string_view member_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  MemberMap& members() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return members_; }
  const MemberMap& members() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return members_;
  }
  // StaticMemberId is the member id now holding `instance_id`.
  std::optional<std::string> StaticMemberId(std::string_view instance_id) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  // Add makes `member` part of the group (the first member sets the
  // protocol type and becomes leader). Its id must be new.
  Member& Add(Member member) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Remove takes a member out (a new leader is picked if it led) and returns
  // it, with any callbacks still unanswered.
  std::optional<Member> Remove(std::string_view member_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // ReplaceStaticMember gives `instance_id`'s member the id `new_id`; a join
  // or sync the old id still waits on is answered kFencedInstanceId.
  Member& ReplaceStaticMember(const std::string& instance_id,
                              const std::string& old_id,
                              const std::string& new_id, Completions& done)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  // HasAllMembersJoined: every member waits in JoinGroup and no member id
  // handed out with kMemberIdRequired is still outstanding.
  bool HasAllMembersJoined() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // MaybeElectNewJoinedLeader keeps the leader if it rejoined, else picks a
  // member that did; false if none did (or there is no leader).
  bool MaybeElectNewJoinedLeader() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // RebalanceTimeoutMs is the largest rebalance timeout of the members.
  int32_t RebalanceTimeoutMs() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // SupportsProtocols: could a member with this protocol type and these
  // protocols join? (An empty group takes any non-empty type and list; else
  // the type must match and one protocol be supported by every member.)
  bool SupportsProtocols(std::string_view protocol_type,
                         const std::vector<GroupProtocol>& protocols) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // SelectProtocol: among the protocols every member supports, each member
  // votes for its most preferred; most votes wins, ties going to the one the
  // leader prefers. Requires members.
  std::string SelectProtocol() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // InitNextGeneration bumps the generation and moves to CompletingRebalance
  // with a chosen protocol, or to Empty if no member is left.
  void InitNextGeneration(int64_t now_ms) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // CurrentMemberMetadata is the leader's JoinGroup member list.
  std::vector<JoinGroupMember> CurrentMemberMetadata() const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // IsSubscribedToTopic: does a member of this consumer group consume
  // `topic`? True when unknown (not a consumer group, or metadata that does
  // not parse), to be safe.
  bool IsSubscribedToTopic(std::string_view topic) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  // --- The coordinator's rebalance bookkeeping.
  // Member ids handed out with kMemberIdRequired, each with its session
  // timer: the member must join with it before it expires.
  absl::flat_hash_map<std::string, TimerSlot> pending_members
      ABSL_GUARDED_BY(mu);
  JoinWait join ABSL_GUARDED_BY(mu);
  // A member joined during the initial delay (the delay is extended).
  bool new_member_added ABSL_GUARDED_BY(mu) = false;
  // Members of this generation that have not sent SyncGroup yet, and the
  // timer that removes them after the rebalance timeout.
  absl::flat_hash_set<std::string> pending_sync ABSL_GUARDED_BY(mu);
  TimerSlot sync_timer ABSL_GUARDED_BY(mu);

  // --- Committed offsets.
  absl::flat_hash_map<TopicPartition, StoredOffset> offsets ABSL_GUARDED_BY(mu);
  // Commit requests (by id) whose records are being written, per partition.
  absl::flat_hash_map<TopicPartition, absl::flat_hash_set<uint64_t>>
      pending_commits ABSL_GUARDED_BY(mu);
  bool HasOffsets() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return !offsets.empty() || !pending_commits.empty();
  }
  // RemoveExpiredOffsets drops and returns the offsets past retention (see
  // the GroupCoordinatorConfig comment): for a group with a protocol type
  // that is Empty, `retention_ms` after max(became empty, committed); for a
  // Stable consumer group, offsets of topics it no longer subscribes to,
  // after their commit; for a group that only stores offsets, after their
  // commit. Offsets being committed are kept.
  std::vector<TopicPartition> RemoveExpiredOffsets(int64_t now_ms,
                                                   int64_t retention_ms)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  // --- Records and views.
  // ToRecord is the group metadata record of the current generation, with
  // `assignment` (by member id) instead of the members' own when given.
  GroupMetadataValue ToRecord(
      const absl::flat_hash_map<std::string, std::string>* assignment) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Restore loads a group metadata record into a new group: Stable in the
  // stored generation with its members, or Empty. kDataLoss if the record
  // has members but no protocol.
  absl::Status Restore(const GroupMetadataValue& record)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  GroupDescription Describe() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

 private:
  void ComputeSubscribedTopics() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  const std::string id_;
  const int32_t partition_;

  GroupState state_ ABSL_GUARDED_BY(mu) = GroupState::kEmpty;
  int64_t state_timestamp_ms_ ABSL_GUARDED_BY(mu);
  int32_t generation_ ABSL_GUARDED_BY(mu) = 0;
  std::string protocol_type_ ABSL_GUARDED_BY(mu);
  std::optional<std::string> protocol_name_ ABSL_GUARDED_BY(mu);
  std::optional<std::string> leader_ ABSL_GUARDED_BY(mu);
  MemberMap members_ ABSL_GUARDED_BY(mu);
  // group.instance.id → member id.
  absl::flat_hash_map<std::string, std::string> static_members_
      ABSL_GUARDED_BY(mu);
  // The topics a consumer group's members subscribe to; nullopt if unknown.
  std::optional<std::set<std::string, std::less<>>> subscribed_topics_
      ABSL_GUARDED_BY(mu);
};

}  // namespace rill::group

#endif  // RILL_GROUP_GROUP_H_
