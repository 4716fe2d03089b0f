// librdkafka against a three-broker EmbeddedCluster whose followers
// replicate over Kafka's wire protocol (replicate_over_wire): acks=all
// deliveries, a leader restart, and every delivered record read back.
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "interop/rdkafka_test_util.h"
#include "rill/testing/embedded_cluster.h"
#include "status_test_util.h"

namespace rill::interop {
namespace {

constexpr int kPartitions = 3;
constexpr char kTopic[] = "t";

TEST_CASE(
    "librdkafka's acks=all deliveries to brokers replicating over the wire "
    "survive a leader restart",
    "[interop][replication]") {
  testing::EmbeddedClusterOptions options{.brokers = 3,
                                          .in_memory = true,
                                          .listen = true,
                                          .replicate_over_wire = true};
  options.broker.offsets_topic_num_partitions = 3;
  options.broker.replica_fetch_backoff_ms = 10;
  testing::EmbeddedCluster cluster(options);
  REQUIRE_OK(
      cluster.CreateTopic(kTopic, kPartitions, {{"min.insync.replicas", "2"}}));
  const std::string bootstrap = cluster.bootstrap_servers();
  ProduceEach(bootstrap, kTopic, kPartitions, 10, "a");

  ASSIGN_OR_REQUIRE(TopicDescription described,
                    cluster.broker(0).DescribeTopic(kTopic));
  REQUIRE_OK(cluster.Restart(described.partitions.at(0).leader.value()));
  ProduceEach(bootstrap, kTopic, kPartitions, 10, "b");

  TestConsumer consumer(bootstrap, {{"group.id", "reader"}});
  consumer.Assign({{kTopic, 0, RD_KAFKA_OFFSET_BEGINNING},
                   {kTopic, 1, RD_KAFKA_OFFSET_BEGINNING},
                   {kTopic, 2, RD_KAFKA_OFFSET_BEGINNING}});
  std::map<int32_t, std::vector<std::string>> values;
  for (const ConsumedMessage& m : consumer.ConsumeUntil(20 * kPartitions)) {
    CHECK(m.offset == static_cast<int64_t>(values[m.partition].size()));
    values[m.partition].push_back(m.value.value_or(""));
  }
  std::vector<std::string> expected;
  for (const char* label : {"a", "b"}) {
    for (int i = 0; i < 10; ++i) expected.push_back(label + std::to_string(i));
  }
  for (int p = 0; p < kPartitions; ++p) {
    CAPTURE(p);
    CHECK(values[p] == expected);
  }
  consumer.Close();
}

}  // namespace
}  // namespace rill::interop
