// Helpers for the group API tests: requests built the way Kafka consumers
// build them, and the JoinGroup round trip (with the MEMBER_ID_REQUIRED
// dance from v4) over a WireClient.
#ifndef RILL_TESTS_SERVER_GROUP_WIRE_UTIL_H_
#define RILL_TESTS_SERVER_GROUP_WIRE_UTIL_H_

#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "group/consumer_protocol.h"
#include "protocol/messages/heartbeat.h"
#include "protocol/messages/join_group.h"
#include "protocol/messages/sync_group.h"
#include "rill/error.h"
#include "server/error_codes.h"
#include "status_test_util.h"
#include "wire_client.h"

namespace rill::server::testing {

inline constexpr int32_t kSessionTimeoutMs = 30'000;
// Longer than no test waits: rebalances here complete because every member
// rejoins, never by timing out.
inline constexpr int32_t kRebalanceTimeoutMs = 60'000;

// Code is Kafka's number for `reason`.
inline int16_t Code(ErrorReason reason) { return KafkaErrorCodeFor(reason); }

// GroupVersions are the versions one consumer speaks.
struct GroupVersions {
  int16_t join = 0;
  int16_t sync = 0;
  int16_t heartbeat = 0;
  int16_t leave = 0;
  int16_t commit = 0;
  int16_t fetch = 0;
};

// A consumer of `topics` with the range assignor.
inline protocol::JoinGroupRequest ConsumerJoin(
    const std::string& group, const std::vector<std::string>& topics,
    std::string member_id = "",
    std::optional<std::string> instance = std::nullopt) {
  protocol::JoinGroupRequest r;
  r.group_id = group;
  r.session_timeout_ms = kSessionTimeoutMs;
  r.rebalance_timeout_ms = kRebalanceTimeoutMs;
  r.member_id = std::move(member_id);
  r.group_instance_id = std::move(instance);
  r.protocol_type = "consumer";
  r.protocols.push_back(
      {.name = "range",
       .metadata = protocol::Bytes{group::EncodeSubscription(topics)}});
  return r;
}

// Join sends `request` and, when the coordinator asks for a member id
// first (v4+), joins again with the one it gave.
inline protocol::JoinGroupResponse Join(WireClient& client,
                                        protocol::JoinGroupRequest request,
                                        int16_t version) {
  auto response =
      client.RoundTrip<protocol::JoinGroupResponse>(request, version);
  REQUIRE_OK(response.status());
  if (response->error_code == Code(ErrorReason::kMemberIdRequired)) {
    REQUIRE(version >= 4);
    request.member_id = response->member_id;
    response = client.RoundTrip<protocol::JoinGroupResponse>(request, version);
    REQUIRE_OK(response.status());
  }
  return *response;
}

inline protocol::SyncGroupResponse Sync(
    WireClient& client, const std::string& group,
    const protocol::JoinGroupResponse& joined, int16_t version,
    std::vector<protocol::SyncGroupRequest::Assignment> assignments = {}) {
  protocol::SyncGroupRequest r;
  r.group_id = group;
  r.generation_id = joined.generation_id;
  r.member_id = joined.member_id;
  r.assignments = std::move(assignments);
  auto response = client.RoundTrip<protocol::SyncGroupResponse>(r, version);
  REQUIRE_OK(response.status());
  return *response;
}

inline int16_t Heartbeat(WireClient& client, const std::string& group,
                         int32_t generation, const std::string& member_id,
                         int16_t version,
                         std::optional<std::string> instance = std::nullopt) {
  protocol::HeartbeatRequest r;
  r.group_id = group;
  r.generation_id = generation;
  r.member_id = member_id;
  r.group_instance_id = std::move(instance);
  auto response = client.RoundTrip<protocol::HeartbeatResponse>(r, version);
  REQUIRE_OK(response.status());
  return response->error_code;
}

// HeartbeatUntilRebalance heartbeats until the coordinator answers
// REBALANCE_IN_PROGRESS (another member's JoinGroup, sent on another
// connection, has reached it) — bounded by the WireClient's read timeout.
inline void HeartbeatUntilRebalance(WireClient& client,
                                    const std::string& group,
                                    int32_t generation,
                                    const std::string& member_id,
                                    int16_t version) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(WireClient::kReadTimeoutMs);
  for (;;) {
    const int16_t error =
        Heartbeat(client, group, generation, member_id, version);
    if (error == Code(ErrorReason::kRebalanceInProgress)) return;
    REQUIRE(error == kErrorNone);
    REQUIRE(std::chrono::steady_clock::now() < deadline);
  }
}

