#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "admin_test_util.h"
#include "protocol/messages/alter_configs.h"
#include "server_test_util.h"
#include "status_test_util.h"
#include "wire_client.h"

namespace rill::server::testing {
namespace {

using protocol::AlterConfigsRequest;
using protocol::AlterConfigsResponse;

constexpr int8_t kTopic = 2;
constexpr int8_t kBroker = 4;

using Configs = std::vector<std::pair<std::string, std::optional<std::string>>>;

AlterConfigsRequest::Resource Resource(int8_t type, std::string name,
                                       const Configs& configs) {
  AlterConfigsRequest::Resource resource;
  resource.resource_type = type;
  resource.resource_name = std::move(name);
  for (const auto& [key, value] : configs) {
    resource.configs.push_back({.name = key, .value = value});
  }
  return resource;
}

std::vector<AlterConfigsResponse::ResourceResponse> Alter(
    WireClient& client, std::vector<AlterConfigsRequest::Resource> resources,
    int16_t version, bool validate_only = false) {
  AlterConfigsRequest request;
  request.resources = std::move(resources);
  request.validate_only = validate_only;
  auto response = client.RoundTrip<AlterConfigsResponse>(request, version);
  REQUIRE_OK(response.status());
  REQUIRE(response->responses.size() == request.resources.size());
  return std::move(response->responses);
}

// TopicOverrides are the configs set on the topic itself.
std::map<std::string, std::string> TopicOverrides(Broker& broker,
                                                  const std::string& topic) {
  std::map<std::string, std::string> out;
  absl::StatusOr<std::vector<ConfigEntry>> entries =
      broker.DescribeTopicConfigs(topic);
  REQUIRE_OK(entries.status());
  for (const ConfigEntry& e : *entries) {
    if (e.source == ConfigSource::kTopic) out[e.name] = e.value;
  }
  return out;
}

TEST_CASE("AlterConfigs replaces a topic's whole config set",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  REQUIRE_OK(served.broker->CreateTopic(
      {.name = "t", .configs = {{"segment.ms", "60000"}}}));
  for (int16_t version : {0, 1}) {
    CAPTURE(version);
    auto responses = Alter(client,
                           {Resource(kTopic, "t",
                                     {{"retention.ms", "1000"},
                                      {"cleanup.policy", std::nullopt},
                                      {"retention.bytes", "1"},
                                      {"retention.bytes", "2"}})},
                           version);
    CHECK(responses[0].error_code == 0);
    CHECK(responses[0].error_message == std::nullopt);
    CHECK(responses[0].resource_type == kTopic);
    CHECK(responses[0].resource_name == "t");
    // segment.ms, left out, is back to its default; a null value is
    // skipped; of a name given twice the last wins.
    CHECK(TopicOverrides(*served.broker, "t") ==
          std::map<std::string, std::string>{{"retention.bytes", "2"},
                                             {"retention.ms", "1000"}});

    responses = Alter(client, {Resource(kTopic, "t", {})}, version);
    CHECK(responses[0].error_code == 0);
    CHECK(TopicOverrides(*served.broker, "t").empty());
    REQUIRE_OK(served.broker->AlterTopicConfigs(
        "t", {{.name = "segment.ms", .value = "60000"}}));
  }
}

TEST_CASE("AlterConfigs with validate_only changes nothing",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  REQUIRE_OK(served.broker->CreateTopic(
      {.name = "t", .configs = {{"segment.ms", "60000"}}}));
  auto responses = Alter(client,
                         {Resource(kTopic, "t", {{"retention.ms", "1000"}}),
                          Resource(kTopic, "t", {{"retention.ms", "soon"}})},
                         1, /*validate_only=*/true);
  CHECK(responses[0].error_code == 0);
  CHECK(responses[1].error_code == Code(ErrorReason::kInvalidConfig));
  CHECK(TopicOverrides(*served.broker, "t") ==
        std::map<std::string, std::string>{{"segment.ms", "60000"}});
}

TEST_CASE("AlterConfigs answers errors per resource with a message",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  REQUIRE_OK(served.broker->CreateTopic(
      {.name = "t", .configs = {{"segment.ms", "60000"}}}));
  auto responses = Alter(client,
                         {Resource(kTopic, "t", {{"retention.ms", "soon"}}),
                          Resource(kTopic, "t", {{"no.such.config", "1"}}),
                          Resource(kTopic, "missing", {{"retention.ms", "1"}}),
                          Resource(8, "0", {{"kafka", "DEBUG"}})},
                         0);
  CHECK(responses[0].error_code == 40);
  CHECK(responses[0].error_code == Code(ErrorReason::kInvalidConfig));
  CHECK(responses[0].error_message->find("retention.ms") != std::string::npos);
  CHECK(responses[1].error_code == Code(ErrorReason::kInvalidConfig));
  CHECK(responses[2].error_code == Code(ErrorReason::kUnknownTopicOrPartition));
  CHECK(responses[3].error_code == Code(ErrorReason::kInvalidRequest));
  for (const auto& response : responses) {
    CHECK(response.error_message.has_value());
  }
  // All or nothing: the topic kept its configs.
  CHECK(TopicOverrides(*served.broker, "t") ==
        std::map<std::string, std::string>{{"segment.ms", "60000"}});
}

TEST_CASE("AlterConfigs refuses dynamic broker configs",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  const std::string id = std::to_string(served.broker->node_id().value());
  for (int16_t version : {0, 1}) {
    CAPTURE(version);
    auto responses =
        Alter(client,
              {Resource(kBroker, id, {{"log.retention.ms", "1000"}}),
               Resource(kBroker, "", {{"num.partitions", "3"}}),
               Resource(kBroker, "9", {}), Resource(kBroker, id, {})},
              version);
    CHECK(responses[0].error_code == Code(ErrorReason::kInvalidRequest));
    CHECK(responses[0].error_message->find("dynamically") != std::string::npos);
    CHECK(responses[1].error_code == Code(ErrorReason::kInvalidRequest));
    CHECK(responses[2].error_code == Code(ErrorReason::kInvalidRequest));
    // Replacing the (empty) dynamic set with an empty one changes nothing.
    CHECK(responses[3].error_code == 0);
    CHECK(responses[3].resource_type == kBroker);
  }
}

}  // namespace
}  // namespace rill::server::testing
