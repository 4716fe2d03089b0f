// librdkafka's idempotent producer (enable.idempotence=true) through a proxy
// that keeps dropping its connections: requests are lost on the way in,
// responses on the way out, and librdkafka retries them. The broker must
// store every message once, in order.
#include <catch2/catch.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "interop/fault_proxy.h"
#include "interop/rdkafka_test_util.h"
#include "interop/stored_batches.h"
#include "rill/testing/embedded_cluster.h"
#include "status_test_util.h"

namespace rill::interop {
namespace {

constexpr int kPartitions = 3;
constexpr char kTopic[] = "idempotent";

std::string Value(int i) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "message-%06d", i);
  return std::string(buffer) + std::string(40, '.');
}

// ExpectExactlyOnceInOrder checks what partition `p` stored: the messages
// i with i % kPartitions == p, each once and in send order, in batches of
// one idempotent producer whose sequence numbers leave no gap.
void ExpectExactlyOnceInOrder(Broker& broker, int p, int messages) {
  INFO("partition " << p);
  const std::vector<StoredBatch> batches =
      ReadStoredBatches(broker, {kTopic, PartitionId(p)});
  std::vector<std::string> values;
  const record::RecordBatchHeader* previous = nullptr;
  for (const StoredBatch& batch : batches) {
    const record::RecordBatchHeader& h = batch.header;
    INFO("batch at offset " << h.base_offset << ": producer " << h.producer_id
                            << " epoch " << h.producer_epoch << " sequence "
                            << h.base_sequence);
    CHECK(h.producer_id >= 0);
    if (previous != nullptr) {
      CHECK(h.producer_id == previous->producer_id);
      // librdkafka may bump the epoch to recover; sequences restart then.
      if (h.producer_epoch == previous->producer_epoch) {
        CHECK(h.base_sequence ==
              previous->base_sequence + previous->records_count);
      } else {
        CHECK(h.producer_epoch > previous->producer_epoch);
        CHECK(h.base_sequence == 0);
      }
    } else {
      CHECK(h.base_sequence == 0);
    }
    previous = &h;
    for (const StoredRecord& r : batch.records) {
      values.push_back(r.value.value_or("<null>"));
    }
  }
  std::vector<std::string> expected;
  for (int i = p; i < messages; i += kPartitions) expected.push_back(Value(i));
  CHECK(values.size() == expected.size());
  CHECK(values == expected);
}

// ProduceThroughProxy sends at least `min_messages` messages through a
// proxy with `faults`, and goes on until the proxy has cut the connections
// `min_cuts` times; then it waits for every delivery report and checks the
// log.
void ProduceThroughProxy(FaultProxyOptions faults, int min_messages,
                         int min_cuts) {
  const bool faults_by_time = faults.cut_every_ms > 0;
  FaultProxy proxy(std::move(faults));
  proxy.SetCutting(false);
  testing::EmbeddedCluster cluster(
      {.in_memory = true,
       .listen = true,
       .server = {.advertised_listeners = {"PLAINTEXT://" + proxy.address()}}});
  proxy.SetUpstream(cluster.server()->endpoints().at(0).port);
  REQUIRE_OK(cluster.CreateTopic(kTopic, kPartitions));

  TestProducer producer(proxy.address(), {{"enable.idempotence", "true"},
                                          {"linger.ms", "1"},
                                          {"batch.num.messages", "40"},
                                          {"message.timeout.ms", "60000"}});
  // The cuts start once the producer is connected: its first requests
  // should not be what the test is about.
  REQUIRE(WaitUntil([&] { return proxy.connections() > 0; },
                    [&] { rd_kafka_poll(producer.get(), 10); }));
  proxy.SetCutting(true);
  int messages = 0;
  const bool enough = WaitUntil(
      [&] { return messages >= min_messages && proxy.cuts() >= min_cuts; },
      [&] {
        // Twenty at a time while fewer than 200 await delivery: sending
        // spreads over many requests and keeps pace with the broker.
        if (rd_kafka_outq_len(producer.get()) < 200) {
          for (int i = 0; i < 20; ++i, ++messages) {
            producer.Produce({.topic = kTopic,
                              .partition = messages % kPartitions,
                              .value = Value(messages)});
          }
        }
        rd_kafka_poll(producer.get(), 1);
      });
  INFO(proxy.cuts() << " cuts, " << proxy.connections() << " connections, "
                    << messages << " messages");
  REQUIRE(enough);
  producer.Flush(std::chrono::seconds(40));
  proxy.SetCutting(false);
  if (!faults_by_time) {
    // Some responses were lost after the broker had appended: librdkafka
    // sent those batches again, and the broker had to recognize them.
    CHECK(proxy.cuts_in_responses() >= 1);
  }

  // Each delivery report gives the offset the message has in the log.
  std::vector<int64_t> next(kPartitions, 0);
  std::vector<int64_t> offset_of(messages, -1);
  for (const Delivery& d : producer.deliveries()) {
    offset_of[d.index] = d.offset;
  }
  for (int i = 0; i < messages; ++i) {
    INFO("message " << i);
    CHECK(offset_of[i] == next[i % kPartitions]++);
  }
  for (int p = 0; p < kPartitions; ++p) {
    ExpectExactlyOnceInOrder(cluster.broker(), p, messages);
  }
}

TEST_CASE(
    "an idempotent librdkafka producer stores every message once and in "
    "order while its connections are cut mid-request and mid-response",
    "[interop]") {
  // Budgets of a few requests each, and of a few dozen responses, different
  // so that cuts land at different points of requests and responses.
  ProduceThroughProxy(
      {.cut_after_request_bytes = {15'013, 39'989, 7'001, 60'013, 24'989},
       .cut_after_response_bytes = {2'503, 6'007, 1'201, 9'001}},
      /*min_messages=*/3000, /*min_cuts=*/10);
}

TEST_CASE(
    "an idempotent librdkafka producer stores every message once and in "
    "order while all its connections are cut every 30 ms",
    "[interop]") {
  ProduceThroughProxy({.cut_every_ms = 30}, /*min_messages=*/3000,
                      /*min_cuts=*/10);
}

}  // namespace
}  // namespace rill::interop