// FormedGroup: two members of one generation, with their assignments.
struct FormedGroup {
  protocol::JoinGroupResponse leader;
  protocol::JoinGroupResponse follower;
};

// FormGroup brings consumers `a` (the leader) and `b` into `group` as a
// Kafka consumer does, checking on the way that b's JoinGroup is answered
// only once a has rejoined, and that each member gets its own assignment
// ("to-leader", "to-follower").
inline FormedGroup FormGroup(WireClient& a, WireClient& b,
                             const std::string& group,
                             const std::vector<std::string>& topics,
                             const GroupVersions& v) {
  const protocol::JoinGroupResponse a1 =
      Join(a, ConsumerJoin(group, topics), v.join);
  REQUIRE(a1.error_code == kErrorNone);
  REQUIRE(a1.leader == a1.member_id);
  REQUIRE(
      Sync(a, group, a1, v.sync, {{a1.member_id, {"alone"}}}).assignment.data ==
      "alone");

  // b's JoinGroup starts a rebalance and waits for a to rejoin.
  protocol::JoinGroupRequest b_join = ConsumerJoin(group, topics);
  if (v.join >= 4) {
    auto first = b.RoundTrip<protocol::JoinGroupResponse>(b_join, v.join);
    REQUIRE_OK(first.status());
    REQUIRE(first->error_code == Code(ErrorReason::kMemberIdRequired));
    b_join.member_id = first->member_id;
  }
  constexpr int32_t kJoinId = 9001;
  REQUIRE_OK(b.SendRequest(b_join, v.join, kJoinId));
  // The rebalance has begun, so b's join cannot have been answered yet: it
  // completes only when a joins again.
  HeartbeatUntilRebalance(a, group, a1.generation_id, a1.member_id,
                          v.heartbeat);
  FormedGroup formed;
  formed.leader = Join(a, ConsumerJoin(group, topics, a1.member_id), v.join);
  auto b2 = b.ReadResponse<protocol::JoinGroupResponse>(v.join, kJoinId);
  REQUIRE_OK(b2.status());
  formed.follower = *b2;
  const protocol::JoinGroupResponse& l = formed.leader;
  const protocol::JoinGroupResponse& f = formed.follower;
  REQUIRE(l.error_code == kErrorNone);
  REQUIRE(f.error_code == kErrorNone);
  CHECK(l.generation_id == a1.generation_id + 1);
  CHECK(f.generation_id == l.generation_id);
  CHECK(l.protocol_name == "range");
  CHECK(f.protocol_name == "range");
  CHECK(l.leader == a1.member_id);
  CHECK(f.leader == a1.member_id);
  CHECK(f.member_id != l.member_id);
  // Only the leader learns the members and their subscriptions.
  REQUIRE(l.members.size() == 2);
  CHECK(l.members[0].metadata.data == group::EncodeSubscription(topics));
  CHECK(f.members.empty());

  // The follower's SyncGroup is answered with what the leader assigns.
  protocol::SyncGroupRequest b_sync;
  b_sync.group_id = group;
  b_sync.generation_id = f.generation_id;
  b_sync.member_id = f.member_id;
  constexpr int32_t kSyncId = 9002;
  REQUIRE_OK(b.SendRequest(b_sync, v.sync, kSyncId));
  const protocol::SyncGroupResponse a_assigned =
      Sync(a, group, l, v.sync,
           {{l.member_id, {"to-leader"}}, {f.member_id, {"to-follower"}}});
  CHECK(a_assigned.error_code == kErrorNone);
  CHECK(a_assigned.assignment.data == "to-leader");
  auto b_assigned =
      b.ReadResponse<protocol::SyncGroupResponse>(v.sync, kSyncId);
  REQUIRE_OK(b_assigned.status());
  CHECK(b_assigned->error_code == kErrorNone);
  CHECK(b_assigned->assignment.data == "to-follower");
  return formed;
}

}  // namespace rill::server::testing

#endif  // RILL_TESTS_SERVER_GROUP_WIRE_UTIL_H_
