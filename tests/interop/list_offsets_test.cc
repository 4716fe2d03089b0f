// ListOffsets as librdkafka uses it: offsets by time, watermarks, and the
// logical BEGINNING / END a consumer starts from.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "interop/rdkafka_test_util.h"
#include "rill/testing/embedded_cluster.h"
#include "status_test_util.h"

namespace rill::interop {
namespace {

constexpr char kTopic[] = "times";
constexpr std::chrono::milliseconds kPollStep{20};

// OffsetForTime asks librdkafka for the first offset of `partition` whose
// timestamp is at or after `timestamp_ms` (-1: none).
int64_t OffsetForTime(rd_kafka_t* rk, int32_t partition, int64_t timestamp_ms) {
  PartitionListPtr list =
      MakePartitionList({{kTopic, partition, timestamp_ms}});
  const rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(
      rk, list.get(), static_cast<int>(kWaitTimeout.count()));
  INFO("offsets_for_times: " << rd_kafka_err2str(err));
  REQUIRE(err == RD_KAFKA_RESP_ERR_NO_ERROR);
  INFO("partition error: " << rd_kafka_err2str(list->elems[0].err));
  REQUIRE(list->elems[0].err == RD_KAFKA_RESP_ERR_NO_ERROR);
  return list->elems[0].offset;
}

std::pair<int64_t, int64_t> Watermarks(rd_kafka_t* rk, int32_t partition) {
  int64_t low = -100, high = -100;
  const rd_kafka_resp_err_t err =
      rd_kafka_query_watermark_offsets(rk, kTopic, partition, &low, &high,
                                       static_cast<int>(kWaitTimeout.count()));
  INFO("query_watermark_offsets: " << rd_kafka_err2str(err));
  REQUIRE(err == RD_KAFKA_RESP_ERR_NO_ERROR);
  return {low, high};
}

TEST_CASE(
    "librdkafka finds offsets by timestamp, watermarks, and the beginning and "
    "end of a partition",
    "[interop]") {
  testing::EmbeddedCluster cluster({.in_memory = true, .listen = true});
  REQUIRE_OK(cluster.CreateTopic(kTopic, 2));
  // Ten records a second apart, ending a minute ago: the first five in
  // batches of their own, the rest together (lookups inside a batch).
  const int64_t base = cluster.clock()->NowMs() - 70'000;
  TestProducer producer(cluster.bootstrap_servers(), {{"linger.ms", "50"}});
  for (int i = 0; i < 10; ++i) {
    producer.Produce({.topic = kTopic,
                      .partition = 0,
                      .value = "record-" + std::to_string(i),
                      .timestamp_ms = base + i * 1000});
    if (i < 5) producer.Flush();
  }
  producer.Flush();
  rd_kafka_t* rk = producer.get();

  SECTION("offsets by time") {
    CHECK(OffsetForTime(rk, 0, base - 1) == 0);
    CHECK(OffsetForTime(rk, 0, base) == 0);
    CHECK(OffsetForTime(rk, 0, base + 2500) == 3);
    CHECK(OffsetForTime(rk, 0, base + 4000) == 4);
    CHECK(OffsetForTime(rk, 0, base + 4001) == 5);
    CHECK(OffsetForTime(rk, 0, base + 7000) == 7);
    CHECK(OffsetForTime(rk, 0, base + 7001) == 8);
    CHECK(OffsetForTime(rk, 0, base + 9000) == 9);
    // Past the last record, and on an empty partition: none (-1).
    CHECK(OffsetForTime(rk, 0, base + 9001) == -1);
    CHECK(OffsetForTime(rk, 1, base) == -1);
  }

  SECTION("watermarks") {
    CHECK(Watermarks(rk, 0) == std::pair<int64_t, int64_t>{0, 10});
    CHECK(Watermarks(rk, 1) == std::pair<int64_t, int64_t>{0, 0});
  }

  SECTION("after records are deleted, lookups start at the new log start") {
    ASSIGN_OR_REQUIRE(Offset low, cluster.broker().DeleteRecords(
                                      {kTopic, PartitionId(0)}, Offset(4)));
    REQUIRE(low == Offset(4));
    CHECK(Watermarks(rk, 0) == std::pair<int64_t, int64_t>{4, 10});
    CHECK(OffsetForTime(rk, 0, base) == 4);
    CHECK(OffsetForTime(rk, 0, base + 6000) == 6);

    TestConsumer consumer(cluster.bootstrap_servers(), {{"group.id", "g"}});
    consumer.Assign({{kTopic, 0, RD_KAFKA_OFFSET_BEGINNING}});
    const std::vector<ConsumedMessage> first = consumer.ConsumeUntil(1);
    CHECK(first[0].offset == 4);
    CHECK(first[0].value == "record-4");
  }

  SECTION("a consumer starting at the end reads only what comes after") {
    TestConsumer consumer(
        cluster.bootstrap_servers(),
        {{"group.id", "g"}, {"enable.partition.eof", "true"}});
    consumer.Assign({{kTopic, 0, RD_KAFKA_OFFSET_END}});
    // Once the consumer has looked the end up (ListOffsets) and fetched
    // there, it reports the end of the partition; a new record is then the
    // first it reads.
    REQUIRE(WaitUntil([&] { return !consumer.eofs().empty(); },
                      [&] { CHECK_FALSE(consumer.Poll(kPollStep)); }));
    CHECK(consumer.eofs()[0].offset == 10);
    producer.Produce({.topic = kTopic, .partition = 0, .value = "late"});
    producer.Flush();
    const std::vector<ConsumedMessage> late = consumer.ConsumeUntil(1);
    CHECK(late[0].offset == 10);
    CHECK(late[0].value == "late");
  }
}

}  // namespace
}  // namespace rill::interop
