// rill/group/group_coordinator.h — Kafka's classic consumer-group protocol.
//
// The coordinator runs the JoinGroup / SyncGroup / Heartbeat / LeaveGroup
// state machine (Empty → PreparingRebalance → CompletingRebalance → Stable),
// stores committed offsets, and keeps both in the `__consumer_offsets` topic
// through a GroupLog. Assignors run in the clients: protocol metadata and
// assignments are opaque bytes here.
//
//   ASSIGN_OR_RETURN(auto coordinator, rill::GroupCoordinator::Open(
//       {.log = group_log, .clock = clock,
//        .config = {.group_initial_rebalance_delay_ms = 0}}));
//   coordinator->JoinGroup({.group_id = "g", .session_timeout_ms = 10'000,
//                           .protocol_type = "consumer",
//                           .protocols = {{"range", metadata}}},
//                          [](rill::JoinGroupResponse r) { ... });
//
// Responses carry an absl::Status with an ErrorReason (rill/error.h) for
// Kafka's group errors: kMemberIdRequired (with the generated member_id
// filled in), kIllegalGeneration, kRebalanceInProgress, kUnknownMemberId,
// kFencedInstanceId, kInvalidSessionTimeout, kCoordinatorLoadInProgress, ...
#ifndef RILL_GROUP_GROUP_COORDINATOR_H_
#define RILL_GROUP_GROUP_COORDINATOR_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rill/clock.h"
#include "rill/group/group_log.h"
#include "rill/types.h"

namespace rill {

// GroupCoordinatorConfig: the broker settings of the coordinator, under
// Kafka's broker config names.
struct GroupCoordinatorConfig {
  // group.min.session.timeout.ms. Default: 6000.
  int32_t group_min_session_timeout_ms = 6000;
  // group.max.session.timeout.ms. Default: 1800000.
  int32_t group_max_session_timeout_ms = 1800000;
  // group.initial.rebalance.delay.ms: how long the first rebalance of an
  // empty group waits for more members (test clusters use 0). Default: 3000.
  int32_t group_initial_rebalance_delay_ms = 3000;
  // group.max.size. Default: unlimited.
  int32_t group_max_size = std::numeric_limits<int32_t>::max();
  // offsets.retention.minutes, in ms (KIP-211): committed offsets of an
  // empty group expire this long after the group became empty or after
  // their commit, whichever is later; those of a group that only stores
  // offsets (no protocol type) this long after their commit; a Stable
  // consumer group keeps the offsets of the topics it subscribes to. An
  // empty group left without offsets is deleted. Default: 7 days.
  int64_t offsets_retention_ms = 7 * 24 * 3600 * 1000LL;
  // offsets.retention.check.interval.ms. Default: 600000.
  int64_t offsets_retention_check_interval_ms = 600000;
  // offset.metadata.max.bytes. Default: 4096.
  int32_t offset_metadata_max_bytes = 4096;
};

// GroupCoordinatorOptions open a GroupCoordinator.
struct GroupCoordinatorOptions {
  // Where groups and offsets are stored. Required; must outlive the
  // coordinator.
  GroupLog* log = nullptr;
  // Time source for session, rebalance and retention timeouts.
  // Default: system clock.
  std::shared_ptr<Clock> clock = nullptr;
  GroupCoordinatorConfig config = {};
};

// GroupProtocol is one (name, metadata) a member supports, e.g. an assignor
// name and the member's subscription.
struct GroupProtocol {
  std::string name;
  std::string metadata;
};

struct JoinGroupRequest {
  std::string group_id = {};
  int32_t session_timeout_ms = 10000;
  // -1: same as the session timeout (JoinGroup v0).
  int32_t rebalance_timeout_ms = -1;
  // "" for a new member.
  std::string member_id = {};
  // Static membership (group.instance.id); nullopt for dynamic members.
  std::optional<std::string> group_instance_id = std::nullopt;
  std::string protocol_type = {};
  std::vector<GroupProtocol> protocols = {};
  // JoinGroup v4+: a new dynamic member first gets kMemberIdRequired with a
  // generated member id and must join again with it.
  bool require_known_member_id = true;
  std::string client_id = {};
  std::string client_host = {};
};

struct JoinGroupMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string metadata;
};

