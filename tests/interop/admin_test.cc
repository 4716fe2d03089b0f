// librdkafka's Admin API against rill: topics, configs, partitions and
// records, checked on the broker itself.
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "interop/rdkafka_test_util.h"
#include "rill/testing/embedded_cluster.h"
#include "status_test_util.h"

namespace rill::interop {
namespace {

using Configs = std::map<std::string, std::string>;

// DescribedConfig is one entry of a DescribeConfigs answer.
struct DescribedConfig {
  std::string value;
  rd_kafka_ConfigSource_t source = RD_KAFKA_CONFIG_SOURCE_UNKNOWN_CONFIG;
  bool read_only = false;
};

// AdminClient runs one admin call at a time and waits for its result. Owns
// its librdkafka handle and result queue. Not thread-safe.
class AdminClient {
 public:
  explicit AdminClient(const std::string& bootstrap)
      : rk_(NewClient(RD_KAFKA_PRODUCER, bootstrap, {})),
        queue_(rd_kafka_queue_new(rk_.get())) {}

  rd_kafka_t* get() const { return rk_.get(); }

  rd_kafka_resp_err_t CreateTopic(const std::string& name, int partitions,
                                  const Configs& configs = {},
                                  int replication_factor = 1) {
    char error[512];
    rd_kafka_NewTopic_t* topic = rd_kafka_NewTopic_new(
        name.c_str(), partitions, replication_factor, error, sizeof(error));
    INFO(error);
    REQUIRE(topic != nullptr);
    for (const auto& [key, value] : configs) {
      REQUIRE(rd_kafka_NewTopic_set_config(topic, key.c_str(), value.c_str()) ==
              RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    rd_kafka_CreateTopics(rk_.get(), &topic, 1, nullptr, queue_.get());
    rd_kafka_NewTopic_destroy(topic);
    EventPtr event = AdminResult(queue_.get());
    size_t count = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(
            rd_kafka_event_CreateTopics_result(event.get()), &count);
    return OnlyTopicError(results, count, name);
  }

  rd_kafka_resp_err_t DeleteTopic(const std::string& name) {
    rd_kafka_DeleteTopic_t* topic = rd_kafka_DeleteTopic_new(name.c_str());
    rd_kafka_DeleteTopics(rk_.get(), &topic, 1, nullptr, queue_.get());
    rd_kafka_DeleteTopic_destroy(topic);
    EventPtr event = AdminResult(queue_.get());
    size_t count = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_DeleteTopics_result_topics(
            rd_kafka_event_DeleteTopics_result(event.get()), &count);
    return OnlyTopicError(results, count, name);
  }

  rd_kafka_resp_err_t CreatePartitions(const std::string& name, int total) {
    char error[512];
    rd_kafka_NewPartitions_t* partitions = rd_kafka_NewPartitions_new(
        name.c_str(), static_cast<size_t>(total), error, sizeof(error));
    INFO(error);
    REQUIRE(partitions != nullptr);
    rd_kafka_CreatePartitions(rk_.get(), &partitions, 1, nullptr, queue_.get());
    rd_kafka_NewPartitions_destroy(partitions);
    EventPtr event = AdminResult(queue_.get());
    size_t count = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreatePartitions_result_topics(
            rd_kafka_event_CreatePartitions_result(event.get()), &count);
    return OnlyTopicError(results, count, name);
  }

  // DescribeTopicConfigs fails the test unless the topic is described.
  std::map<std::string, DescribedConfig> DescribeTopicConfigs(
      const std::string& topic) {
    rd_kafka_ConfigResource_t* resource =
        rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str());
    rd_kafka_DescribeConfigs(rk_.get(), &resource, 1, nullptr, queue_.get());
    rd_kafka_ConfigResource_destroy(resource);
    EventPtr event = AdminResult(queue_.get());
    size_t count = 0;
    const rd_kafka_ConfigResource_t** resources =
        rd_kafka_DescribeConfigs_result_resources(
            rd_kafka_event_DescribeConfigs_result(event.get()), &count);
    REQUIRE(count == 1);
    INFO(rd_kafka_ConfigResource_error_string(resources[0]));
    REQUIRE(rd_kafka_ConfigResource_error(resources[0]) ==
            RD_KAFKA_RESP_ERR_NO_ERROR);
    size_t entries = 0;
    const rd_kafka_ConfigEntry_t** configs =
        rd_kafka_ConfigResource_configs(resources[0], &entries);
    std::map<std::string, DescribedConfig> out;
    for (size_t i = 0; i < entries; ++i) {
      const char* value = rd_kafka_ConfigEntry_value(configs[i]);
      out[rd_kafka_ConfigEntry_name(configs[i])] = {
          .value = value != nullptr ? value : "<null>",
          .source = rd_kafka_ConfigEntry_source(configs[i]),
          .read_only = rd_kafka_ConfigEntry_is_read_only(configs[i]) != 0};
    }
    return out;
  }

  // AlterTopicConfigs sets the topic's configs to exactly `configs`
  // (AlterConfigs, not incremental) and returns the resource's error.
  rd_kafka_resp_err_t AlterTopicConfigs(const std::string& topic,
                                        const Configs& configs) {
    rd_kafka_ConfigResource_t* resource =
        rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str());
    for (const auto& [key, value] : configs) {
      REQUIRE(rd_kafka_ConfigResource_set_config(resource, key.c_str(),
                                                 value.c_str()) ==
              RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    rd_kafka_AlterConfigs(rk_.get(), &resource, 1, nullptr, queue_.get());
    rd_kafka_ConfigResource_destroy(resource);
    EventPtr event = AdminResult(queue_.get());
    size_t count = 0;
    const rd_kafka_ConfigResource_t** resources =
        rd_kafka_AlterConfigs_result_resources(
            rd_kafka_event_AlterConfigs_result(event.get()), &count);
    REQUIRE(count == 1);
    return rd_kafka_ConfigResource_error(resources[0]);
  }

  // DeleteRecords deletes records of one partition below `before` and
  // returns the partition's error and new low watermark.
  std::pair<rd_kafka_resp_err_t, int64_t> DeleteRecords(
      const std::string& topic, int32_t partition, int64_t before) {
    PartitionListPtr offsets = MakePartitionList({{topic, partition, before}});
    rd_kafka_DeleteRecords_t* request =
        rd_kafka_DeleteRecords_new(offsets.get());
    rd_kafka_DeleteRecords(rk_.get(), &request, 1, nullptr, queue_.get());
    rd_kafka_DeleteRecords_destroy(request);
    EventPtr event(rd_kafka_queue_poll(queue_.get(),
                                       static_cast<int>(kWaitTimeout.count())));
    REQUIRE(event.get() != nullptr);
    // A partition-level error fails the whole request in librdkafka 2.0.
    const rd_kafka_topic_partition_list_t* result =
        rd_kafka_DeleteRecords_result_offsets(
            rd_kafka_event_DeleteRecords_result(event.get()));
    if (result == nullptr || result->cnt != 1) {
      return {rd_kafka_event_error(event.get()), -1};
    }
    return {result->elems[0].err, result->elems[0].offset};
  }

 private:
  static rd_kafka_resp_err_t OnlyTopicError(
      const rd_kafka_topic_result_t** results, size_t count,
      const std::string& name) {
    REQUIRE(count == 1);
    CHECK(rd_kafka_topic_result_name(results[0]) == name);
    const char* message = rd_kafka_topic_result_error_string(results[0]);
    INFO("topic result: " << (message != nullptr ? message : ""));
    return rd_kafka_topic_result_error(results[0]);
  }

  KafkaPtr rk_;
  QueuePtr queue_;  // after rk_: destroyed first
};

Configs TopicConfigs(Broker& broker, const std::string& topic) {
  ASSIGN_OR_REQUIRE(std::vector<ConfigEntry> entries,
                    broker.DescribeTopicConfigs(topic));
  Configs out;
  for (const ConfigEntry& e : entries) out[e.name] = e.value;
  return out;
}

size_t PartitionCount(Broker& broker, const std::string& topic) {
  ASSIGN_OR_REQUIRE(TopicDescription description, broker.DescribeTopic(topic));
  return description.partitions.size();
}

TEST_CASE(
    "librdkafka creates topics with configs, and a second create, a bad "
    "replication factor and a bad config are refused",
    "[interop]") {
  testing::EmbeddedCluster cluster({.in_memory = true, .listen = true});
  AdminClient admin(cluster.bootstrap_servers());
  REQUIRE(admin.CreateTopic(
              "orders", 3,
              {{"retention.ms", "3600000"}, {"cleanup.policy", "compact"}}) ==
          RD_KAFKA_RESP_ERR_NO_ERROR);
  CHECK(PartitionCount(cluster.broker(), "orders") == 3);
  const Configs configs = TopicConfigs(cluster.broker(), "orders");
  CHECK(configs.at("retention.ms") == "3600000");
  CHECK(configs.at("cleanup.policy") == "compact");

  CHECK(admin.CreateTopic("orders", 1) ==
        RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS);
  CHECK(admin.CreateTopic("replicated", 1, {}, /*replication_factor=*/3) ==
        RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR);
  CHECK(admin.CreateTopic("bad-config", 1, {{"retention.ms", "soon"}}) ==
        RD_KAFKA_RESP_ERR_INVALID_CONFIG);
  CHECK(cluster.broker().ListTopics(false) ==
        std::vector<std::string>{"orders"});
}

TEST_CASE("librdkafka describes topic configs and replaces them", "[interop]") {
  testing::EmbeddedCluster cluster({.in_memory = true, .listen = true});
  REQUIRE_OK(cluster.CreateTopic(
      "orders", 1,
      {{"retention.ms", "3600000"}, {"cleanup.policy", "compact"}}));
  AdminClient admin(cluster.bootstrap_servers());

  auto described = admin.DescribeTopicConfigs("orders");
  CHECK(described.at("retention.ms").value == "3600000");
  CHECK(described.at("retention.ms").source ==
        RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
  CHECK(described.at("cleanup.policy").value == "compact");
  CHECK(described.at("segment.bytes").value == "1073741824");
  CHECK(described.at("segment.bytes").source ==
        RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);

  // AlterConfigs sets exactly what it names: cleanup.policy goes back to
  // its default.
  REQUIRE(admin.AlterTopicConfigs(
              "orders",
              {{"retention.ms", "7200000"}, {"max.message.bytes", "200000"}}) ==
          RD_KAFKA_RESP_ERR_NO_ERROR);
  Configs stored = TopicConfigs(cluster.broker(), "orders");
  CHECK(stored.at("retention.ms") == "7200000");
  CHECK(stored.at("max.message.bytes") == "200000");
  CHECK(stored.at("cleanup.policy") == "delete");
  described = admin.DescribeTopicConfigs("orders");
  CHECK(described.at("retention.ms").value == "7200000");
  CHECK(described.at("cleanup.policy").source ==
        RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);

  // A bad value changes nothing.
  CHECK(admin.AlterTopicConfigs("orders", {{"retention.ms", "1"},
                                           {"cleanup.policy", "sometimes"}}) ==
        RD_KAFKA_RESP_ERR_INVALID_CONFIG);
  CHECK(TopicConfigs(cluster.broker(), "orders") == stored);
}

TEST_CASE(
    "librdkafka adds partitions that producers then use, and shrinking is "
    "refused",
    "[interop]") {
  testing::EmbeddedCluster cluster({.in_memory = true, .listen = true});
  REQUIRE_OK(cluster.CreateTopic("orders", 3));
  AdminClient admin(cluster.bootstrap_servers());
  REQUIRE(admin.CreatePartitions("orders", 5) == RD_KAFKA_RESP_ERR_NO_ERROR);
  CHECK(PartitionCount(cluster.broker(), "orders") == 5);
  CHECK(admin.CreatePartitions("orders", 4) ==
        RD_KAFKA_RESP_ERR_INVALID_PARTITIONS);
  CHECK(admin.CreatePartitions("missing", 4) ==
        RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);

  TestProducer producer(cluster.bootstrap_servers());
  producer.Produce({.topic = "orders", .partition = 4, .value = "new"});
  producer.Flush();
  ASSIGN_OR_REQUIRE(
      PartitionOffsets offsets,
      cluster.broker().GetPartitionOffsets({"orders", PartitionId(4)}));
  CHECK(offsets.high_watermark == Offset(1));
}

TEST_CASE("librdkafka deletes records below an offset", "[interop]") {
  testing::EmbeddedCluster cluster({.in_memory = true, .listen = true});
  REQUIRE_OK(cluster.CreateTopic("orders", 1));
  TestProducer producer(cluster.bootstrap_servers());
  for (int i = 0; i < 10; ++i) {
    producer.Produce(
        {.topic = "orders", .partition = 0, .value = std::to_string(i)});
  }
  producer.Flush();
  AdminClient admin(cluster.bootstrap_servers());
  const TopicPartition tp{"orders", PartitionId(0)};

  CHECK(admin.DeleteRecords("orders", 0, 6) ==
        std::pair{RD_KAFKA_RESP_ERR_NO_ERROR, int64_t{6}});
  ASSIGN_OR_REQUIRE(PartitionOffsets offsets,
                    cluster.broker().GetPartitionOffsets(tp));
  CHECK(offsets.log_start_offset == Offset(6));

  // Beyond the high watermark: refused, nothing moves.
  CHECK(admin.DeleteRecords("orders", 0, 11).first ==
        RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE);
  // RD_KAFKA_OFFSET_END: everything up to the high watermark.
  CHECK(admin.DeleteRecords("orders", 0, RD_KAFKA_OFFSET_END) ==
        std::pair{RD_KAFKA_RESP_ERR_NO_ERROR, int64_t{10}});
  ASSIGN_OR_REQUIRE(offsets, cluster.broker().GetPartitionOffsets(tp));
  CHECK(offsets.log_start_offset == Offset(10));
  CHECK(offsets.high_watermark == Offset(10));
}

TEST_CASE(
    "librdkafka deletes topics with their data, and a topic of the same name "
    "starts empty",
    "[interop]") {
  testing::EmbeddedCluster cluster({.in_memory = true, .listen = true});
  REQUIRE_OK(cluster.CreateTopic("orders", 2));
  {
    TestProducer producer(cluster.bootstrap_servers());
    producer.Produce({.topic = "orders", .partition = 1, .value = "old"});
    producer.Flush();
  }
  AdminClient admin(cluster.bootstrap_servers());
  REQUIRE(admin.DeleteTopic("orders") == RD_KAFKA_RESP_ERR_NO_ERROR);
  CHECK(cluster.broker().ListTopics(false).empty());
  CHECK(admin.DeleteTopic("orders") == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);

  REQUIRE(admin.CreateTopic("orders", 2) == RD_KAFKA_RESP_ERR_NO_ERROR);
  ASSIGN_OR_REQUIRE(
      PartitionOffsets offsets,
      cluster.broker().GetPartitionOffsets({"orders", PartitionId(1)}));
  CHECK(offsets.high_watermark == Offset(0));
}

}  // namespace
}  // namespace rill::interop
