// group_coordinator_impl.h — the GroupCoordinator behind
// GroupCoordinator::Open.
//
// The implementation is split by concern, one .cc each:
//   group_coordinator.cc    partitions (load/unload), lookup, timers, writes
//   coordinator_join.cc     JoinGroup and the rebalance it drives
//   coordinator_members.cc  SyncGroup, Heartbeat, LeaveGroup, expirations
//   coordinator_offsets.cc  offsets, describe/list/delete, retention
//
// Locking: `mu_` guards the partition table and the group map; each Group
// has its own `mu`. Order: `mu_` before a group's `mu`, never the reverse.
// Under a group's lock the coordinator only records answers and queues
// writes (Completions, AppendQueue); both run after the lock is released.
// Timers run on `timers_`' thread and hold their group weakly.
#ifndef RILL_GROUP_GROUP_COORDINATOR_IMPL_H_
#define RILL_GROUP_GROUP_COORDINATOR_IMPL_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "group/append_queue.h"
#include "group/completions.h"
#include "group/group.h"
#include "group/member.h"
#include "rill/group/group_coordinator.h"
#include "util/timer_queue.h"

namespace rill::group {

// GroupCoordinatorImpl: see GroupCoordinator. Owned by its opener;
// thread-safe; Close() (or destruction) waits for the group log's answers to
// the writes it issued, so it must not be called from a coordinator
// callback.
class GroupCoordinatorImpl final : public GroupCoordinator {
 public:
  explicit GroupCoordinatorImpl(GroupCoordinatorOptions options);
  ~GroupCoordinatorImpl() override;
  GroupCoordinatorImpl(const GroupCoordinatorImpl&) = delete;
  GroupCoordinatorImpl& operator=(const GroupCoordinatorImpl&) = delete;

  // Start schedules the periodic offset expiry.
  void Start() ABSL_LOCKS_EXCLUDED(mu_);

  absl::Status LoadPartition(int32_t partition) override;
  void UnloadPartition(int32_t partition) override;
  void JoinGroup(JoinGroupRequest request, JoinCallback done) override;
  void SyncGroup(SyncGroupRequest request, SyncCallback done) override;
  absl::Status Heartbeat(const HeartbeatRequest& request) override;
  LeaveGroupResponse LeaveGroup(const LeaveGroupRequest& request) override;
  void CommitOffsets(OffsetCommitRequest request, CommitCallback done) override;
  absl::StatusOr<std::vector<CommittedOffset>> FetchOffsets(
      std::string_view group_id,
      const std::optional<std::vector<TopicPartition>>& partitions) override;
  absl::StatusOr<std::vector<absl::Status>> DeleteOffsets(
      std::string_view group_id,
      const std::vector<TopicPartition>& partitions) override;
  absl::StatusOr<GroupDescription> DescribeGroup(
      std::string_view group_id) override;
  std::vector<GroupListing> ListGroups() override;
  absl::Status DeleteGroup(std::string_view group_id) override;
  absl::StatusOr<int> ExpireOffsets() override;
  absl::Status Close() override;

 private:
  using GroupRef = std::shared_ptr<Group>;
  using WeakGroup = std::weak_ptr<Group>;
  using Assignment = absl::flat_hash_map<std::string, std::string>;

  enum class PartitionState { kLoading, kLoaded };

  // Lookup is a group id checked against the coordinator's state, and its
  // group if there is one.
  struct Lookup {
    absl::Status status;
    GroupRef group;
  };

  // What a static member's replacement must undo if its record fails.
  struct StaticReplacement {
    std::string instance_id;
    std::string old_id;
    std::string new_id;
    std::optional<std::string> leader_before;
    std::vector<GroupProtocol> old_protocols;
    int32_t old_rebalance_timeout_ms = 0;
    int32_t old_session_timeout_ms = 0;
  };

  // --- group_coordinator.cc
  int64_t NowMs() const { return clock_->NowMs(); }
  // LookupGroup validates `group_id` (kInvalidGroupId,
  // kCoordinatorNotAvailable, kCoordinatorLoadInProgress, kNotCoordinator) and
  // finds its group, creating an Empty one if asked.
  Lookup LookupGroup(std::string_view group_id, bool allow_empty_id,
                     bool create) ABSL_LOCKS_EXCLUDED(mu_);
  // DropGroup removes `g` from the map if it is still the one there (call
  // after it became Dead, without its lock).
  void DropGroup(const GroupRef& g) ABSL_LOCKS_EXCLUDED(mu_);
  // MakeDead answers every waiting join and sync of `g` with `status`, stops
  // its timers and marks it Dead (unload, close).
  void MakeDead(Group& g, const absl::Status& status, Completions& done)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(g.mu);

  void CancelTimer(TimerSlot& slot);
  void ScheduleHeartbeat(Group& g, Member& m, int64_t timeout_ms)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(g.mu);
  void CancelHeartbeat(Member& m);
  void SchedulePendingMemberExpiry(Group& g, const std::string& member_id,
                                   int64_t timeout_ms)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(g.mu);
  void ScheduleJoinTimer(Group& g, int64_t delay_ms)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(g.mu);
  void SchedulePendingSync(Group& g) ABSL_EXCLUSIVE_LOCKS_REQUIRED(g.mu);

