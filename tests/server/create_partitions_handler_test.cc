#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "admin_test_util.h"
#include "protocol/messages/create_partitions.h"
#include "server_test_util.h"
#include "status_test_util.h"
#include "wire_client.h"

namespace rill::server::testing {
namespace {

using protocol::CreatePartitionsRequest;
using protocol::CreatePartitionsResponse;
using Topic = CreatePartitionsRequest::Topic;

Topic Grow(
    std::string name, int32_t count,
    std::optional<std::vector<std::vector<int32_t>>> brokers = std::nullopt) {
  Topic topic;
  topic.name = std::move(name);
  topic.count = count;
  if (brokers.has_value()) {
    topic.assignments.emplace();
    for (const auto& list : *brokers) {
      topic.assignments->push_back({.broker_ids = list});
    }
  } else {
    topic.assignments = std::nullopt;
  }
  return topic;
}

CreatePartitionsResponse Send(WireClient& client, std::vector<Topic> topics,
                              int16_t version, bool validate_only = false) {
  CreatePartitionsRequest request;
  request.topics = std::move(topics);
  request.timeout_ms = 1000;
  request.validate_only = validate_only;
  auto response = client.RoundTrip<CreatePartitionsResponse>(request, version);
  REQUIRE_OK(response.status());
  return *std::move(response);
}

size_t PartitionCount(Broker& broker, const std::string& name) {
  absl::StatusOr<TopicDescription> topic = broker.DescribeTopic(name);
  return topic.ok() ? topic->partitions.size() : 0;
}

TEST_CASE("CreatePartitions grows topics", "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  const int32_t node = served.broker->node_id().value();
  REQUIRE_OK(served.broker->CreateTopic({.name = "t", .num_partitions = 1}));
  REQUIRE_OK(served.broker->CreateTopic({.name = "u", .num_partitions = 1}));
  CreatePartitionsResponse response =
      Send(client, {Grow("t", 3), Grow("u", 3, {{{node}, {node}}})}, 0);
  REQUIRE(response.results.size() == 2);
  for (const auto& result : response.results) {
    CAPTURE(result.name);
    CHECK(result.error_code == 0);
    CHECK(result.error_message == std::nullopt);
  }
  CHECK(PartitionCount(*served.broker, "t") == 3);
  CHECK(PartitionCount(*served.broker, "u") == 3);

  response = Send(client, {Grow("t", 4)}, 1);
  REQUIRE(response.results.size() == 1);
  CHECK(response.results[0].error_code == 0);
  CHECK(PartitionCount(*served.broker, "t") == 4);
}

TEST_CASE("CreatePartitions refuses a topic named twice in one request",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  REQUIRE_OK(served.broker->CreateTopic({.name = "t", .num_partitions = 1}));
  CreatePartitionsResponse response =
      Send(client, {Grow("t", 2), Grow("t", 3)}, 1);
  REQUIRE(response.results.size() == 2);
  for (const auto& result : response.results) {
    CHECK(result.error_code == Code(ErrorReason::kInvalidRequest));
  }
  CHECK(PartitionCount(*served.broker, "t") == 1);
}

TEST_CASE("CreatePartitions refuses counts that do not grow the topic",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  REQUIRE_OK(served.broker->CreateTopic({.name = "same", .num_partitions = 2}));
  REQUIRE_OK(served.broker->CreateTopic({.name = "less", .num_partitions = 2}));
  CreatePartitionsResponse response =
      Send(client, {Grow("same", 2), Grow("less", 1), Grow("missing", 4)}, 0);
  REQUIRE(response.results.size() == 3);
  CHECK(response.results[0].error_code == 37);
  CHECK(response.results[0].error_code ==
        Code(ErrorReason::kInvalidPartitions));
  CHECK(response.results[0].error_message.has_value());
  CHECK(response.results[1].error_code ==
        Code(ErrorReason::kInvalidPartitions));
  CHECK(response.results[2].error_code ==
        Code(ErrorReason::kUnknownTopicOrPartition));
}

TEST_CASE(
    "CreatePartitions refuses assignments that are not one [this broker] "
    "list per new partition",
    "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  const int32_t node = served.broker->node_id().value();
  for (const std::string name : {"few", "elsewhere", "doubled", "empty"}) {
    REQUIRE_OK(served.broker->CreateTopic({.name = name, .num_partitions = 1}));
  }
  CreatePartitionsResponse response =
      Send(client,
           {Grow("few", 3, {{{node}}}), Grow("elsewhere", 2, {{{node + 1}}}),
            Grow("doubled", 2, {{{node, node}}}),
            Grow("empty", 2, std::vector<std::vector<int32_t>>(1))},
           1);
  REQUIRE(response.results.size() == 4);
  for (const auto& result : response.results) {
    CAPTURE(result.name);
    CHECK(result.error_code == Code(ErrorReason::kInvalidReplicaAssignment));
    CHECK(result.error_message.has_value());
    CHECK(PartitionCount(*served.broker, result.name) == 1);
  }
}

TEST_CASE("CreatePartitions with validate_only checks but adds nothing",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  REQUIRE_OK(served.broker->CreateTopic({.name = "t", .num_partitions = 1}));
  for (int16_t version : {0, 1}) {
    CAPTURE(version);
    CreatePartitionsResponse response =
        Send(client, {Grow("t", 5)}, version, /*validate_only=*/true);
    REQUIRE(response.results.size() == 1);
    CHECK(response.results[0].error_code == 0);
    CHECK(PartitionCount(*served.broker, "t") == 1);
  }
}

}  // namespace
}  // namespace rill::server::testing
