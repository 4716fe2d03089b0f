// librdkafka against a three-broker EmbeddedCluster: metadata shows every
// broker with each partition's leader, replicas and ISR; producers reach
// the leaders; a consumer group commits to the broker leading its offsets
// partition and resumes from those commits after that broker restarts.
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "interop/rdkafka_test_util.h"
#include "rill/testing/embedded_cluster.h"
#include "status_test_util.h"

namespace rill::interop {
namespace {

constexpr int kPartitions = 3;
constexpr char kTopic[] = "t";
constexpr char kGroup[] = "g";

testing::EmbeddedClusterOptions ThreeListeningBrokers() {
  testing::EmbeddedClusterOptions options{
      .brokers = 3, .in_memory = true, .listen = true};
  options.broker.offsets_topic_num_partitions = 3;
  options.broker.replica_fetch_backoff_ms = 10;
  return options;
}

TEST_CASE(
    "librdkafka's metadata shows every broker of a three-broker cluster "
    "and each partition's leader, replicas and ISR",
    "[interop][replication]") {
  testing::EmbeddedCluster cluster(ThreeListeningBrokers());
  REQUIRE_OK(cluster.CreateTopic(kTopic, kPartitions));
  TestProducer producer(cluster.bootstrap_servers());

  const rd_kafka_metadata_t* metadata = nullptr;
  REQUIRE(rd_kafka_metadata(producer.get(), 0, nullptr, &metadata, 10'000) ==
          RD_KAFKA_RESP_ERR_NO_ERROR);
  std::map<int32_t, int> ports;
  for (int i = 0; i < metadata->broker_cnt; ++i) {
    ports[metadata->brokers[i].id] = metadata->brokers[i].port;
  }
  std::map<int32_t, int> expected_ports;
  for (int b = 0; b < 3; ++b) {
    expected_ports[b] = cluster.server(b)->endpoints().at(0).port;
  }
  CHECK(ports == expected_ports);

  ASSIGN_OR_REQUIRE(TopicDescription described,
                    cluster.broker(0).DescribeTopic(kTopic));
  bool found = false;
  for (int t = 0; t < metadata->topic_cnt; ++t) {
    const rd_kafka_metadata_topic_t& topic = metadata->topics[t];
    if (std::string(topic.topic) != kTopic) continue;
    found = true;
    REQUIRE(topic.partition_cnt == kPartitions);
    for (int p = 0; p < kPartitions; ++p) {
      const rd_kafka_metadata_partition_t& partition = topic.partitions[p];
      const PartitionDescription& expected =
          described.partitions.at(partition.id);
      CHECK(partition.leader == expected.leader.value());
      CHECK(partition.replica_cnt == 3);
      CHECK(partition.isr_cnt == 3);
    }
  }
  rd_kafka_metadata_destroy(metadata);
  CHECK(found);
}

TEST_CASE(
    "a librdkafka consumer group commits to the broker leading its "
    "offsets partition and resumes after that broker restarts",
    "[interop][replication]") {
  testing::EmbeddedCluster cluster(ThreeListeningBrokers());
  REQUIRE_OK(cluster.CreateTopic(kTopic, kPartitions));
  const std::string bootstrap = cluster.bootstrap_servers();
  ProduceEach(bootstrap, kTopic, kPartitions, 10, "a");
  const Config group{{"group.id", kGroup},
                     {"auto.offset.reset", "earliest"},
                     {"heartbeat.interval.ms", "100"}};
  {
    TestConsumer consumer(bootstrap, group);
    consumer.Subscribe({kTopic});
    CHECK(consumer.ConsumeUntil(10 * kPartitions).size() == 10 * kPartitions);
    consumer.CommitSync();
    consumer.Close();
  }

  ASSIGN_OR_REQUIRE(NodeId coordinator,
                    cluster.broker(0).FindGroupCoordinator(kGroup));
  ASSIGN_OR_REQUIRE(std::vector<CommittedOffset> committed,
                    cluster.broker(coordinator.value())
                        .group_coordinator()
                        .FetchOffsets(kGroup, std::nullopt));
  std::map<int32_t, int64_t> by_partition;
  for (const CommittedOffset& c : committed) {
    by_partition[c.tp.partition.value()] = c.offset.value();
  }
  CHECK(by_partition == std::map<int32_t, int64_t>{{0, 10}, {1, 10}, {2, 10}});

  // The coordinator's offsets partition fails over to an in-sync replica,
  // which has the commits.
  REQUIRE_OK(cluster.Restart(coordinator.value()));
  ASSIGN_OR_REQUIRE(NodeId moved,
                    cluster.broker(0).FindGroupCoordinator(kGroup));
  CHECK(moved != coordinator);
  ProduceEach(bootstrap, kTopic, kPartitions, 5, "b");
  TestConsumer consumer(bootstrap, group);
  consumer.Subscribe({kTopic});
  std::set<std::pair<int32_t, int64_t>> seen;
  for (const ConsumedMessage& m : consumer.ConsumeUntil(5 * kPartitions)) {
    CHECK(m.offset >= 10);
    CHECK(m.value.value_or("").rfind("b", 0) == 0);
    seen.insert({m.partition, m.offset});
  }
  CHECK(seen.size() == 5 * kPartitions);
  consumer.Close();
}

TEST_CASE(
    "a librdkafka idempotent acks=all producer and consumer group lose and "
    "duplicate nothing while each partition's leader is killed in turn",
    "[interop][replication]") {
  testing::EmbeddedClusterOptions options = ThreeListeningBrokers();
  options.broker.replica_fetch_wait_max_ms = 50;
  testing::EmbeddedCluster cluster(options);
  REQUIRE_OK(
      cluster.CreateTopic(kTopic, kPartitions, {{"min.insync.replicas", "2"}}));
  const std::string bootstrap = cluster.bootstrap_servers();
  TestProducer producer(bootstrap, {{"enable.idempotence", "true"},
                                    {"acks", "all"},
                                    {"linger.ms", "2"},
                                    {"retry.backoff.ms", "20"}});
  TestConsumer consumer(bootstrap, {{"group.id", kGroup},
                                    {"auto.offset.reset", "earliest"},
                                    {"heartbeat.interval.ms", "100"}});
  consumer.Subscribe({kTopic});
  // Where each value was read: a value at two offsets is a duplicate in
  // the log; the same offset read twice is only a redelivery.
  std::map<std::string, std::set<std::pair<int32_t, int64_t>>> read;
  auto poll = [&] {
    while (std::optional<ConsumedMessage> m =
               consumer.Poll(std::chrono::milliseconds(5))) {
      read[m->value.value_or("")].insert({m->partition, m->offset});
    }
  };
  int sent = 0;
  auto produce = [&](int n) {
    for (int i = 0; i < n; ++i, ++sent) {
      producer.Produce({.topic = kTopic,
                        .partition = sent % kPartitions,
                        .value = "v" + std::to_string(sent)});
    }
  };

  for (int p = 0; p < kPartitions; ++p) {
    const replication::PartitionState* state =
        cluster.controller()->image()->FindPartition({kTopic, PartitionId(p)});
    REQUIRE(state != nullptr);
    const int leader = state->leader.value();
    produce(30);
    REQUIRE_OK(cluster.KillBroker(leader));
    produce(30);
    poll();
    REQUIRE_OK(cluster.StartBroker(leader));
    // Back in every ISR before the next kill, so no acknowledged record
    // ever has its only copies on a killed broker.
    REQUIRE(WaitUntil(
        [&] {
          for (const auto& [name, topic] :
               cluster.controller()->image()->topics()) {
            for (const replication::PartitionState& s : topic->partitions) {
              if (s.isr.size() != s.replicas.size()) return false;
            }
          }
          return true;
        },
        poll));
  }
  producer.Flush();  // every delivery report is a success
  REQUIRE(
      WaitUntil([&] { return static_cast<int>(read.size()) >= sent; }, poll));
  for (int i = 0; i < sent; ++i) {
    auto it = read.find("v" + std::to_string(i));
    REQUIRE(it != read.end());
    INFO("v" << i);
    CHECK(it->second.size() == 1);
  }
  CHECK(static_cast<int>(read.size()) == sent);
  consumer.Close();
}

}  // namespace
}  // namespace rill::interop
