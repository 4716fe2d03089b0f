// OffsetCommit, OffsetFetch and OffsetDelete over the wire, and the group
// administration APIs (DescribeGroups, ListGroups, DeleteGroups).
#include <catch2/catch.hpp>
#include <limits>
#include <string>

#include "group_wire_util.h"
#include "protocol/messages/delete_groups.h"
#include "protocol/messages/describe_groups.h"
#include "protocol/messages/list_groups.h"
#include "protocol/messages/offset_commit.h"
#include "protocol/messages/offset_delete.h"
#include "protocol/messages/offset_fetch.h"
#include "server_test_util.h"

namespace rill::server::testing {
namespace {

using protocol::OffsetCommitRequest;
using protocol::OffsetCommitResponse;
using protocol::OffsetFetchRequest;
using protocol::OffsetFetchResponse;

OffsetCommitRequest::Partition At(int32_t partition, int64_t offset,
                                  std::string metadata = "") {
  return {.partition_index = partition,
          .committed_offset = offset,
          .committed_leader_epoch = -1,
          .commit_timestamp = -1,
          .committed_metadata = std::move(metadata)};
}

// CommitSimple commits from outside the group protocol (a consumer that
// assigns itself partitions) and returns each partition's error code.
std::vector<int16_t> CommitSimple(
    WireClient& client, const std::string& group, int16_t version,
    const std::string& topic, std::vector<OffsetCommitRequest::Partition> ps,
    int64_t retention_ms = -1) {
  OffsetCommitRequest r;
  r.group_id = group;
  r.retention_time_ms = retention_ms;
  r.topics = {{.name = topic, .partitions = std::move(ps)}};
  auto response = client.RoundTrip<OffsetCommitResponse>(r, version);
  REQUIRE_OK(response.status());
  REQUIRE(response->topics.size() == 1);
  CHECK(response->topics[0].name == topic);
  std::vector<int16_t> errors;
  for (const auto& p : response->topics[0].partitions) {
    errors.push_back(p.error_code);
  }
  return errors;
}

OffsetFetchResponse Fetch(
    WireClient& client, const std::string& group, int16_t version,
    std::optional<std::vector<OffsetFetchRequest::Topic>> topics) {
  OffsetFetchRequest r;
  r.group_id = group;
  r.topics = std::move(topics);
  auto response = client.RoundTrip<OffsetFetchResponse>(r, version);
  REQUIRE_OK(response.status());
  return *response;
}

struct ServedWithTopics {
  ServedWithTopics() {
    REQUIRE_OK(
        served.broker->CreateTopic({.name = "orders", .num_partitions = 3}));
    REQUIRE_OK(
        served.broker->CreateTopic({.name = "audit", .num_partitions = 1}));
  }
  ServedBroker served;
  WireClient client{served.port()};
};

TEST_CASE(
    "offsets committed at each OffsetCommit version read back at each "
    "OffsetFetch version; uncommitted ones as -1 with no error",
    "[server][group][integration]") {
  ServedWithTopics s;
  for (int16_t commit = 0; commit <= 7; ++commit) {
    const std::string g = "simple-" + std::to_string(commit);
    std::vector<OffsetCommitRequest::Partition> ps = {At(0, 100 + commit, "m")};
    ps[0].committed_leader_epoch = 4;
    CHECK(CommitSimple(s.client, g, commit, "orders", ps) ==
          std::vector<int16_t>{kErrorNone});
    for (int16_t fetch = 0; fetch <= 7; ++fetch) {
      CAPTURE(commit, fetch);
      const OffsetFetchResponse r =
          Fetch(s.client, g, fetch,
                std::vector<OffsetFetchRequest::Topic>{
                    {.name = "orders", .partition_indexes = {0, 2}},
                    {.name = "never-made", .partition_indexes = {5}}});
      CHECK(r.error_code == kErrorNone);
      REQUIRE(r.topics.size() == 2);
      REQUIRE(r.topics[0].partitions.size() == 2);
      const auto& committed = r.topics[0].partitions[0];
      CHECK(committed.partition_index == 0);
      CHECK(committed.committed_offset == 100 + commit);
      CHECK(committed.metadata == "m");
      CHECK(committed.committed_leader_epoch ==
            (commit >= 6 && fetch >= 5 ? 4 : -1));
      for (const auto& none :
           {r.topics[0].partitions[1], r.topics[1].partitions.at(0)}) {
        CHECK(none.committed_offset == -1);
        CHECK(none.committed_leader_epoch == -1);
        CHECK(none.metadata == "");
        CHECK(none.error_code == kErrorNone);
      }
      CHECK(r.topics[1].name == "never-made");
    }
  }
}

TEST_CASE("OffsetFetch with a null topic list (v2+) returns every commit",
          "[server][group][integration]") {
  ServedWithTopics s;
  CHECK(CommitSimple(s.client, "g", 2, "orders", {At(2, 7), At(0, 5)}) ==
        std::vector<int16_t>{kErrorNone, kErrorNone});
  CHECK(CommitSimple(s.client, "g", 2, "audit", {At(0, 1)}) ==
        std::vector<int16_t>{kErrorNone});
  for (int16_t version = 2; version <= 7; ++version) {
    CAPTURE(version);
    const OffsetFetchResponse r = Fetch(s.client, "g", version, std::nullopt);
    CHECK(r.error_code == kErrorNone);
    REQUIRE(r.topics.size() == 2);
    CHECK(r.topics[0].name == "audit");
    CHECK(r.topics[1].name == "orders");
    REQUIRE(r.topics[1].partitions.size() == 2);
    CHECK(r.topics[1].partitions[0].partition_index == 0);
    CHECK(r.topics[1].partitions[0].committed_offset == 5);
    CHECK(r.topics[1].partitions[1].committed_offset == 7);
    CHECK(Fetch(s.client, "nobody", version, std::nullopt).topics.empty());
  }
}

TEST_CASE(
    "OffsetCommit errors per partition: unknown partitions, metadata too "
    "large",
    "[server][group][integration]") {
  ServedWithTopics s;
  for (int16_t version : {0, 7}) {
    CAPTURE(version);
    OffsetCommitRequest r;
    r.group_id = "g";
    r.topics = {
        {.name = "orders",
         .partitions = {At(0, 1), At(3, 1), At(1, 1, std::string(4097, 'x')),
                        At(2, 1, std::string(4096, 'x'))}},
        {.name = "missing", .partitions = {At(0, 1)}}};
    auto response = s.client.RoundTrip<OffsetCommitResponse>(r, version);
    REQUIRE_OK(response.status());
    REQUIRE(response->topics.size() == 2);
    const auto& orders = response->topics[0].partitions;
    REQUIRE(orders.size() == 4);
    CHECK(orders[0].error_code == kErrorNone);
    CHECK(orders[1].partition_index == 3);
    CHECK(orders[1].error_code == kErrorUnknownTopicOrPartition);
    CHECK(orders[2].error_code == Code(ErrorReason::kOffsetMetadataTooLarge));
    CHECK(orders[3].error_code == kErrorNone);
    CHECK(response->topics[1].name == "missing");
    CHECK(response->topics[1].partitions.at(0).error_code ==
          kErrorUnknownTopicOrPartition);
  }
  const OffsetFetchResponse fetched =
      Fetch(s.client, "g", 1,
            std::vector<OffsetFetchRequest::Topic>{
                {.name = "orders", .partition_indexes = {1}}});
  CHECK(fetched.topics.at(0).partitions.at(0).committed_offset == -1);
}

TEST_CASE(
    "OffsetCommit from members: stale generations and strangers are "
    "refused, and a v0 commit counts as from outside the group",
    "[server][group][integration]") {
  ServedWithTopics s;
  const protocol::JoinGroupResponse j =
      Join(s.client, ConsumerJoin("g", {"orders"}), 0);
  REQUIRE(Sync(s.client, "g", j, 0, {{j.member_id, {"a"}}}).error_code ==
          kErrorNone);
  auto commit = [&](int16_t version, int32_t generation,
                    const std::string& member) {
    OffsetCommitRequest r;
    r.group_id = "g";
    r.generation_id = generation;
    r.member_id = member;
    r.topics = {{.name = "orders", .partitions = {At(0, 1)}}};
    auto response = s.client.RoundTrip<OffsetCommitResponse>(r, version);
    REQUIRE_OK(response.status());
    return response->topics.at(0).partitions.at(0).error_code;
  };
  for (int16_t version = 1; version <= 7; ++version) {
    CAPTURE(version);
    CHECK(commit(version, j.generation_id, j.member_id) == kErrorNone);
    CHECK(commit(version, j.generation_id + 1, j.member_id) ==
          Code(ErrorReason::kIllegalGeneration));
    CHECK(commit(version, j.generation_id, "stranger") ==
          Code(ErrorReason::kUnknownMemberId));
  }
  CHECK(commit(0, j.generation_id, j.member_id) ==
        Code(ErrorReason::kUnknownMemberId));
}

TEST_CASE(
    "a v1 commit timestamp and a v2-4 retention time decide when offsets "
    "expire",
    "[server][group][integration]") {
  ServedWithTopics s;
  GroupCoordinator& coordinator = s.served.broker->group_coordinator();
  // Retention 0: expired as soon as retention is checked.
  CHECK(CommitSimple(s.client, "kept-short", 2, "orders", {At(0, 1)}, 0) ==
        std::vector<int16_t>{kErrorNone});
  // v5 has no retention time: the broker's 7 days apply.
  CHECK(CommitSimple(s.client, "kept", 5, "orders", {At(0, 1)}, 0) ==
        std::vector<int16_t>{kErrorNone});
  // Committed (says the client) at 1970-01-01T00:00:00.001.
  std::vector<OffsetCommitRequest::Partition> old = {At(0, 1)};
  old[0].commit_timestamp = 1;
  CHECK(CommitSimple(s.client, "ancient", 1, "orders", old) ==
        std::vector<int16_t>{kErrorNone});
  absl::StatusOr<int> expired = coordinator.ExpireOffsets();
  REQUIRE_OK(expired.status());
  CHECK(*expired == 2);
  auto committed = [&](const std::string& g) {
    return Fetch(s.client, g, 1,
                 std::vector<OffsetFetchRequest::Topic>{
                     {.name = "orders", .partition_indexes = {0}}})
        .topics.at(0)
        .partitions.at(0)
        .committed_offset;
  };
  CHECK(committed("kept-short") == -1);
  CHECK(committed("ancient") == -1);
  CHECK(committed("kept") == 1);
}

TEST_CASE(
    "DescribeGroups reports state, protocol and members; unknown groups "
    "are Dead",
    "[server][group][integration]") {
  ServedWithTopics s;
  const protocol::JoinGroupResponse j =
      Join(s.client, ConsumerJoin("g", {"orders"}, "", "inst"), 5);
  REQUIRE(Sync(s.client, "g", j, 3, {{j.member_id, {"assigned"}}}).error_code ==
          kErrorNone);
  for (int16_t version = 0; version <= 4; ++version) {
    CAPTURE(version);
    protocol::DescribeGroupsRequest r;
    r.groups = {"g", "unknown"};
    r.include_authorized_operations = true;
    auto response =
        s.client.RoundTrip<protocol::DescribeGroupsResponse>(r, version);
    REQUIRE_OK(response.status());
    REQUIRE(response->groups.size() == 2);
    const auto& g = response->groups[0];
    CHECK(g.error_code == kErrorNone);
    CHECK(g.group_id == "g");
    CHECK(g.group_state == "Stable");
    CHECK(g.protocol_type == "consumer");
    CHECK(g.protocol_data == "range");
    REQUIRE(g.members.size() == 1);
    const auto& m = g.members[0];
    CHECK(m.member_id == j.member_id);
    CHECK(m.group_instance_id ==
          (version >= 4 ? std::optional<std::string>("inst") : std::nullopt));
    CHECK(m.client_id == "wire-test");
    CHECK(m.client_host == "/127.0.0.1");
    CHECK(m.member_metadata.data == group::EncodeSubscription({"orders"}));
    CHECK(m.member_assignment.data == "assigned");
    // No authorizer: every group operation (READ, DELETE, DESCRIBE).
    CHECK(g.authorized_operations ==
          (version >= 3 ? 328 : std::numeric_limits<int32_t>::min()));
    const auto& unknown = response->groups[1];
    CHECK(unknown.error_code == kErrorNone);
    CHECK(unknown.group_state == "Dead");
    CHECK(unknown.members.empty());
  }
}

TEST_CASE("ListGroups lists every group with its protocol type",
          "[server][group][integration]") {
  ServedWithTopics s;
  const protocol::JoinGroupResponse j =
      Join(s.client, ConsumerJoin("consumers", {"orders"}), 0);
  REQUIRE(j.error_code == kErrorNone);
  CHECK(CommitSimple(s.client, "offsets-only", 2, "orders", {At(0, 1)}) ==
        std::vector<int16_t>{kErrorNone});
  for (int16_t version = 0; version <= 2; ++version) {
    CAPTURE(version);
    auto response = s.client.RoundTrip<protocol::ListGroupsResponse>(
        protocol::ListGroupsRequest{}, version);
    REQUIRE_OK(response.status());
    CHECK(response->error_code == kErrorNone);
    REQUIRE(response->groups.size() == 2);
    CHECK(response->groups[0].group_id == "consumers");
    CHECK(response->groups[0].protocol_type == "consumer");
    CHECK(response->groups[1].group_id == "offsets-only");
    CHECK(response->groups[1].protocol_type == "");
  }
}

TEST_CASE(
    "DeleteGroups deletes empty groups with their offsets, and only those",
    "[server][group][integration]") {
  ServedWithTopics s;
  const protocol::JoinGroupResponse j =
      Join(s.client, ConsumerJoin("busy", {"orders"}), 0);
  REQUIRE(j.error_code == kErrorNone);
  for (int16_t version = 0; version <= 1; ++version) {
    CAPTURE(version);
    const std::string idle = "idle-" + std::to_string(version);
    CHECK(CommitSimple(s.client, idle, 2, "orders", {At(0, 1)}) ==
          std::vector<int16_t>{kErrorNone});
    protocol::DeleteGroupsRequest r;
    r.groups_names = {idle, "busy", "never", idle};
    auto response =
        s.client.RoundTrip<protocol::DeleteGroupsResponse>(r, version);
    REQUIRE_OK(response.status());
    REQUIRE(response->results.size() == 3);
    CHECK(response->results[0].group_id == idle);
    CHECK(response->results[0].error_code == kErrorNone);
    CHECK(response->results[1].error_code == Code(ErrorReason::kNonEmptyGroup));
    CHECK(response->results[2].group_id == "never");
    CHECK(response->results[2].error_code ==
          Code(ErrorReason::kGroupIdNotFound));
    CHECK(Fetch(s.client, idle, 2, std::nullopt).topics.empty());
  }
}

TEST_CASE(
    "OffsetDelete removes offsets, except of topics a live consumer group "
    "subscribes to",
    "[server][group][integration]") {
  ServedWithTopics s;
  const protocol::JoinGroupResponse j =
      Join(s.client, ConsumerJoin("g", {"orders"}), 0);
  REQUIRE(Sync(s.client, "g", j, 0, {{j.member_id, {"a"}}}).error_code ==
          kErrorNone);
  OffsetCommitRequest commit;
  commit.group_id = "g";
  commit.generation_id = j.generation_id;
  commit.member_id = j.member_id;
  commit.topics = {{.name = "orders", .partitions = {At(0, 5)}},
                   {.name = "audit", .partitions = {At(0, 6)}}};
  REQUIRE_OK(s.client.RoundTrip<OffsetCommitResponse>(commit, 2).status());

  protocol::OffsetDeleteRequest r;
  r.group_id = "g";
  r.topics = {{.name = "orders", .partitions = {{0}}},
              {.name = "audit", .partitions = {{0}, {4}}}};
  auto response = s.client.RoundTrip<protocol::OffsetDeleteResponse>(r, 0);
  REQUIRE_OK(response.status());
  CHECK(response->error_code == kErrorNone);
  REQUIRE(response->topics.size() == 2);
  CHECK(response->topics[0].partitions.at(0).error_code ==
        Code(ErrorReason::kGroupSubscribedToTopic));
  REQUIRE(response->topics[1].partitions.size() == 2);
  CHECK(response->topics[1].partitions[0].error_code == kErrorNone);
  CHECK(response->topics[1].partitions[1].partition_index == 4);
  CHECK(response->topics[1].partitions[1].error_code ==
        kErrorUnknownTopicOrPartition);
  const OffsetFetchResponse left = Fetch(s.client, "g", 2, std::nullopt);
  REQUIRE(left.topics.size() == 1);
  CHECK(left.topics[0].name == "orders");

  r.group_id = "never";
  auto unknown = s.client.RoundTrip<protocol::OffsetDeleteResponse>(r, 0);
  REQUIRE_OK(unknown.status());
  CHECK(unknown->error_code == Code(ErrorReason::kGroupIdNotFound));
  CHECK(unknown->topics.empty());
}

}  // namespace
}  // namespace rill::server::testing
