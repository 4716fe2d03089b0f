// rdkafka_test_util.h — librdkafka clients for the interop tests: owning
// handles, the settings every test shares, a producer that records its
// delivery reports, a consumer that copies what it reads, and bounded waits.
//
//   rill::testing::EmbeddedCluster cluster({.in_memory = true, .listen =
//   true}); TestProducer producer(cluster.bootstrap_servers());
//   producer.Produce({.topic = "t", .partition = 0, .value = "v"});
//   producer.Flush();                      // every delivery report is OK
//   TestConsumer consumer(cluster.bootstrap_servers(), {{"group.id", "g"}});
//   consumer.Assign({{"t", 0, 0}});
//   auto messages = consumer.ConsumeUntil(1);
//
// Helpers fail the running Catch2 test (REQUIRE) instead of returning errors.
// Not thread-safe: each object belongs to the test thread that made it.
#ifndef RILL_TESTS_INTEROP_RDKAFKA_TEST_UTIL_H_
#define RILL_TESTS_INTEROP_RDKAFKA_TEST_UTIL_H_

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rill::interop {

// Config is librdkafka settings, applied in order.
using Config = std::vector<std::pair<std::string, std::string>>;

// Deleters for librdkafka's C objects, so std::unique_ptr owns them.
struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
struct QueueDeleter {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
struct EventDeleter {
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};
struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using KafkaPtr = std::unique_ptr<rd_kafka_t, KafkaDeleter>;
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, QueueDeleter>;
using EventPtr = std::unique_ptr<rd_kafka_event_t, EventDeleter>;
using PartitionListPtr =
    std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

// kWaitTimeout bounds every wait on a client unless a test says otherwise.
inline constexpr std::chrono::milliseconds kWaitTimeout{20'000};

// NewClient creates a producer or consumer handle with the settings every
// test shares (fast reconnects and metadata, short fetch waits) and then
// `config`; `conf_hook` may install callbacks on the configuration first.
KafkaPtr NewClient(rd_kafka_type_t type, const std::string& bootstrap,
                   const Config& config,
                   const std::function<void(rd_kafka_conf_t*)>& conf_hook = {});

// Header is one record header; nullopt is a null value.
using Header = std::pair<std::string, std::optional<std::string>>;

// OutMessage is a message to produce.
struct OutMessage {
  std::string topic = {};
  // RD_KAFKA_PARTITION_UA lets the partitioner choose.
  int32_t partition = RD_KAFKA_PARTITION_UA;
  std::optional<std::string> key = {};
  std::optional<std::string> value = {};
  std::vector<Header> headers = {};
  // Create time in ms; 0 lets librdkafka stamp the current time.
  int64_t timestamp_ms = 0;
};

// Delivery is one delivery report.
struct Delivery {
  size_t index = 0;  // which Produce call, in call order
  rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
  int32_t partition = -1;
  int64_t offset = -1;
};

// TestProducer is a librdkafka producer that keeps every delivery report.
class TestProducer {
 public:
  explicit TestProducer(const std::string& bootstrap,
                        const Config& config = {});
  TestProducer(const TestProducer&) = delete;
  TestProducer& operator=(const TestProducer&) = delete;

  rd_kafka_t* get() const { return rk_.get(); }
  // Produce enqueues a message (polling for room if the queue is full).
  void Produce(const OutMessage& message);
  // Flush waits until every message has a delivery report and requires
  // each to be a success.
  void Flush(std::chrono::milliseconds timeout = kWaitTimeout);
  // deliveries are the reports so far, in the order they arrived.
  const std::vector<Delivery>& deliveries() const { return deliveries_; }
  size_t produced() const { return produced_; }

 private:
  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message,
                         void* opaque);

  std::vector<Delivery> deliveries_;
  size_t produced_ = 0;
  KafkaPtr rk_;  // last: destroyed first, while deliveries_ still exists
};

// ConsumedMessage is a copy of a message a consumer returned.
struct ConsumedMessage {
  std::string topic;
  int32_t partition = -1;
  int64_t offset = -1;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<Header> headers;
  int64_t timestamp_ms = -1;
  rd_kafka_timestamp_type_t timestamp_type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
};

// TopicPartitionOffset names a partition and an offset (or a logical one,
// RD_KAFKA_OFFSET_BEGINNING and so on).
struct TopicPartitionOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = RD_KAFKA_OFFSET_INVALID;
};

// MakePartitionList converts to librdkafka's list.
PartitionListPtr MakePartitionList(
    const std::vector<TopicPartitionOffset>& partitions);
// FromPartitionList converts back (errors ignored).
std::vector<TopicPartitionOffset> FromPartitionList(
    const rd_kafka_topic_partition_list_t* list);

// TestConsumer is a librdkafka high-level consumer. With a subscription it
// takes part in its group through a rebalance callback that commits what it
// consumed before giving partitions up (so no record is read twice), and it
// tracks its assignment.
class TestConsumer {
 public:
  // `config` must name a group.id. enable.auto.commit is off unless set.
  TestConsumer(const std::string& bootstrap, const Config& config);
  ~TestConsumer();
  TestConsumer(const TestConsumer&) = delete;
  TestConsumer& operator=(const TestConsumer&) = delete;

  rd_kafka_t* get() const { return rk_.get(); }
  void Subscribe(const std::vector<std::string>& topics);
  void Assign(const std::vector<TopicPartitionOffset>& partitions);
  // Poll waits up to `timeout` for one message; client-side errors that
  // librdkafka recovers from (a dropped connection) are skipped, fatal ones
  // fail the test. With enable.partition.eof=true, reaching the end of a
  // partition is recorded in eofs().
  std::optional<ConsumedMessage> Poll(std::chrono::milliseconds timeout);
  // ConsumeUntil polls until `count` messages arrived (or the timeout
  // passed: then the test fails) and returns them.
  std::vector<ConsumedMessage> ConsumeUntil(
      size_t count, std::chrono::milliseconds timeout = kWaitTimeout);
  // CommitSync commits the offsets of what was consumed from the current
  // assignment (nothing new to commit is fine).
  void CommitSync();
  // Close commits, leaves the group and closes the consumer.
  void Close();

  // assignment is what the group gave this member last (as of the last
  // Poll).
  const std::vector<TopicPartitionOffset>& assignment() const {
    return assignment_;
  }
  int rebalances() const { return rebalances_; }
  // eofs lists each end of partition reached, with its offset.
  const std::vector<TopicPartitionOffset>& eofs() const { return eofs_; }

 private:
  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions,
                          void* opaque);

  std::vector<TopicPartitionOffset> assignment_;
  std::vector<TopicPartitionOffset> eofs_;
  int rebalances_ = 0;
  bool closed_ = false;
  KafkaPtr rk_;  // last: destroyed first
};

// ProduceEach sends `per_partition` values "<label><i>" to each of
// partitions 0..partitions-1 of `topic` with acks=all, and requires every
// delivery to succeed.
void ProduceEach(const std::string& bootstrap, const std::string& topic,
                 int partitions, int per_partition, const std::string& label);

// WaitUntil calls `step` until `done` holds or `timeout` passes; returns
// whether `done` held. `step` is what makes progress (a poll with its own
// short timeout), so nothing here sleeps.
bool WaitUntil(const std::function<bool()>& done,
               const std::function<void()>& step,
               std::chrono::milliseconds timeout = kWaitTimeout);

// AdminResult waits on `queue` for the result event of an admin call,
// failing the test on a timeout or a request-level error.
EventPtr AdminResult(rd_kafka_queue_t* queue,
                     std::chrono::milliseconds timeout = kWaitTimeout);

}  // namespace rill::interop

#endif  // RILL_TESTS_INTEROP_RDKAFKA_TEST_UTIL_H_
