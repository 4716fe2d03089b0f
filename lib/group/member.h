// member.h — one member of a group, as its coordinator tracks it.
#ifndef RILL_GROUP_MEMBER_H_
#define RILL_GROUP_MEMBER_H_

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "rill/group/group_coordinator.h"
#include "util/timer_queue.h"

namespace rill::group {

// Member is one member of a group: what it joined with, its assignment, and
// the requests of it the coordinator has not answered yet. Owned by its
// Group and guarded by the group's mutex; not thread-safe by itself.
struct Member {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  int32_t rebalance_timeout_ms = 0;
  int32_t session_timeout_ms = 0;
  std::string protocol_type;
  // The protocols it supports, most preferred first.
  std::vector<GroupProtocol> protocols;
  // Its part of the current generation's assignment.
  std::string assignment;

  // The JoinGroup waiting for the rebalance to complete, if any.
  GroupCoordinator::JoinCallback join_callback;
  // The SyncGroup waiting for the leader's assignment, if any.
  GroupCoordinator::SyncCallback sync_callback;

  // Joined during the current rebalance and not yet given a generation:
  // such a member expires after kNewMemberJoinTimeoutMs even while waiting.
  bool is_new = false;

  // The session timer. `heartbeat_epoch` changes on every reschedule, so a
  // timer that fires after being replaced recognizes itself as stale.
  util::TimerQueue::Id heartbeat_timer = 0;
  uint64_t heartbeat_epoch = 0;

  bool awaiting_join() const { return static_cast<bool>(join_callback); }
  bool awaiting_sync() const { return static_cast<bool>(sync_callback); }
  bool is_static() const { return group_instance_id.has_value(); }

  // Matches tells whether `protocols` equal this member's (names, metadata
  // and order): a rejoin that changes nothing needs no rebalance.
  bool Matches(const std::vector<GroupProtocol>& other) const;
  // MetadataFor is the metadata for protocol `name`, or nullptr.
  const std::string* MetadataFor(std::string_view name) const;
  // Vote is this member's most preferred protocol among `candidates` (which
  // must contain one of its protocols).
  std::string Vote(const absl::flat_hash_set<std::string>& candidates) const;
};

// kNewMemberJoinTimeoutMs bounds how long a member that has never completed
// a join may wait in one (Kafka's GroupCoordinator.NewMemberJoinTimeoutMs):
// clients that gave up on a long rebalance and retried would otherwise leave
// defunct members behind.
inline constexpr int64_t kNewMemberJoinTimeoutMs = 5 * 60 * 1000;

// MemberIdGenerator makes member ids: "<prefix>-<random UUID>", the prefix
// being the client id (or the instance id of a static member), as Kafka.
// Thread-safe.
class MemberIdGenerator {
 public:
  MemberIdGenerator();
  std::string Next(std::string_view prefix) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  absl::Mutex mu_;
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
};

}  // namespace rill::group

#endif  // RILL_GROUP_MEMBER_H_