struct JoinGroupResponse {
  absl::Status status;
  int32_t generation_id = -1;
  std::string protocol_type;
  std::string protocol_name;
  std::string leader;
  std::string member_id;
  // Only the leader gets the members and their metadata for the chosen
  // protocol.
  std::vector<JoinGroupMember> members;
};

struct SyncGroupAssignment {
  std::string member_id;
  std::string assignment;
};

struct SyncGroupRequest {
  std::string group_id = {};
  int32_t generation_id = -1;
  std::string member_id = {};
  std::optional<std::string> group_instance_id = std::nullopt;
  // SyncGroup v5: checked against the group's when set.
  std::optional<std::string> protocol_type = std::nullopt;
  std::optional<std::string> protocol_name = std::nullopt;
  // The leader's assignments; empty from followers.
  std::vector<SyncGroupAssignment> assignments = {};
};

struct SyncGroupResponse {
  absl::Status status;
  std::string protocol_type;
  std::string protocol_name;
  std::string assignment;
};

struct HeartbeatRequest {
  std::string group_id = {};
  int32_t generation_id = -1;
  std::string member_id = {};
  std::optional<std::string> group_instance_id = std::nullopt;
};

struct MemberIdentity {
  std::string member_id = {};
  std::optional<std::string> group_instance_id = std::nullopt;
};

struct LeaveGroupRequest {
  std::string group_id = {};
  // LeaveGroup v0–2 name one member; v3 a list (static members may leave by
  // instance id with an empty member id).
  std::vector<MemberIdentity> members = {};
};

struct LeaveGroupResponse {
  // Group-level error (unknown group, coordinator not available).
  absl::Status status;
  // One per requested member, in request order.
  std::vector<absl::Status> member_statuses;
};

struct OffsetCommitPartition {
  TopicPartition tp;
  Offset offset;
  LeaderEpoch leader_epoch = LeaderEpoch(-1);
  std::string metadata = {};
  // The commit time OffsetCommit v1 lets a client set; negative: the
  // coordinator's clock at the commit. Retention is counted from it.
  int64_t commit_timestamp_ms = -1;
};

struct OffsetCommitRequest {
  std::string group_id = {};
  // -1 with an empty member id: a commit from outside the group protocol
  // (a consumer using assign()), allowed only while the group is empty.
  int32_t generation_id = -1;
  std::string member_id = {};
  std::optional<std::string> group_instance_id = std::nullopt;
  // OffsetCommit v2–4's explicit retention: the offsets expire this long
  // after the commit whatever the group's state (stored in a version-1
  // value record, as Kafka does). Negative: offsets.retention.minutes.
  int64_t retention_time_ms = -1;
  std::vector<OffsetCommitPartition> offsets = {};
};

struct OffsetCommitResponse {
  // One per requested partition, in request order.
  std::vector<absl::Status> partition_statuses;
};

struct CommittedOffset {
  TopicPartition tp;
  // Offset(-1) when nothing is committed (Kafka answers NONE, not an error).
  Offset offset = Offset(-1);
  LeaderEpoch leader_epoch = LeaderEpoch(-1);
  std::string metadata;
  int64_t commit_timestamp_ms = -1;
};

struct GroupMemberDescription {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  // For the group's current protocol.
  std::string metadata;
  std::string assignment;
};

struct GroupDescription {
  std::string group_id;
  // Kafka's state names: "Empty", "PreparingRebalance",
  // "CompletingRebalance", "Stable", "Dead".
  std::string state;
  std::string protocol_type;
  std::string protocol_name;
  int32_t generation_id = 0;
  std::vector<GroupMemberDescription> members;
};

struct GroupListing {
  std::string group_id;
  std::string protocol_type;
  std::string state;
};

