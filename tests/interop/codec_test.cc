// librdkafka produces and consumes through rill's wire server with every
// codec Kafka has; the broker stores the producer's batches as they came.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "interop/rdkafka_test_util.h"
#include "interop/stored_batches.h"
#include "rill/testing/embedded_cluster.h"
#include "status_test_util.h"

namespace rill::interop {
namespace {

using record::Compression;

constexpr int kMessages = 200;
constexpr int kPartitions = 2;

struct Codec {
  const char* name;  // librdkafka's compression.codec
  Compression stored;
};

// Message i: partition i % 2, a key (null for every 7th), two headers (one
// with a null value), a create time of its own, and a value that compresses
// well (librdkafka sends a batch uncompressed if compressing does not make
// it smaller). Timestamps start a minute before `now_ms`: far older ones
// would be behind retention.ms, and the broker could delete them before the
// consumer reads them, as Kafka would.
OutMessage MakeMessage(const std::string& topic, int i, int64_t now_ms) {
  OutMessage m;
  m.topic = topic;
  m.partition = i % kPartitions;
  if (i % 7 != 0) m.key = "key-" + std::to_string(i);
  m.value = "value-" + std::to_string(i) + "-" +
            std::string(100, static_cast<char>('a' + i % 26));
  m.headers = {{"index", std::to_string(i)}, {"empty", std::nullopt}};
  m.timestamp_ms = now_ms - 60'000 + i * 10;
  return m;
}

TEST_CASE(
    "librdkafka's batches are stored with the codec it chose and read back "
    "with keys, headers and timestamps intact",
    "[interop]") {
  const Codec codec = GENERATE(
      Codec{"none", Compression::kNone}, Codec{"gzip", Compression::kGzip},
      Codec{"snappy", Compression::kSnappy}, Codec{"lz4", Compression::kLz4},
      Codec{"zstd", Compression::kZstd});
  INFO("compression.codec=" << codec.name);
  testing::EmbeddedCluster cluster({.in_memory = true, .listen = true});
  const std::string topic = "codec";
  REQUIRE_OK(cluster.CreateTopic(topic, kPartitions));

  std::vector<OutMessage> sent;
  const int64_t now_ms = cluster.clock()->NowMs();
  {
    TestProducer producer(cluster.bootstrap_servers(),
                          {{"compression.codec", codec.name},
                           {"linger.ms", "20"},
                           {"acks", "all"}});
    for (int i = 0; i < kMessages; ++i) {
      sent.push_back(MakeMessage(topic, i, now_ms));
      producer.Produce(sent.back());
    }
    producer.Flush();
    // Each delivery report carries the offset the broker gave: partition i%2
    // gets its messages at offsets 0, 1, 2, ... in send order.
    for (const Delivery& d : producer.deliveries()) {
      CHECK(d.partition == static_cast<int32_t>(d.index) % kPartitions);
      CHECK(d.offset == static_cast<int64_t>(d.index) / kPartitions);
    }
  }

  // The broker kept librdkafka's batches: compressed with the codec, with
  // the producer's timestamps, keys and headers.
  int stored_records = 0;
  for (int p = 0; p < kPartitions; ++p) {
    const std::vector<StoredBatch> batches =
        ReadStoredBatches(cluster.broker(), {topic, PartitionId(p)});
    REQUIRE(!batches.empty());
    for (const StoredBatch& batch : batches) {
      CHECK(batch.header.compression() == codec.stored);
      CHECK(batch.header.timestamp_type() ==
            record::TimestampType::kCreateTime);
      for (const StoredRecord& r : batch.records) {
        const OutMessage& m = sent.at(r.offset * kPartitions + p);
        CHECK(r.key == m.key);
        CHECK(r.value == m.value);
        CHECK(r.timestamp_ms == m.timestamp_ms);
        CHECK(r.headers == m.headers);
        ++stored_records;
      }
    }
  }
  CHECK(stored_records == kMessages);

  // And librdkafka reads them back as they were sent.
  TestConsumer consumer(cluster.bootstrap_servers(), {{"group.id", "reader"}});
  consumer.Assign({{topic, 0, 0}, {topic, 1, 0}});
  const std::vector<ConsumedMessage> received =
      consumer.ConsumeUntil(kMessages);
  std::vector<int64_t> next_offset(kPartitions, 0);
  for (const ConsumedMessage& r : received) {
    REQUIRE((r.partition >= 0 && r.partition < kPartitions));
    CHECK(r.offset == next_offset[r.partition]++);
    const OutMessage& m = sent.at(r.offset * kPartitions + r.partition);
    CHECK(r.key == m.key);
    CHECK(r.value == m.value);
    CHECK(r.headers == m.headers);
    CHECK(r.timestamp_ms == m.timestamp_ms);
    CHECK(r.timestamp_type == RD_KAFKA_TIMESTAMP_CREATE_TIME);
  }
}

}  // namespace
}  // namespace rill::interop
