#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "admin_test_util.h"
#include "protocol/messages/describe_configs.h"
#include "server_test_util.h"
#include "status_test_util.h"
#include "wire_client.h"

namespace rill::server::testing {
namespace {

using protocol::DescribeConfigsRequest;
using protocol::DescribeConfigsResponse;
using Config = DescribeConfigsResponse::ResourceResult;

constexpr int8_t kTopic = 2;
constexpr int8_t kBroker = 4;
// Kafka's config sources.
constexpr int8_t kTopicConfig = 1;
constexpr int8_t kStaticBrokerConfig = 4;
constexpr int8_t kDefaultConfig = 5;

DescribeConfigsRequest::Resource Resource(
    int8_t type, std::string name,
    std::optional<std::vector<std::string>> keys = std::nullopt) {
  DescribeConfigsRequest::Resource resource;
  resource.resource_type = type;
  resource.resource_name = std::move(name);
  resource.configuration_keys = std::move(keys);
  return resource;
}

std::vector<DescribeConfigsResponse::Result> Describe(
    WireClient& client, std::vector<DescribeConfigsRequest::Resource> resources,
    int16_t version, bool include_synonyms = false) {
  DescribeConfigsRequest request;
  request.resources = std::move(resources);
  request.include_synonyms = include_synonyms;
  auto response = client.RoundTrip<DescribeConfigsResponse>(request, version);
  REQUIRE_OK(response.status());
  REQUIRE(response->results.size() == request.resources.size());
  return std::move(response->results);
}

std::map<std::string, Config> ByName(const std::vector<Config>& configs) {
  std::map<std::string, Config> out;
  for (const Config& c : configs) out[c.name] = c;
  return out;
}

TEST_CASE("DescribeConfigs v0 lists every topic config with is_default",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  REQUIRE_OK(served.broker->CreateTopic(
      {.name = "t", .configs = {{"retention.ms", "3600000"}}}));
  auto results = Describe(client, {Resource(kTopic, "t")}, 0);
  const auto& result = results[0];
  CHECK(result.error_code == 0);
  CHECK(result.resource_type == kTopic);
  CHECK(result.resource_name == "t");
  auto configs = ByName(result.configs);
  ASSIGN_OR_REQUIRE(auto entries, served.broker->DescribeTopicConfigs("t"));
  CHECK(result.configs.size() == entries.size());
  CHECK(configs["retention.ms"].value == "3600000");
  CHECK_FALSE(configs["retention.ms"].is_default);
  CHECK_FALSE(configs["retention.ms"].read_only);
  CHECK(configs["cleanup.policy"].value == "delete");
  CHECK(configs["cleanup.policy"].is_default);
  for (const Config& c : result.configs) {
    CHECK_FALSE(c.is_sensitive);
    CHECK(c.synonyms.empty());
  }
}

TEST_CASE("DescribeConfigs v1+ reports sources and synonyms when asked",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  REQUIRE_OK(served.broker->CreateTopic(
      {.name = "t", .configs = {{"retention.ms", "3600000"}}}));
  for (int16_t version : {1, 2}) {
    CAPTURE(version);
    auto configs = ByName(
        Describe(client, {Resource(kTopic, "t")}, version, true)[0].configs);
    const Config& retention = configs["retention.ms"];
    CHECK(retention.config_source == kTopicConfig);
    REQUIRE(retention.synonyms.size() == 2);
    CHECK(retention.synonyms[0].name == "retention.ms");
    CHECK(retention.synonyms[0].value == "3600000");
    CHECK(retention.synonyms[0].source == kTopicConfig);
    CHECK(retention.synonyms[1].name == "log.retention.ms");
    CHECK(retention.synonyms[1].value == "604800000");
    CHECK(retention.synonyms[1].source == kDefaultConfig);
    CHECK(configs["cleanup.policy"].config_source == kDefaultConfig);
    CHECK(configs["cleanup.policy"].synonyms.size() == 1);

    // Without include_synonyms: sources, no synonyms.
    auto plain = Describe(client, {Resource(kTopic, "t")}, version)[0];
    for (const Config& c : plain.configs) CHECK(c.synonyms.empty());
  }
}

TEST_CASE("DescribeConfigs answers only the keys asked for",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  REQUIRE_OK(served.broker->CreateTopic({.name = "t"}));
  auto results = Describe(
      client,
      {Resource(kTopic, "t",
                std::vector<std::string>{"retention.ms", "no.such.config"}),
       Resource(kTopic, "t", std::vector<std::string>{})},
      2);
  REQUIRE(results[0].configs.size() == 1);
  CHECK(results[0].configs[0].name == "retention.ms");
  // An empty key list means every key, as in Kafka.
  CHECK(results[1].configs.size() > 10);
}

TEST_CASE("DescribeConfigs reports errors per resource with a message",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  REQUIRE_OK(served.broker->CreateTopic({.name = "t"}));
  auto results = Describe(
      client,
      {Resource(kTopic, "missing"), Resource(kBroker, "7"),
       Resource(kBroker, "zero"), Resource(8, "0"), Resource(kTopic, "t")},
      1);
  CHECK(results[0].error_code == 3);
  CHECK(results[0].error_code == Code(ErrorReason::kUnknownTopicOrPartition));
  for (size_t i : {1, 2, 3}) {
    CAPTURE(i);
    CHECK(results[i].error_code == Code(ErrorReason::kInvalidRequest));
  }
  for (size_t i : {0, 1, 2, 3}) {
    CAPTURE(i);
    CHECK(results[i].error_message.has_value());
    CHECK(results[i].configs.empty());
  }
  CHECK(results[3].resource_type == 8);
  CHECK(results[4].error_code == 0);
  CHECK(results[4].error_message == std::nullopt);
  CHECK_FALSE(results[4].configs.empty());
}

TEST_CASE("DescribeConfigs reports this broker's configs, read-only",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  const std::string id = std::to_string(served.broker->node_id().value());
  for (int16_t version : {0, 2}) {
    CAPTURE(version);
    auto results = Describe(client, {Resource(kBroker, id)}, version, true);
    CHECK(results[0].error_code == 0);
    auto configs = ByName(results[0].configs);
    CHECK(configs["num.partitions"].value == "1");
    CHECK(configs["log.retention.ms"].value == "604800000");
    CHECK(configs["auto.create.topics.enable"].value == "false");
    // ServedBroker sets group.initial.rebalance.delay.ms to 0.
    CHECK(configs["group.initial.rebalance.delay.ms"].value == "0");
    for (const Config& c : results[0].configs) {
      CAPTURE(c.name);
      CHECK(c.read_only);
    }
    if (version == 0) {
      CHECK(configs["num.partitions"].is_default);
      CHECK_FALSE(configs["group.initial.rebalance.delay.ms"].is_default);
    } else {
      CHECK(configs["num.partitions"].config_source == kDefaultConfig);
      const Config& delay = configs["group.initial.rebalance.delay.ms"];
      CHECK(delay.config_source == kStaticBrokerConfig);
      REQUIRE(delay.synonyms.size() == 2);
      CHECK(delay.synonyms[1].value == "3000");
      CHECK(delay.synonyms[1].source == kDefaultConfig);
    }
  }
  // "": the cluster-wide dynamic defaults, of which rill has none.
  auto defaults = Describe(client, {Resource(kBroker, "")}, 1);
  CHECK(defaults[0].error_code == 0);
  CHECK(defaults[0].configs.empty());
}

}  // namespace
}  // namespace rill::server::testing
