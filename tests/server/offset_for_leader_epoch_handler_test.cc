// OffsetForLeaderEpoch over the wire: where an epoch ends on the leader,
// and the errors a follower acts on.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "admin_test_util.h"
#include "protocol/messages/api_versions.h"
#include "protocol/messages/offset_for_leader_epoch.h"
#include "server_test_util.h"
#include "status_test_util.h"
#include "wire_client.h"

namespace rill::server::testing {
namespace {

using protocol::OffsetForLeaderEpochRequest;
using protocol::OffsetForLeaderEpochResponse;

struct Ask {
  std::string topic = "t";
  int32_t partition = 0;
  int32_t current_leader_epoch = -1;
  int32_t leader_epoch = 0;
};

// AskOne sends one partition's query as broker `replica_id` (v3) and
// returns the answer for it.
OffsetForLeaderEpochResponse::Partition AskOne(WireClient& client,
                                               const Ask& ask, int16_t version,
                                               int32_t replica_id = -1) {
  OffsetForLeaderEpochRequest request;
  request.replica_id = replica_id;
  request.topics.push_back(
      {.topic = ask.topic,
       .partitions = {{.partition = ask.partition,
                       .current_leader_epoch = ask.current_leader_epoch,
                       .leader_epoch = ask.leader_epoch}}});
  auto response =
      client.RoundTrip<OffsetForLeaderEpochResponse>(request, version);
  REQUIRE_OK(response.status());
  REQUIRE(response->topics.size() == 1);
  CHECK(response->topics[0].topic == ask.topic);
  REQUIRE(response->topics[0].partitions.size() == 1);
  CHECK(response->topics[0].partitions[0].partition == ask.partition);
  return response->topics[0].partitions[0];
}

TEST_CASE("ApiVersions advertises OffsetForLeaderEpoch v0 to v3", "[server]") {
  ServedBroker served;
  WireClient client(served.port());
  REQUIRE(client.connected());
  auto response = client.RoundTrip<protocol::ApiVersionsResponse>(
      protocol::ApiVersionsRequest{}, 0);
  REQUIRE_OK(response.status());
  bool found = false;
  for (const auto& v : response->api_keys) {
    if (v.api_key != 23) continue;
    found = true;
    CHECK(v.min_version == 0);
    CHECK(v.max_version == 3);
  }
  CHECK(found);
}

TEST_CASE(
    "OffsetForLeaderEpoch answers the leader's latest epoch with its log end "
    "at every version",
    "[server]") {
  ServedBroker served;
  REQUIRE_OK(served.broker->CreateTopic({.name = "t", .num_partitions = 1}));
  for (int i = 0; i < 3; ++i) ProduceOne(*served.broker, {"t", PartitionId(0)});
  WireClient client(served.port());
  REQUIRE(client.connected());
  for (int16_t version = 0; version <= 3; ++version) {
    CAPTURE(version);
    const auto answer =
        AskOne(client, {.current_leader_epoch = 0, .leader_epoch = 0}, version,
               /*replica_id=*/1);
    CHECK(answer.error_code == 0);
    CHECK(answer.end_offset == 3);
    // v0 has no epoch field: it decodes as the default.
    CHECK(answer.leader_epoch == (version >= 1 ? 0 : -1));
  }
}

TEST_CASE(
    "OffsetForLeaderEpoch answers epoch -1 and offset -1 for an epoch above "
    "the leader's latest",
    "[server]") {
  ServedBroker served;
  REQUIRE_OK(served.broker->CreateTopic({.name = "t", .num_partitions = 1}));
  ProduceOne(*served.broker, {"t", PartitionId(0)});
  WireClient client(served.port());
  REQUIRE(client.connected());
  const auto above = AskOne(client, {.leader_epoch = 7}, 3);
  CHECK(above.error_code == 0);
  CHECK(above.leader_epoch == -1);
  CHECK(above.end_offset == -1);
}

TEST_CASE(
    "OffsetForLeaderEpoch answers UNKNOWN_TOPIC_OR_PARTITION and "
    "UNKNOWN_LEADER_EPOCH per partition",
    "[server]") {
  ServedBroker served;
  REQUIRE_OK(served.broker->CreateTopic({.name = "t", .num_partitions = 1}));
  ProduceOne(*served.broker, {"t", PartitionId(0)});
  WireClient client(served.port());
  REQUIRE(client.connected());

  const auto absent = AskOne(client, {.topic = "absent"}, 3);
  CHECK(absent.error_code == Code(ErrorReason::kUnknownTopicOrPartition));
  CHECK(absent.end_offset == -1);
  CHECK(absent.leader_epoch == -1);
  const auto no_partition = AskOne(client, {.partition = 5}, 3);
  CHECK(no_partition.error_code == Code(ErrorReason::kUnknownTopicOrPartition));

  // The leader is in epoch 0: a requester that knows epoch 1 is ahead.
  const auto ahead =
      AskOne(client, {.current_leader_epoch = 1, .leader_epoch = 0}, 2);
  CHECK(ahead.error_code == Code(ErrorReason::kUnknownLeaderEpoch));
  CHECK(ahead.error_code == 75);
  CHECK(ahead.end_offset == -1);
  // Before v2 there is no current epoch to check.
  const auto unchecked =
      AskOne(client, {.current_leader_epoch = 1, .leader_epoch = 0}, 1);
  CHECK(unchecked.error_code == 0);
  CHECK(unchecked.end_offset == 1);
}

TEST_CASE(
    "OffsetForLeaderEpoch answers several topics and partitions in request "
    "order",
    "[server]") {
  ServedBroker served;
  REQUIRE_OK(served.broker->CreateTopic({.name = "a", .num_partitions = 2}));
  REQUIRE_OK(served.broker->CreateTopic({.name = "b", .num_partitions = 1}));
  ProduceOne(*served.broker, {"a", PartitionId(0)});
  ProduceOne(*served.broker, {"a", PartitionId(1)});
  ProduceOne(*served.broker, {"a", PartitionId(1)});
  ProduceOne(*served.broker, {"b", PartitionId(0)});
  ProduceOne(*served.broker, {"b", PartitionId(0)});
  ProduceOne(*served.broker, {"b", PartitionId(0)});
  WireClient client(served.port());
  REQUIRE(client.connected());
  OffsetForLeaderEpochRequest request;
  request.replica_id = -1;
  request.topics.push_back({.topic = "b", .partitions = {{.partition = 0}}});
  request.topics.push_back(
      {.topic = "a", .partitions = {{.partition = 1}, {.partition = 0}}});
  auto response = client.RoundTrip<OffsetForLeaderEpochResponse>(request, 3);
  REQUIRE_OK(response.status());
  REQUIRE(response->topics.size() == 2);
  CHECK(response->topics[0].topic == "b");
  REQUIRE(response->topics[0].partitions.size() == 1);
  CHECK(response->topics[0].partitions[0].end_offset == 3);
  CHECK(response->topics[1].topic == "a");
  REQUIRE(response->topics[1].partitions.size() == 2);
  CHECK(response->topics[1].partitions[0].partition == 1);
  CHECK(response->topics[1].partitions[0].end_offset == 2);
  CHECK(response->topics[1].partitions[1].partition == 0);
  CHECK(response->topics[1].partitions[1].end_offset == 1);
}

}  // namespace
}  // namespace rill::server::testing
