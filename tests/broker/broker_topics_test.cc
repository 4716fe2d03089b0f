// Topic administration through the Broker: create, describe, list, delete,
// grow, configs, and the errors Kafka gives for each.
#include <catch2/catch.hpp>

#include "broker_test_util.h"
#include "rill/broker/broker.h"
#include "rill/error.h"
#include "rill/io/file_system.h"
#include "status_test_util.h"

namespace rill {
namespace {

using test::MakeBatch;
using test::ProduceSync;

std::unique_ptr<Broker> OpenInMemory(BrokerOptions options = {}) {
  auto broker = Broker::Open(std::move(options));
  REQUIRE_OK(broker);
  return *std::move(broker);
}

TEST_CASE("A broker creates, describes, lists and deletes topics", "[broker]") {
  auto broker = OpenInMemory();
  REQUIRE_OK(broker->CreateTopic({.name = "orders", .num_partitions = 3}));
  REQUIRE_OK(broker->CreateTopic({.name = "audit"}));

  ASSIGN_OR_REQUIRE(TopicDescription orders, broker->DescribeTopic("orders"));
  CHECK(orders.name == "orders");
  CHECK_FALSE(orders.internal);
  REQUIRE(orders.partitions.size() == 3);
  for (int p = 0; p < 3; ++p) {
    CHECK(orders.partitions[p].partition == PartitionId(p));
    CHECK(orders.partitions[p].leader == broker->node_id());
    CHECK(orders.partitions[p].isr == std::vector<NodeId>{broker->node_id()});
  }
  ASSIGN_OR_REQUIRE(TopicDescription audit, broker->DescribeTopic("audit"));
  CHECK(audit.partitions.size() == 1);  // num.partitions
  CHECK(broker->ListTopics(false) ==
        std::vector<std::string>{"audit", "orders"});

  REQUIRE_OK(broker->DeleteTopic("orders"));
  CHECK(broker->ListTopics(false) == std::vector<std::string>{"audit"});
  CHECK(HasErrorReason(broker->DescribeTopic("orders").status(),
                       ErrorReason::kUnknownTopicOrPartition));
  CHECK(HasErrorReason(broker->DeleteTopic("orders"),
                       ErrorReason::kUnknownTopicOrPartition));
}

TEST_CASE(
    "Topic names outside Kafka's rules are refused with "
    "INVALID_TOPIC_EXCEPTION",
    "[broker]") {
  auto broker = OpenInMemory();
  for (const std::string& name : std::vector<std::string>{
           "", ".", "..", "has space", "slash/y", std::string(250, 'a')}) {
    CAPTURE(name);
    CHECK(HasErrorReason(broker->CreateTopic({.name = name}),
                         ErrorReason::kInvalidTopic));
  }
  REQUIRE_OK(broker->CreateTopic({.name = std::string(249, 'a')}));
  REQUIRE_OK(broker->CreateTopic({.name = "Ok.name_with-dashes.9"}));
  CHECK(broker->ListTopics(false).size() == 2);
}

TEST_CASE(
    "Creating a topic twice fails with TOPIC_ALREADY_EXISTS and keeps "
    "the first",
    "[broker]") {
  auto broker = OpenInMemory();
  REQUIRE_OK(broker->CreateTopic({.name = "t", .num_partitions = 2}));
  CHECK(HasErrorReason(broker->CreateTopic({.name = "t", .num_partitions = 5}),
                       ErrorReason::kTopicAlreadyExists));
  ASSIGN_OR_REQUIRE(TopicDescription t, broker->DescribeTopic("t"));
  CHECK(t.partitions.size() == 2);
}

TEST_CASE("Bad partition counts and replication factors are refused",
          "[broker]") {
  auto broker = OpenInMemory();
  CHECK(HasErrorReason(broker->CreateTopic({.name = "t", .num_partitions = 0}),
                       ErrorReason::kInvalidPartitions));
  CHECK(HasErrorReason(broker->CreateTopic({.name = "t", .num_partitions = -5}),
                       ErrorReason::kInvalidPartitions));
  CHECK(HasErrorReason(
      broker->CreateTopic({.name = "t", .replication_factor = 3}),
      ErrorReason::kInvalidReplicationFactor));
  CHECK(HasErrorReason(
      broker->CreateTopic({.name = "t", .replication_factor = 0}),
      ErrorReason::kInvalidReplicationFactor));
  CHECK(broker->ListTopics(true).empty());
}

TEST_CASE(
    "Unknown or invalid topic configs are refused with INVALID_CONFIG "
    "and create nothing",
    "[broker]") {
  auto broker = OpenInMemory();
  const std::vector<std::map<std::string, std::string>> bad = {
      {{"no.such.config", "1"}},      {{"retention.ms", "soon"}},
      {{"cleanup.policy", "shred"}},  {{"segment.bytes", "1"}},
      {{"min.insync.replicas", "0"}}, {{"compression.type", "gzip"}},
  };
  for (const auto& configs : bad) {
    CAPTURE(configs.begin()->first);
    const absl::Status status =
        broker->CreateTopic({.name = "t", .configs = configs});
    CHECK(HasErrorReason(status, ErrorReason::kInvalidConfig));
    CHECK(std::string(status.message()).find(configs.begin()->first) !=
          std::string::npos);
  }
  CHECK(broker->ListTopics(true).empty());
}

TEST_CASE("validate_only checks a request and changes nothing", "[broker]") {
  auto broker = OpenInMemory();
  REQUIRE_OK(broker->CreateTopic({.name = "t", .num_partitions = 2}, true));
  CHECK(broker->ListTopics(false).empty());
  REQUIRE_OK(broker->CreateTopic({.name = "t", .num_partitions = 2}));
  REQUIRE_OK(broker->CreatePartitions("t", 4, /*validate_only=*/true));
  REQUIRE_OK(broker->AlterTopicConfigs(
      "t", {{.name = "retention.ms", .value = "1000"}}, true));
  ASSIGN_OR_REQUIRE(TopicDescription t, broker->DescribeTopic("t"));
  CHECK(t.partitions.size() == 2);
  ASSIGN_OR_REQUIRE(auto configs, broker->DescribeTopicConfigs("t"));
  for (const ConfigEntry& e : configs) {
    if (e.name == "retention.ms") CHECK(e.value == "604800000");
  }
}

TEST_CASE("CreatePartitions grows a topic and refuses to shrink it",
          "[broker]") {
  auto broker = OpenInMemory();
  REQUIRE_OK(broker->CreateTopic({.name = "t", .num_partitions = 2}));
  REQUIRE_OK(broker->CreatePartitions("t", 5));
  ASSIGN_OR_REQUIRE(TopicDescription t, broker->DescribeTopic("t"));
  CHECK(t.partitions.size() == 5);
  REQUIRE_OK(
      ProduceSync(*broker, {"t", PartitionId(4)}, MakeBatch({{"k", "v"}})));
  CHECK(HasErrorReason(broker->CreatePartitions("t", 5),
                       ErrorReason::kInvalidPartitions));
  CHECK(HasErrorReason(broker->CreatePartitions("t", 3),
                       ErrorReason::kInvalidPartitions));
  CHECK(HasErrorReason(broker->CreatePartitions("nope", 3),
                       ErrorReason::kUnknownTopicOrPartition));
}

std::map<std::string, ConfigEntry> ConfigsByName(Broker& broker,
                                                 const std::string& topic) {
  std::map<std::string, ConfigEntry> out;
  absl::StatusOr<std::vector<ConfigEntry>> entries =
      broker.DescribeTopicConfigs(topic);
  REQUIRE_OK(entries);
  for (ConfigEntry& e : *entries) out[e.name] = e;
  return out;
}

TEST_CASE("Topic configs alter incrementally and report their sources",
          "[broker]") {
  BrokerOptions options;
  options.log_defaults.retention_bytes = 1 << 30;  // a log.* broker default
  auto broker = OpenInMemory(options);
  REQUIRE_OK(
      broker->CreateTopic({.name = "t", .configs = {{"segment.ms", "60000"}}}));

  auto configs = ConfigsByName(*broker, "t");
  CHECK(configs["segment.ms"].value == "60000");
  CHECK(configs["segment.ms"].source == ConfigSource::kTopic);
  CHECK(configs["retention.bytes"].value == "1073741824");
  CHECK(configs["retention.bytes"].source == ConfigSource::kBrokerDefault);
  CHECK(configs["cleanup.policy"].value == "delete");
  CHECK(configs["cleanup.policy"].source == ConfigSource::kDefault);
  CHECK(configs["min.insync.replicas"].value == "1");

  REQUIRE_OK(broker->AlterTopicConfigs(
      "t", {{.name = "segment.ms", .op = ConfigOp::kDelete},
            {.name = "retention.ms", .value = "1000"},
            {.name = "cleanup.policy",
             .op = ConfigOp::kAppend,
             .value = "compact"}}));
  configs = ConfigsByName(*broker, "t");
  CHECK(configs["segment.ms"].source == ConfigSource::kDefault);
  CHECK(configs["retention.ms"].value == "1000");
  CHECK(configs["cleanup.policy"].value == "delete,compact");

  REQUIRE_OK(broker->AlterTopicConfigs("t", {{.name = "cleanup.policy",
                                              .op = ConfigOp::kSubtract,
                                              .value = "delete"}}));
  CHECK(ConfigsByName(*broker, "t")["cleanup.policy"].value == "compact");

  // All or nothing: one bad change leaves every config as it was.
  CHECK(HasErrorReason(
      broker->AlterTopicConfigs("t", {{.name = "retention.ms", .value = "5"},
                                      {.name = "bogus", .value = "1"}}),
      ErrorReason::kInvalidConfig));
  CHECK(ConfigsByName(*broker, "t")["retention.ms"].value == "1000");
  CHECK(HasErrorReason(broker->AlterTopicConfigs("t", {{.name = "retention.ms",
                                                        .op = ConfigOp::kAppend,
                                                        .value = "1"}}),
                       ErrorReason::kInvalidConfig));

  REQUIRE_OK(broker->ReplaceTopicConfigs("t", {{"retention.ms", "7"}}));
  configs = ConfigsByName(*broker, "t");
  CHECK(configs["retention.ms"].value == "7");
  CHECK(configs["cleanup.policy"].value == "delete");
}

TEST_CASE(
    "Internal topics are hidden from listings and cannot be created or "
    "deleted by users",
    "[broker]") {
  auto broker = OpenInMemory({.offsets_topic_num_partitions = 3});
  REQUIRE_OK(broker->CreateTopic({.name = "user"}));
  // A commit creates the offsets topic on first use, as Kafka does.
  absl::Notification committed;
  broker->group_coordinator().CommitOffsets(
      {.group_id = "g",
       .offsets = {{.tp = {"user", PartitionId(0)}, .offset = Offset(0)}}},
      [&](OffsetCommitResponse r) {
        CHECK_OK(r.partition_statuses.at(0));
        committed.Notify();
      });
  committed.WaitForNotification();

  CHECK(broker->ListTopics(false) == std::vector<std::string>{"user"});
  CHECK(broker->ListTopics(true) ==
        std::vector<std::string>{"__consumer_offsets", "user"});
  ASSIGN_OR_REQUIRE(TopicDescription offsets,
                    broker->DescribeTopic("__consumer_offsets"));
  CHECK(offsets.internal);
  CHECK(offsets.partitions.size() == 3);
  CHECK(HasErrorReason(broker->DeleteTopic("__consumer_offsets"),
                       ErrorReason::kInvalidTopic));
  CHECK(HasErrorReason(broker->CreateTopic({.name = "__consumer_offsets"}),
                       ErrorReason::kInvalidTopic));
}

TEST_CASE(
    "Deleting a topic removes its data; a new topic of the same name "
    "starts empty",
    "[broker]") {
  auto fs = io::NewMemFileSystem();
  auto broker = OpenInMemory({.data_dir = "/d", .fs = fs});
  REQUIRE_OK(broker->CreateTopic({.name = "t"}));
  REQUIRE_OK(ProduceSync(*broker, {"t", PartitionId(0)},
                         MakeBatch({{"k", "v1"}, {"k", "v2"}})));
  REQUIRE_OK(broker->DeleteTopic("t"));
  CHECK_FALSE(fs->Exists("/d/t-0").value());
  REQUIRE_OK(broker->CreateTopic({.name = "t"}));
  ASSIGN_OR_REQUIRE(PartitionOffsets offsets,
                    broker->GetPartitionOffsets({"t", PartitionId(0)}));
  CHECK(offsets.log_end_offset == Offset(0));
  CHECK(test::ReadValues(*broker, {"t", PartitionId(0)}).empty());
}

}  // namespace
}  // namespace rill
