// FindCoordinator, JoinGroup, SyncGroup, Heartbeat and LeaveGroup over the
// wire, at the oldest and newest versions rill advertises.
#include <catch2/catch.hpp>
#include <string>

#include "group_wire_util.h"
#include "protocol/messages/describe_groups.h"
#include "protocol/messages/find_coordinator.h"
#include "protocol/messages/leave_group.h"
#include "protocol/messages/offset_commit.h"
#include "protocol/messages/offset_fetch.h"
#include "server_test_util.h"

namespace rill::server::testing {
namespace {

using protocol::FindCoordinatorRequest;
using protocol::FindCoordinatorResponse;
using protocol::JoinGroupResponse;
using protocol::LeaveGroupRequest;
using protocol::LeaveGroupResponse;

constexpr GroupVersions kOldest{
    .join = 0, .sync = 0, .heartbeat = 0, .leave = 0, .commit = 1, .fetch = 1};
constexpr GroupVersions kNewest{
    .join = 5, .sync = 3, .heartbeat = 3, .leave = 3, .commit = 7, .fetch = 7};

std::string StateOf(WireClient& client, const std::string& group) {
  protocol::DescribeGroupsRequest r;
  r.groups = {group};
  auto response =
      client.RoundTrip<protocol::DescribeGroupsResponse>(r, /*version=*/0);
  REQUIRE_OK(response.status());
  REQUIRE(response->groups.size() == 1);
  return response->groups[0].group_state;
}

int16_t Leave(WireClient& client, const std::string& group,
              const std::string& member_id, int16_t version) {
  LeaveGroupRequest r;
  r.group_id = group;
  r.member_id = member_id;
  r.members = {{.member_id = member_id, .group_instance_id = std::nullopt}};
  auto response = client.RoundTrip<LeaveGroupResponse>(r, version);
  REQUIRE_OK(response.status());
  if (version >= 3) {
    REQUIRE(response->members.size() == 1);
    CHECK(response->members[0].member_id == member_id);
    return response->members[0].error_code;
  }
  return response->error_code;
}

TEST_CASE(
    "FindCoordinator finds this broker for a group, no transaction "
    "coordinator, and refuses other key types",
    "[server][group][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  for (int16_t version = 0; version <= 2; ++version) {
    CAPTURE(version);
    FindCoordinatorRequest r;
    r.key = "my-group";
    auto found = client.RoundTrip<FindCoordinatorResponse>(r, version);
    REQUIRE_OK(found.status());
    CHECK(found->error_code == kErrorNone);
    CHECK(found->node_id == served.broker->node_id().value());
    CHECK(found->host == "127.0.0.1");
    CHECK(found->port == served.port());
    if (version == 0) continue;  // no key type before v1

    r.key_type = 1;
    auto txn = client.RoundTrip<FindCoordinatorResponse>(r, version);
    REQUIRE_OK(txn.status());
    CHECK(txn->error_code == Code(ErrorReason::kCoordinatorNotAvailable));
    CHECK(txn->node_id == -1);
    CHECK(txn->port == -1);
    CHECK(!txn->error_message.value_or("").empty());

    r.key_type = 7;
    auto bad = client.RoundTrip<FindCoordinatorResponse>(r, version);
    REQUIRE_OK(bad.status());
    CHECK(bad->error_code == kErrorInvalidRequest);
    CHECK(bad->node_id == -1);
  }
}

TEST_CASE(
    "two consumers join, sync, heartbeat, commit, fetch and leave over the "
    "wire",
    "[server][group][integration]") {
  GroupVersions v;
  SECTION("at the oldest versions") { v = kOldest; }
  SECTION("at the newest versions") { v = kNewest; }
  CAPTURE(v.join, v.sync, v.heartbeat, v.leave, v.commit, v.fetch);
  ServedBroker served;
  REQUIRE_OK(
      served.broker->CreateTopic({.name = "orders", .num_partitions = 2}));
  WireClient a(served.port());
  WireClient b(served.port());
  const std::string g = "cycle";
  const FormedGroup formed = FormGroup(a, b, g, {"orders"}, v);
  const JoinGroupResponse& l = formed.leader;
  const JoinGroupResponse& f = formed.follower;
  CHECK(StateOf(a, g) == "Stable");
  CHECK(Heartbeat(a, g, l.generation_id, l.member_id, v.heartbeat) ==
        kErrorNone);
  CHECK(Heartbeat(b, g, f.generation_id, f.member_id, v.heartbeat) ==
        kErrorNone);

  // Each commits its partition as a member of the generation.
  auto commit = [&](WireClient& c, const JoinGroupResponse& m, int32_t p,
                    int64_t offset) {
    protocol::OffsetCommitRequest r;
    r.group_id = g;
    r.generation_id = m.generation_id;
    r.member_id = m.member_id;
    r.topics = {{.name = "orders",
                 .partitions = {{.partition_index = p,
                                 .committed_offset = offset,
                                 .committed_leader_epoch = 3,
                                 .commit_timestamp = -1,
                                 .committed_metadata = "by " + m.member_id}}}};
    auto response = c.RoundTrip<protocol::OffsetCommitResponse>(r, v.commit);
    REQUIRE_OK(response.status());
    REQUIRE(response->topics.size() == 1);
    REQUIRE(response->topics[0].partitions.size() == 1);
    CHECK(response->topics[0].partitions[0].partition_index == p);
    CHECK(response->topics[0].partitions[0].error_code == kErrorNone);
  };
  commit(a, l, 0, 10);
  commit(b, f, 1, 20);
  protocol::OffsetFetchRequest fetch;
  fetch.group_id = g;
  fetch.topics = {{.name = "orders", .partition_indexes = {1, 0}}};
  auto fetched = b.RoundTrip<protocol::OffsetFetchResponse>(fetch, v.fetch);
  REQUIRE_OK(fetched.status());
  CHECK(fetched->error_code == kErrorNone);
  REQUIRE(fetched->topics.size() == 1);
  const auto& parts = fetched->topics[0].partitions;
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].partition_index == 1);
  CHECK(parts[0].committed_offset == 20);
  CHECK(parts[0].metadata == "by " + f.member_id);
  CHECK(parts[1].committed_offset == 10);
  // The leader epoch is committed from v6 and fetched from v5.
  CHECK(parts[1].committed_leader_epoch == (v.commit >= 6 ? 3 : -1));

  // The follower leaves; the leader learns of it from its heartbeat and
  // rejoins alone.
  CHECK(Leave(b, g, f.member_id, v.leave) == kErrorNone);
  CHECK(Heartbeat(a, g, l.generation_id, l.member_id, v.heartbeat) ==
        Code(ErrorReason::kRebalanceInProgress));
  const JoinGroupResponse alone =
      Join(a, ConsumerJoin(g, {"orders"}, l.member_id), v.join);
  CHECK(alone.error_code == kErrorNone);
  CHECK(alone.generation_id == l.generation_id + 1);
  CHECK(alone.members.size() == 1);
  CHECK(Sync(a, g, alone, v.sync, {{l.member_id, {"everything"}}})
            .assignment.data == "everything");
  CHECK(Heartbeat(b, g, alone.generation_id, f.member_id, v.heartbeat) ==
        Code(ErrorReason::kUnknownMemberId));
  CHECK(Leave(a, g, l.member_id, v.leave) == kErrorNone);
  CHECK(StateOf(a, g) == "Empty");
  // The offsets outlive the members.
  auto kept = a.RoundTrip<protocol::OffsetFetchResponse>(fetch, v.fetch);
  REQUIRE_OK(kept.status());
  CHECK(kept->topics.at(0).partitions.at(0).committed_offset == 20);
}