// GroupCoordinator owns every group of the offsets-topic partitions it has
// loaded. Thread-safe: groups lock independently; callbacks run without any
// coordinator lock held, on the calling thread, the thread of the request
// that completed them, the coordinator's timer thread, or the thread on
// which the GroupLog completed a write. Callbacks must not block on other
// coordinator requests completing.
class GroupCoordinator {
 public:
  static absl::StatusOr<std::unique_ptr<GroupCoordinator>> Open(
      GroupCoordinatorOptions options);
  virtual ~GroupCoordinator() = default;

  // PartitionFor is the offsets-topic partition that holds `group_id`:
  // Java's String.hashCode, made non-negative, mod the partition count (as
  // Kafka), so every client finds the same coordinator.
  static int32_t PartitionFor(std::string_view group_id,
                              int32_t num_partitions);

  // LoadPartition replays one offsets-topic partition and takes ownership of
  // its groups (when this broker becomes its leader); requests for its groups
  // get kCoordinatorLoadInProgress meanwhile and kNotCoordinator before.
  virtual absl::Status LoadPartition(int32_t partition) = 0;
  // UnloadPartition drops a partition's groups from memory (leadership
  // moved); pending joins and syncs get kNotCoordinator.
  virtual void UnloadPartition(int32_t partition) = 0;

  using JoinCallback = absl::AnyInvocable<void(JoinGroupResponse)>;
  using SyncCallback = absl::AnyInvocable<void(SyncGroupResponse)>;
  using CommitCallback = absl::AnyInvocable<void(OffsetCommitResponse)>;

  // JoinGroup completes when the rebalance does (all known members joined,
  // or the rebalance timeout passed), or at once on error.
  virtual void JoinGroup(JoinGroupRequest request, JoinCallback done) = 0;
  // SyncGroup completes when the leader's assignments are stored.
  virtual void SyncGroup(SyncGroupRequest request, SyncCallback done) = 0;
  virtual absl::Status Heartbeat(const HeartbeatRequest& request) = 0;
  virtual LeaveGroupResponse LeaveGroup(const LeaveGroupRequest& request) = 0;

  // CommitOffsets completes once the offsets are written to the group log.
  virtual void CommitOffsets(OffsetCommitRequest request,
                             CommitCallback done) = 0;
  // FetchOffsets returns the committed offsets of `partitions`, or of every
  // partition with one when nullopt.
  virtual absl::StatusOr<std::vector<CommittedOffset>> FetchOffsets(
      std::string_view group_id,
      const std::optional<std::vector<TopicPartition>>& partitions) = 0;
  // DeleteOffsets removes committed offsets (OffsetDelete); partitions the
  // group is subscribed to (consumer protocol, Stable) are refused with
  // kGroupSubscribedToTopic.
  virtual absl::StatusOr<std::vector<absl::Status>> DeleteOffsets(
      std::string_view group_id,
      const std::vector<TopicPartition>& partitions) = 0;

  virtual absl::StatusOr<GroupDescription> DescribeGroup(
      std::string_view group_id) = 0;
  virtual std::vector<GroupListing> ListGroups() = 0;
  // DeleteGroup removes an empty group and its offsets: kGroupIdNotFound,
  // kNonEmptyGroup.
  virtual absl::Status DeleteGroup(std::string_view group_id) = 0;

  // ExpireOffsets removes offsets past offsets.retention.minutes now (the
  // coordinator also does it every offsets.retention.check.interval.ms);
  // returns how many expired.
  virtual absl::StatusOr<int> ExpireOffsets() = 0;

  // Close fails pending joins and syncs with kCoordinatorNotAvailable, stops
  // the timers and waits until the GroupLog has answered every write the
  // coordinator issued (so it must not be called from a coordinator
  // callback). Group state is already durable in the log. Idempotent; the
  // destructor calls it.
  virtual absl::Status Close() = 0;
};

}  // namespace rill

#endif  // RILL_GROUP_GROUP_COORDINATOR_H_
