// librdkafka through errors injected with KafkaServer::InjectErrors: a
// retriable produce error is retried, and the broker stores the message
// once.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "interop/rdkafka_test_util.h"
#include "interop/stored_batches.h"
#include "protocol/api_key.h"
#include "protocol/messages/produce.h"
#include "rill/error.h"
#include "rill/record/record_batch.h"
#include "rill/testing/embedded_cluster.h"
#include "server/error_codes.h"
#include "server/wire_client.h"
#include "status_test_util.h"

namespace rill::interop {
namespace {

constexpr char kTopic[] = "injected";
constexpr int kMessages = 20;
constexpr int16_t kProduce = static_cast<int16_t>(protocol::ApiKey::kProduce);

std::string Value(int i) { return "message-" + std::to_string(i); }

// RawProduceError sends one batch to partition 0 of kTopic over a plain
// connection and returns the partition's error code.
int16_t RawProduceError(int port) {
  record::RecordBatchBuilder builder;
  builder.Append({.timestamp_ms = 1, .key = {}, .value = "raw"});
  auto batch = builder.Build();
  REQUIRE_OK(batch.status());
  protocol::ProduceRequest request;
  request.acks = 1;
  request.timeout_ms = 5000;
  request.topic_data.push_back(
      {.name = kTopic,
       .partition_data = {
           {.index = 0,
            .records = {.view = std::span<char>(*batch), .slices = {}}}}});
  server::testing::WireClient client(port);
  REQUIRE(client.connected());
  auto response = client.RoundTrip<protocol::ProduceResponse>(request, 7);
  REQUIRE_OK(response.status());
  return response->responses.at(0).partition_responses.at(0).error_code;
}

TEST_CASE(
    "an idempotent librdkafka producer retries through injected "
    "NOT_LEADER_OR_FOLLOWER answers and each message is stored once",
    "[interop]") {
  testing::EmbeddedCluster cluster({.in_memory = true, .listen = true});
  REQUIRE_OK(cluster.CreateTopic(kTopic, 1));
  const int16_t not_leader =
      server::KafkaErrorCodeFor(ErrorReason::kNotLeaderOrFollower);
  const int port = cluster.server()->endpoints().at(0).port;
  REQUIRE_OK(cluster.server()->InjectErrors(
      kProduce, {not_leader, not_leader, not_leader, not_leader}));
  // The first code answers a plain produce (which stores nothing); the
  // other three are for librdkafka's.
  REQUIRE(RawProduceError(port) == not_leader);

  TestProducer producer(cluster.bootstrap_servers(),
                        {{"enable.idempotence", "true"},
                         {"linger.ms", "5"},
                         {"retry.backoff.ms", "10"}});
  for (int i = 0; i < kMessages; ++i) {
    producer.Produce({.topic = kTopic, .partition = 0, .value = Value(i)});
  }
  producer.Flush();  // every delivery report is a success

  for (const Delivery& d : producer.deliveries()) {
    INFO("message " << d.index);
    CHECK(d.offset == static_cast<int64_t>(d.index));
  }
  std::vector<std::string> expected;
  for (int i = 0; i < kMessages; ++i) expected.push_back(Value(i));
  CHECK(StoredValues(cluster.broker(), {kTopic, PartitionId(0)}) == expected);
  // The three codes went to librdkafka's produce requests (the only ones
  // so far): a produce sent now is served.
  CHECK(RawProduceError(port) == server::kErrorNone);
}

}  // namespace
}  // namespace rill::interop
