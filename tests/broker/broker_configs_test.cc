// The broker's own configs and the synonyms behind each topic config, as
// DescribeConfigs reports them.
#include "broker/broker_configs.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "broker_test_util.h"
#include "rill/broker/broker.h"
#include "rill/error.h"
#include "status_test_util.h"

namespace rill {
namespace {

std::unique_ptr<Broker> OpenInMemory(BrokerOptions options = {}) {
  auto broker = Broker::Open(std::move(options));
  REQUIRE_OK(broker);
  return *std::move(broker);
}

std::map<std::string, ConfigEntry> ByName(std::vector<ConfigEntry> entries) {
  std::map<std::string, ConfigEntry> out;
  for (ConfigEntry& e : entries) out[e.name] = std::move(e);
  return out;
}

// Synonyms renders synonyms as "name=value@source" for comparison.
std::vector<std::string> Synonyms(const ConfigEntry& entry) {
  std::vector<std::string> out;
  for (const ConfigSynonym& s : entry.synonyms) {
    const char* source = s.source == ConfigSource::kTopic           ? "topic"
                         : s.source == ConfigSource::kBrokerDefault ? "broker"
                                                                    : "default";
    out.push_back(s.name + "=" + s.value + "@" + source);
  }
  return out;
}

TEST_CASE("A broker describes its configs under Kafka's broker names",
          "[broker]") {
  BrokerOptions options;
  options.num_partitions = 3;
  options.log_defaults.retention_ms = 3'600'000;
  options.group.group_initial_rebalance_delay_ms = 0;
  auto broker = OpenInMemory(options);
  const std::vector<ConfigEntry> entries = broker->DescribeBrokerConfigs();
  auto configs = ByName(entries);

  CHECK(configs["num.partitions"].value == "3");
  CHECK(configs["num.partitions"].source == ConfigSource::kBrokerDefault);
  CHECK(Synonyms(configs["num.partitions"]) ==
        std::vector<std::string>{"num.partitions=3@broker",
                                 "num.partitions=1@default"});
  CHECK(configs["log.retention.ms"].value == "3600000");
  CHECK(configs["log.retention.ms"].source == ConfigSource::kBrokerDefault);
  CHECK(configs["group.initial.rebalance.delay.ms"].value == "0");
  CHECK(configs["auto.create.topics.enable"].value == "false");
  CHECK(configs["auto.create.topics.enable"].source == ConfigSource::kDefault);
  CHECK(Synonyms(configs["auto.create.topics.enable"]) ==
        std::vector<std::string>{"auto.create.topics.enable=false@default"});
  CHECK(configs["log.segment.bytes"].value == "1073741824");
  CHECK(configs["message.max.bytes"].value == "1048588");
  CHECK(configs["min.insync.replicas"].value == "1");
  CHECK(configs["broker.id"].value == "0");
  CHECK(configs.count("retention.ms") == 0);  // a topic name, not a broker's
  CHECK(configs.count("log.dirs") == 0);      // in memory
  for (const ConfigEntry& e : entries) {
    CAPTURE(e.name);
    CHECK(e.read_only);
    CHECK_FALSE(e.sensitive);
    REQUIRE_FALSE(e.synonyms.empty());
    CHECK(e.synonyms.front().value == e.value);
    CHECK(e.synonyms.front().source == e.source);
  }
  CHECK(std::is_sorted(entries.begin(), entries.end(),
                       [](const ConfigEntry& a, const ConfigEntry& b) {
                         return a.name < b.name;
                       }));
}

TEST_CASE("Broker configs include log.dirs when stored on disk", "[broker]") {
  BrokerOptions options;
  options.data_dir = "/var/lib/rill-test";
  auto configs = broker::DescribeBrokerConfigs(options);
  auto by_name = ByName(configs);
  CHECK(by_name["log.dirs"].value == "/var/lib/rill-test");
  CHECK(by_name["log.dirs"].source == ConfigSource::kBrokerDefault);
}

TEST_CASE("Topic configs list their synonyms by precedence", "[broker]") {
  BrokerOptions options;
  options.log_defaults.retention_bytes = 1 << 30;
  auto broker = OpenInMemory(options);
  REQUIRE_OK(broker->CreateTopic(
      {.name = "t",
       .configs = {{"retention.bytes", "5000"}, {"segment.ms", "60000"}}}));
  ASSIGN_OR_REQUIRE(auto entries, broker->DescribeTopicConfigs("t"));
  auto configs = ByName(entries);

  // Set on the topic, on the broker and by default.
  CHECK(Synonyms(configs["retention.bytes"]) ==
        std::vector<std::string>{"retention.bytes=5000@topic",
                                 "log.retention.bytes=1073741824@broker",
                                 "log.retention.bytes=-1@default"});
  CHECK(Synonyms(configs["segment.ms"]) ==
        std::vector<std::string>{"segment.ms=60000@topic",
                                 "log.roll.ms=604800000@default"});
  CHECK(Synonyms(configs["max.message.bytes"]) ==
        std::vector<std::string>{"message.max.bytes=1048588@default"});
  CHECK(Synonyms(configs["min.insync.replicas"]) ==
        std::vector<std::string>{"min.insync.replicas=1@default"});
  for (const ConfigEntry& e : entries) {
    CAPTURE(e.name);
    REQUIRE_FALSE(e.synonyms.empty());
    CHECK(e.synonyms.front().value == e.value);
    CHECK(e.synonyms.front().source == e.source);
    CHECK_FALSE(e.synonyms.back().name.empty());
    CHECK(e.synonyms.back().source == ConfigSource::kDefault);
  }
}

TEST_CASE("DeleteRecords refuses the internal offsets topic", "[broker]") {
  auto broker = OpenInMemory();
  CHECK(HasErrorReason(
      broker->DeleteRecords({"__consumer_offsets", PartitionId(0)}, Offset(-1))
          .status(),
      ErrorReason::kInvalidTopic));
}

}  // namespace
}  // namespace rill