TEST_CASE(
    "JoinGroup from v4 makes a new member join again with the id it is "
    "given; older versions join at once",
    "[server][group][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  for (int16_t version = 0; version <= 5; ++version) {
    CAPTURE(version);
    const std::string g = "g" + std::to_string(version);
    auto first =
        client.RoundTrip<JoinGroupResponse>(ConsumerJoin(g, {"t"}), version);
    REQUIRE_OK(first.status());
    if (version < 4) {
      CHECK(first->error_code == kErrorNone);
      CHECK(first->generation_id == 1);
      CHECK(first->leader == first->member_id);
      continue;
    }
    CHECK(first->error_code == Code(ErrorReason::kMemberIdRequired));
    CHECK(first->generation_id == -1);
    REQUIRE(!first->member_id.empty());
    CHECK(first->member_id.rfind("wire-test", 0) == 0);  // client id prefix
    auto second = client.RoundTrip<JoinGroupResponse>(
        ConsumerJoin(g, {"t"}, first->member_id), version);
    REQUIRE_OK(second.status());
    CHECK(second->error_code == kErrorNone);
    CHECK(second->member_id == first->member_id);
    CHECK(second->generation_id == 1);
  }
}

TEST_CASE(
    "a static member (v5) that restarts takes over its instance id without "
    "a rebalance, and its old member id is fenced",
    "[server][group][integration]") {
  ServedBroker served;
  WireClient before(served.port());
  const std::string g = "static";
  const JoinGroupResponse first =
      Join(before, ConsumerJoin(g, {"t"}, "", "instance-1"), 5);
  REQUIRE(first.error_code == kErrorNone);  // no MEMBER_ID_REQUIRED round
  REQUIRE(Sync(before, g, first, 3, {{first.member_id, {"mine"}}})
              .assignment.data == "mine");

  WireClient after(served.port());
  auto rejoined = after.RoundTrip<JoinGroupResponse>(
      ConsumerJoin(g, {"t"}, "", "instance-1"), 5);
  REQUIRE_OK(rejoined.status());
  CHECK(rejoined->error_code == kErrorNone);
  CHECK(rejoined->member_id != first.member_id);
  CHECK(rejoined->generation_id == first.generation_id);
  // The leader is still named by its old id, so the restarted member does
  // not run an assignment the stable group would ignore.
  CHECK(rejoined->leader == first.member_id);
  CHECK(rejoined->members.empty());
  CHECK(StateOf(after, g) == "Stable");
  CHECK(Heartbeat(before, g, first.generation_id, first.member_id, 3,
                  "instance-1") == Code(ErrorReason::kFencedInstanceId));
  CHECK(Heartbeat(after, g, first.generation_id, rejoined->member_id, 3,
                  "instance-1") == kErrorNone);
  // It keeps the assignment it had.
  CHECK(Sync(after, g, *rejoined, 3).assignment.data == "mine");
}