  // StoreGroup queues the metadata record of `g`'s current generation (with
  // `assignment` instead of the members' own, if given); `stored` gets OK or
  // the append's error as a group error.
  void StoreGroup(Group& g, const Assignment* assignment,
                  absl::AnyInvocable<void(absl::Status)> stored,
                  Completions& done) ABSL_EXCLUSIVE_LOCKS_REQUIRED(g.mu);
  // QueueTombstones queues deletions of `tps`' offsets (and of the group's
  // metadata if `group_too`) of `g`; nothing waits for them, as in Kafka.
  void QueueTombstones(Group& g, const std::vector<TopicPartition>& tps,
                       bool group_too, Completions& done)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(g.mu);
  // RemoveIfEmptyAndUnused marks an Empty group without offsets Dead and
  // queues its tombstone; true if it did (then DropGroup it).
  bool RemoveIfEmptyAndUnused(Group& g, std::vector<TopicPartition> tombstones,
                              Completions& done)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(g.mu);

  // --- coordinator_join.cc
  void DoNewMemberJoin(Group& g, JoinGroupRequest& req, JoinCallback done,
                       Completions& c) ABSL_EXCLUSIVE_LOCKS_REQUIRED(g.mu);
  void DoCurrentMemberJoin(Group& g, JoinGroupRequest& req, JoinCallback done,
                           Completions& c) ABSL_EXCLUSIVE_LOCKS_REQUIRED(g.mu);
  void AddMemberAndRebalance(Group& g, std::string member_id,
                             JoinGroupRequest& req, JoinCallback done,
                             Completions& c)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(g.mu);
  void UpdateStaticMemberAndRebalance(Group& g, const std::string& old_id,
                                      std::string new_id, JoinGroupRequest& req,
                                      JoinCallback done, Completions& c)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(g.mu);
  void OnStaticMemberStored(const WeakGroup& weak, const StaticReplacement& r,
                            absl::Status status);
  void UpdateMemberAndRebalance(Group& g, Member& m, JoinGroupRequest& req,
                                JoinCallback done, Completions& c)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(g.mu);
  void MaybePrepareRebalance(Group& g, Completions& c)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(g.mu);
  void PrepareRebalance(Group& g, Completions& c)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(g.mu);
  void TryCompleteJoin(Group& g, Completions& c)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(g.mu);
  void CompleteJoin(Group& g, Completions& c)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(g.mu);
  void OnJoinTimer(const WeakGroup& weak, uint64_t epoch);
  // JoinResponseFor is the current generation as `member_id` sees it (the
  // leader also gets the members when `leader_gets_members`).
  JoinGroupResponse JoinResponseFor(Group& g, const std::string& member_id,
                                    bool leader_gets_members)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(g.mu);

  // --- coordinator_members.cc
  // ValidateCurrentMember: kFencedInstanceId if `instance_id` is held by
  // another member id, kUnknownMemberId if the member is not in `g`.
  absl::Status ValidateCurrentMember(Group& g, std::string_view member_id,
                                     const std::optional<std::string>& instance)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(g.mu);
  void RemoveMemberAndUpdateGroup(Group& g, const std::string& member_id,
                                  Completions& c)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(g.mu);
  void RemovePendingMemberAndUpdateGroup(Group& g, const std::string& member_id,
                                         Completions& c)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(g.mu);
  void ResetAndPropagateAssignmentError(Group& g, const absl::Status& error,
                                        Completions& c)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(g.mu);
  void PropagateAssignment(Group& g, const absl::Status& status, Completions& c)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(g.mu);
  void OnAssignmentStored(const WeakGroup& weak, int32_t generation,
                          const Assignment& assignment, absl::Status status);
  void OnHeartbeatExpired(const WeakGroup& weak, const std::string& member_id,
                          uint64_t epoch);
  void OnPendingMemberExpired(const WeakGroup& weak,
                              const std::string& member_id, uint64_t epoch);
  void OnSyncTimer(const WeakGroup& weak, uint64_t epoch, int32_t generation);

  // --- coordinator_offsets.cc
  absl::Status ValidateOffsetCommit(Group& g, const OffsetCommitRequest& req)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(g.mu);
  void StoreOffsets(Group& g, OffsetCommitRequest& req, CommitCallback done,
                    Completions& c) ABSL_EXCLUSIVE_LOCKS_REQUIRED(g.mu);
  void ScheduleOffsetExpiry();

  const GroupCoordinatorConfig config_;
  GroupLog* const log_;
  const std::shared_ptr<Clock> clock_;
  const int32_t num_partitions_;
  MemberIdGenerator member_ids_;
  std::atomic<uint64_t> next_commit_id_{1};
  AppendQueue appends_;
  // Timer callbacks use everything above; Close() shuts the queue down
  // before any of it goes away.
  util::TimerQueue timers_;

  absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_map<int32_t, PartitionState> partitions_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, GroupRef> groups_ ABSL_GUARDED_BY(mu_);
};

// StoreErrorForGroup and StoreErrorForCommit turn a failed group-log write
// into the error Kafka answers for a group metadata or an offset write.
absl::Status StoreErrorForGroup(const absl::Status& append_error);
absl::Status StoreErrorForCommit(const absl::Status& append_error);

}  // namespace rill::group

#endif  // RILL_GROUP_GROUP_COORDINATOR_IMPL_H_
