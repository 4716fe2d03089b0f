#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "admin_test_util.h"
#include "protocol/messages/create_topics.h"
#include "server_test_util.h"
#include "status_test_util.h"
#include "wire_client.h"

namespace rill::server::testing {
namespace {

using protocol::CreateTopicsRequest;
using protocol::CreateTopicsResponse;
using Topic = CreateTopicsRequest::CreatableTopic;

Topic Counted(std::string name, int32_t partitions, int16_t replication) {
  Topic topic;
  topic.name = std::move(name);
  topic.num_partitions = partitions;
  topic.replication_factor = replication;
  return topic;
}

// Assigned places partition i on brokers[i].
Topic Assigned(std::string name,
               const std::vector<std::vector<int32_t>>& brokers) {
  Topic topic = Counted(std::move(name), -1, -1);
  for (size_t i = 0; i < brokers.size(); ++i) {
    topic.assignments.push_back(
        {.partition_index = static_cast<int32_t>(i), .broker_ids = brokers[i]});
  }
  return topic;
}

CreateTopicsResponse Create(WireClient& client, std::vector<Topic> topics,
                            int16_t version, bool validate_only = false) {
  CreateTopicsRequest request;
  request.topics = std::move(topics);
  request.validate_only = validate_only;
  auto response = client.RoundTrip<CreateTopicsResponse>(request, version);
  REQUIRE_OK(response.status());
  return *std::move(response);
}

size_t PartitionCount(Broker& broker, const std::string& name) {
  absl::StatusOr<TopicDescription> topic = broker.DescribeTopic(name);
  return topic.ok() ? topic->partitions.size() : 0;
}

TEST_CASE("CreateTopics creates topics with the requested partition counts",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  for (int16_t version : {0, 4}) {
    CAPTURE(version);
    const std::string name = "orders-v" + std::to_string(version);
    CreateTopicsResponse response =
        Create(client, {Counted(name, 3, 1)}, version);
    REQUIRE(response.topics.size() == 1);
    CHECK(response.topics[0].name == name);
    CHECK(response.topics[0].error_code == 0);
    CHECK(PartitionCount(*served.broker, name) == 3);
  }
}

TEST_CASE("CreateTopics v4 takes the broker's defaults for counts of -1",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  CreateTopicsResponse response = Create(client, {Counted("d", -1, -1)}, 4);
  REQUIRE(response.topics.size() == 1);
  CHECK(response.topics[0].error_code == 0);
  CHECK(response.topics[0].error_message == std::nullopt);
  CHECK(PartitionCount(*served.broker, "d") ==
        static_cast<size_t>(served.broker->options().num_partitions));
}

TEST_CASE("CreateTopics answers Kafka's error per topic, with a message",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  REQUIRE_OK(served.broker->CreateTopic({.name = "taken"}));
  Topic bad_config = Counted("bad-config", 1, 1);
  bad_config.configs.push_back({.name = "retention.ms", .value = "soon"});
  Topic null_config = Counted("null-config", 1, 1);
  null_config.configs.push_back(
      {.name = "retention.ms", .value = std::nullopt});
  Topic unknown_config = Counted("unknown-config", 1, 1);
  unknown_config.configs.push_back({.name = "no.such.config", .value = "1"});

  CreateTopicsResponse response =
      Create(client,
             {Counted("taken", 1, 1), Counted("no-partitions", 0, 1),
              Counted("too-replicated", 1, 3), bad_config, null_config,
              unknown_config, Counted("bad/name", 1, 1), Counted("ok", 2, 1)},
             1);
  REQUIRE(response.topics.size() == 8);
  const std::vector<int16_t> expected = {
      Code(ErrorReason::kTopicAlreadyExists),
      Code(ErrorReason::kInvalidPartitions),
      Code(ErrorReason::kInvalidReplicationFactor),
      Code(ErrorReason::kInvalidConfig),
      Code(ErrorReason::kInvalidConfig),
      Code(ErrorReason::kInvalidConfig),
      Code(ErrorReason::kInvalidTopic),
      0};
  for (size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(response.topics[i].name);
    CHECK(response.topics[i].error_code == expected[i]);
    CHECK(response.topics[i].error_message.has_value() == (expected[i] != 0));
  }
  // Kafka's numbers, as clients read them.
  CHECK(response.topics[0].error_code == 36);
  CHECK(response.topics[1].error_code == 37);
  CHECK(response.topics[2].error_code == 38);
  CHECK(response.topics[3].error_code == 40);
  CHECK(response.topics[0].error_message->find("taken") != std::string::npos);
  CHECK(PartitionCount(*served.broker, "ok") == 2);
  CHECK(PartitionCount(*served.broker, "no-partitions") == 0);
}

TEST_CASE("CreateTopics v0 reports errors without a message",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  REQUIRE_OK(served.broker->CreateTopic({.name = "taken"}));
  CreateTopicsResponse response = Create(client, {Counted("taken", 1, 1)}, 0);
  REQUIRE(response.topics.size() == 1);
  CHECK(response.topics[0].error_code ==
        Code(ErrorReason::kTopicAlreadyExists));
}

TEST_CASE("CreateTopics refuses a topic named twice in one request",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  CreateTopicsResponse response =
      Create(client, {Counted("twice", 1, 1), Counted("twice", 2, 1)}, 4);
  REQUIRE(response.topics.size() == 2);
  for (const auto& topic : response.topics) {
    CHECK(topic.name == "twice");
    CHECK(topic.error_code == Code(ErrorReason::kInvalidRequest));
  }
  CHECK(PartitionCount(*served.broker, "twice") == 0);
}

TEST_CASE("CreateTopics with validate_only checks but creates nothing",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  for (int16_t version : {1, 4}) {
    CAPTURE(version);
    CreateTopicsResponse response =
        Create(client, {Counted("checked", 2, 1), Counted("wrong", 0, 1)},
               version, /*validate_only=*/true);
    REQUIRE(response.topics.size() == 2);
    CHECK(response.topics[0].error_code == 0);
    CHECK(response.topics[1].error_code ==
          Code(ErrorReason::kInvalidPartitions));
    CHECK(served.broker->ListTopics(false).empty());
  }
}

TEST_CASE("CreateTopics accepts assignments that place partitions here",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  const int32_t node = served.broker->node_id().value();
  for (int16_t version : {0, 4}) {
    CAPTURE(version);
    const std::string name = "placed-v" + std::to_string(version);
    CreateTopicsResponse response =
        Create(client, {Assigned(name, {{node}, {node}, {node}})}, version);
    REQUIRE(response.topics.size() == 1);
    CHECK(response.topics[0].error_code == 0);
    CHECK(PartitionCount(*served.broker, name) == 3);
  }
}

TEST_CASE(
    "CreateTopics refuses assignments naming other brokers or bad "
    "partitions with INVALID_REPLICA_ASSIGNMENT",
    "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  const int32_t node = served.broker->node_id().value();
  Topic gap = Assigned("gap", {{node}, {node}});
  gap.assignments[1].partition_index = 2;
  Topic repeated = Assigned("repeated", {{node}, {node}});
  repeated.assignments[1].partition_index = 0;
  Topic counted = Assigned("counted", {{node}});
  counted.num_partitions = 1;

  CreateTopicsResponse response = Create(
      client,
      {Assigned("elsewhere", {{node + 1}}), Assigned("doubled", {{node, node}}),
       Assigned("empty", {{}}), gap, repeated, counted},
      4);
  REQUIRE(response.topics.size() == 6);
  for (size_t i = 0; i < 5; ++i) {
    CAPTURE(response.topics[i].name);
    CHECK(response.topics[i].error_code == 39);
    CHECK(response.topics[i].error_code ==
          Code(ErrorReason::kInvalidReplicaAssignment));
    CHECK(response.topics[i].error_message.has_value());
  }
  // Both counts and an assignment: INVALID_REQUEST, as Kafka.
  CHECK(response.topics[5].error_code == Code(ErrorReason::kInvalidRequest));
  CHECK(served.broker->ListTopics(false).empty());
}

}  // namespace
}  // namespace rill::server::testing