TEST_CASE(
    "group membership errors: unknown member, illegal generation, invalid "
    "session timeout, invalid group id",
    "[server][group][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  const JoinGroupResponse joined = Join(client, ConsumerJoin("g", {"t"}), 0);
  REQUIRE(joined.error_code == kErrorNone);
  REQUIRE(
      Sync(client, "g", joined, 0, {{joined.member_id, {"a"}}}).error_code ==
      kErrorNone);
  for (int16_t version = 0; version <= 3; ++version) {
    CAPTURE(version);
    CHECK(Heartbeat(client, "g", joined.generation_id, "nobody", version) ==
          Code(ErrorReason::kUnknownMemberId));
    CHECK(Heartbeat(client, "no-group", 1, "nobody", version) ==
          Code(ErrorReason::kUnknownMemberId));
    CHECK(Heartbeat(client, "g", joined.generation_id + 1, joined.member_id,
                    version) == Code(ErrorReason::kIllegalGeneration));
    JoinGroupResponse stale = joined;
    stale.generation_id += 1;
    CHECK(Sync(client, "g", stale, version).error_code ==
          Code(ErrorReason::kIllegalGeneration));
  }
  for (int16_t version = 0; version <= 5; ++version) {
    CAPTURE(version);
    for (int32_t timeout : {0, 1'800'001}) {
      protocol::JoinGroupRequest r = ConsumerJoin("g2", {"t"});
      r.session_timeout_ms = timeout;
      auto response = client.RoundTrip<JoinGroupResponse>(r, version);
      REQUIRE_OK(response.status());
      CHECK(response->error_code == Code(ErrorReason::kInvalidSessionTimeout));
    }
    auto unnamed =
        client.RoundTrip<JoinGroupResponse>(ConsumerJoin("", {"t"}), version);
    REQUIRE_OK(unnamed.status());
    CHECK(unnamed->error_code == Code(ErrorReason::kInvalidGroupId));
    // A member id the coordinator never gave, for a group it does not have.
    auto unknown = client.RoundTrip<JoinGroupResponse>(
        ConsumerJoin("g3", {"t"}, "made-up"), version);
    REQUIRE_OK(unknown.status());
    CHECK(unknown->error_code == Code(ErrorReason::kUnknownMemberId));
  }
}

TEST_CASE(
    "LeaveGroup v3 removes several members at once, static ones by instance "
    "id, and answers per member",
    "[server][group][integration]") {
  ServedBroker served;
  WireClient a(served.port());
  WireClient b(served.port());
  const FormedGroup formed = FormGroup(a, b, "g", {"t"}, kNewest);
  LeaveGroupRequest r;
  r.group_id = "g";
  r.members = {{.member_id = formed.follower.member_id,
                .group_instance_id = std::nullopt},
               {.member_id = "stranger", .group_instance_id = std::nullopt},
               {.member_id = formed.leader.member_id,
                .group_instance_id = std::nullopt}};
  auto left = a.RoundTrip<LeaveGroupResponse>(r, 3);
  REQUIRE_OK(left.status());
  CHECK(left->error_code == kErrorNone);
  REQUIRE(left->members.size() == 3);
  CHECK(left->members[0].member_id == formed.follower.member_id);
  CHECK(left->members[0].error_code == kErrorNone);
  CHECK(!left->members[0].group_instance_id.has_value());
  CHECK(left->members[1].member_id == "stranger");
  CHECK(left->members[1].error_code == Code(ErrorReason::kUnknownMemberId));
  CHECK(left->members[2].error_code == kErrorNone);
  CHECK(StateOf(a, "g") == "Empty");

  SECTION("a static member leaves by its instance id alone") {
    const JoinGroupResponse s =
        Join(a, ConsumerJoin("s", {"t"}, "", "instance-9"), 5);
    REQUIRE(s.error_code == kErrorNone);
    LeaveGroupRequest by_instance;
    by_instance.group_id = "s";
    by_instance.members = {
        {.member_id = "", .group_instance_id = "instance-9"}};
    auto gone = a.RoundTrip<LeaveGroupResponse>(by_instance, 3);
    REQUIRE_OK(gone.status());
    REQUIRE(gone->members.size() == 1);
    CHECK(gone->members[0].error_code == kErrorNone);
    CHECK(gone->members[0].group_instance_id == "instance-9");
    CHECK(StateOf(a, "s") == "Empty");
  }
  SECTION("v0-2 answer an unknown member in the one error code") {
    for (int16_t version = 0; version <= 2; ++version) {
      CHECK(Leave(a, "g", "stranger", version) ==
            Code(ErrorReason::kUnknownMemberId));
    }
  }
}

}  // namespace
}  // namespace rill::server::testing
