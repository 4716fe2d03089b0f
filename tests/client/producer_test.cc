#include "rill/client/producer.h"

#include <catch2/catch.hpp>
#include <map>
#include <thread>

#include "absl/synchronization/notification.h"
#include "rill/broker/broker.h"
#include "rill/error.h"
#include "status_test_util.h"

namespace rill {
namespace {

// StoredRecord is a record as the log holds it.
struct StoredRecord {
  Offset offset;
  int64_t timestamp_ms;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::string>> headers;
  int64_t producer_id;
  int32_t sequence;  // the batch's base sequence + offset delta
};

std::vector<StoredRecord> ReadPartition(Broker& broker,
                                        const TopicPartition& tp) {
  absl::Notification done;
  FetchResult fetched;
  broker.Fetch({.partitions = {{.tp = tp, .max_bytes = 64 << 20}},
                .max_wait_ms = 0,
                .max_bytes = 64 << 20},
               [&](FetchResult r) {
                 fetched = std::move(r);
                 done.Notify();
               });
  done.WaitForNotification();
  std::vector<StoredRecord> out;
  std::string bytes = fetched.partitions.at(0).records.ReadAll().value();
  record::BatchIterator batches(bytes);
  while (batches.Next()) {
    const record::RecordBatchHeader& h = batches.batch().header();
    absl::StatusOr<record::DecodedRecords> decoded =
        batches.batch().DecodeRecords();
    REQUIRE_OK(decoded);
    for (const record::RecordView& r : *decoded) {
      StoredRecord s{.offset = Offset(h.base_offset + r.offset_delta),
                     .timestamp_ms = r.timestamp_ms,
                     .key = {},
                     .value = {},
                     .headers = {},
                     .producer_id = h.producer_id,
                     .sequence = h.base_sequence + r.offset_delta};
      if (r.key) s.key = std::string(*r.key);
      if (r.value) s.value = std::string(*r.value);
      for (const auto& header : r.headers) {
        s.headers.emplace_back(header.key, header.value.value_or(""));
      }
      out.push_back(std::move(s));
    }
  }
  return out;
}

struct Env {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(5'000);
  std::unique_ptr<Broker> broker;

  explicit Env(int32_t partitions = 3,
               std::map<std::string, std::string> configs = {}) {
    BrokerOptions options{.clock = clock};
    options.maintenance_interval_ms = 0;
    broker = Broker::Open(options).value();
    REQUIRE_OK(broker->CreateTopic(
        {.name = "t", .num_partitions = partitions, .configs = configs}));
  }
};

TEST_CASE(
    "Keyed records land on Kafka's murmur2 partition and read back in "
    "order with their offsets",
    "[client]") {
  Env env(/*partitions=*/4);
  auto producer = Producer::Create(*env.broker, {.linger_ms = 0}).value();
  std::map<std::string, RecordMetadata> delivered;
  for (int i = 0; i < 40; ++i) {
    const std::string key = "key-" + std::to_string(i % 8);
    const std::string value = "v" + std::to_string(i);
    REQUIRE_OK(producer->Send({.topic = "t", .key = key, .value = value},
                              [&, value](absl::StatusOr<RecordMetadata> m) {
                                REQUIRE_OK(m);
                                delivered[value] = *m;
                              }));
  }
  REQUIRE_OK(producer->Flush());
  REQUIRE(delivered.size() == 40);

  // Every key on one partition, in send order, at the delivered offsets.
  std::map<std::string, PartitionId> partition_of_key;
  for (int p = 0; p < 4; ++p) {
    int64_t previous = -1;
    for (const StoredRecord& r :
         ReadPartition(*env.broker, {"t", PartitionId(p)})) {
      auto [it, fresh] = partition_of_key.emplace(*r.key, PartitionId(p));
      CHECK(it->second == PartitionId(p));
      const RecordMetadata& m = delivered.at(*r.value);
      CHECK(m.tp == TopicPartition{"t", PartitionId(p)});
      CHECK(m.offset == r.offset);
      const int64_t index = std::stoll(r.value->substr(1));
      CHECK(index > previous);
      previous = index;
    }
  }
  CHECK(partition_of_key.size() == 8);
  // Java's DefaultPartitioner: toPositive(murmur2("key-0")) % 4.
  auto partitioner = NewDefaultPartitioner();
  for (const auto& [key, partition] : partition_of_key) {
    CHECK(partitioner->Partition("t", key, 4, {}).value() == partition);
  }
}

TEST_CASE("A batch is sent when batch.size fills, before linger.ms passes",
          "[client]") {
  Env env(1);
  auto producer =
      Producer::Create(*env.broker, {.batch_size = 1000, .linger_ms = 60'000})
          .value();
  int delivered = 0;
  const std::string value(100, 'x');
  for (int i = 0; i < 30; ++i) {
    REQUIRE_OK(producer->Send({.topic = "t", .value = value},
                              [&](absl::StatusOr<RecordMetadata> m) {
                                CHECK_OK(m);
                                ++delivered;
                              }));
  }
  // No time passed and no Flush: only full batches went out.
  CHECK(delivered > 0);
  CHECK(delivered < 30);
  REQUIRE_OK(producer->Flush());
  CHECK(delivered == 30);
}

TEST_CASE("A batch waits linger.ms for more records, then is sent",
          "[client]") {
  Env env(1);
  auto producer = Producer::Create(*env.broker, {.linger_ms = 50}).value();
  bool delivered = false;
  REQUIRE_OK(producer->Send({.topic = "t", .value = "late"},
                            [&](absl::StatusOr<RecordMetadata> m) {
                              CHECK_OK(m);
                              delivered = true;
                            }));
  env.clock->AdvanceMs(49);
  CHECK_FALSE(delivered);
  env.clock->AdvanceMs(1);
  CHECK(delivered);
  CHECK(ReadPartition(*env.broker, {"t", PartitionId(0)}).size() == 1);
}

TEST_CASE(
    "Idempotent batches carry the producer id and consecutive "
    "sequences",
    "[client]") {
  Env env(1);
  auto producer = Producer::Create(*env.broker, {.batch_size = 300}).value();
  const ProducerIdAndEpoch id = producer->producer_id();
  CHECK(id.producer_id.value() >= 0);
  for (int i = 0; i < 20; ++i) {
    REQUIRE_OK(producer->Send({.topic = "t", .value = std::string(50, 'a')}));
  }
  REQUIRE_OK(producer->Flush());
  std::vector<StoredRecord> stored =
      ReadPartition(*env.broker, {"t", PartitionId(0)});
  REQUIRE(stored.size() == 20);
  for (int i = 0; i < 20; ++i) {
    CHECK(stored[i].producer_id == id.producer_id.value());
    CHECK(stored[i].sequence == i);
  }

  auto plain =
      Producer::Create(*env.broker, {.enable_idempotence = false}).value();
  CHECK(plain->producer_id().producer_id == ProducerId(-1));
  REQUIRE_OK(plain->Send({.topic = "t", .value = "x"}));
  REQUIRE_OK(plain->Flush());
  CHECK(ReadPartition(*env.broker, {"t", PartitionId(0)}).back().producer_id ==
        -1);
}

TEST_CASE("Headers, timestamps and null keys and values are kept", "[client]") {
  Env env(1);
  auto producer = Producer::Create(*env.broker, {}).value();
  const record::RecordHeader headers[] = {{.key = "h1", .value = "x"},
                                          {.key = "h2", .value = "y"}};
  REQUIRE_OK(producer->Send({.topic = "t",
                             .partition = PartitionId(0),
                             .value = "with headers",
                             .headers = headers,
                             .timestamp_ms = 123}));
  REQUIRE_OK(producer->Send({.topic = "t", .partition = PartitionId(0)}));
  REQUIRE_OK(producer->Flush());
  std::vector<StoredRecord> stored =
      ReadPartition(*env.broker, {"t", PartitionId(0)});
  REQUIRE(stored.size() == 2);
  CHECK(stored[0].timestamp_ms == 123);
  CHECK_FALSE(stored[0].key.has_value());
  CHECK(stored[0].headers == std::vector<std::pair<std::string, std::string>>{
                                 {"h1", "x"}, {"h2", "y"}});
  CHECK(stored[1].timestamp_ms == env.clock->NowMs());
  CHECK_FALSE(stored[1].value.has_value());
}

TEST_CASE(
    "Send refuses unknown topics and partitions and oversized records "
    "at once",
    "[client]") {
  Env env(2);
  auto producer =
      Producer::Create(*env.broker, {.max_request_size = 1000}).value();
  CHECK(HasErrorReason(producer->Send({.topic = "nope", .value = "v"}),
                       ErrorReason::kUnknownTopicOrPartition));
  CHECK(HasErrorReason(
      producer->Send({.topic = "t", .partition = PartitionId(2), .value = "v"}),
      ErrorReason::kUnknownTopicOrPartition));
  CHECK(HasErrorReason(
      producer->Send({.topic = "t", .value = std::string(2000, 'x')}),
      ErrorReason::kMessageTooLarge));
  REQUIRE_OK(producer->Close());
  CHECK(absl::IsFailedPrecondition(producer->Send({.topic = "t"})));
}

TEST_CASE(
    "A batch the broker refuses fails its records, Flush reports it, "
    "and later sends still succeed",
    "[client]") {
  Env env(1, {{"max.message.bytes", "500"}});
  auto producer = Producer::Create(*env.broker, {.batch_size = 400}).value();
  absl::Status failed;
  REQUIRE_OK(producer->Send(
      {.topic = "t", .value = std::string(450, 'x')},
      [&](absl::StatusOr<RecordMetadata> m) { failed = m.status(); }));
  CHECK(HasErrorReason(producer->Flush(), ErrorReason::kMessageTooLarge));
  CHECK(HasErrorReason(failed, ErrorReason::kMessageTooLarge));
  // The refused batch's sequence numbers are reused: no gap for the broker.
  REQUIRE_OK(producer->Send({.topic = "t", .value = "small"}));
  REQUIRE_OK(producer->Flush());
  std::vector<StoredRecord> stored =
      ReadPartition(*env.broker, {"t", PartitionId(0)});
  REQUIRE(stored.size() == 1);
  CHECK(*stored[0].value == "small");
  CHECK(stored[0].sequence == 0);
}

TEST_CASE(
    "Retriable errors are retried until they clear or "
    "delivery.timeout.ms passes",
    "[client]") {
  Env env(1, {{"min.insync.replicas", "2"}});
  auto producer = Producer::Create(*env.broker, {.linger_ms = 0,
                                                 .delivery_timeout_ms = 1'000,
                                                 .retry_backoff_ms = 100})
                      .value();

  SECTION("the error clears: the record is written once") {
    bool delivered = false;
    REQUIRE_OK(producer->Send({.topic = "t", .value = "v"},
                              [&](absl::StatusOr<RecordMetadata> m) {
                                CHECK_OK(m);
                                delivered = true;
                              }));
    env.clock->AdvanceMs(100);
    env.clock->AdvanceMs(100);
    CHECK_FALSE(delivered);
    REQUIRE_OK(env.broker->AlterTopicConfigs(
        "t", {{.name = "min.insync.replicas", .value = "1"}}));
    env.clock->AdvanceMs(100);
    CHECK(delivered);
    CHECK(ReadPartition(*env.broker, {"t", PartitionId(0)}).size() == 1);
  }
  SECTION("the error persists: the record fails after the timeout") {
    absl::Status outcome;
    REQUIRE_OK(producer->Send(
        {.topic = "t", .value = "v"},
        [&](absl::StatusOr<RecordMetadata> m) { outcome = m.status(); }));
    for (int i = 0; i < 12 && outcome.ok(); ++i) env.clock->AdvanceMs(100);
    CHECK(HasErrorReason(outcome, ErrorReason::kNotEnoughReplicas));
  }
}

TEST_CASE("SendWithFuture's future holds the record's metadata", "[client]") {
  Env env(1);
  auto producer = Producer::Create(*env.broker, {.linger_ms = 0}).value();
  auto first = producer->SendWithFuture({.topic = "t", .value = "a"});
  auto second = producer->SendWithFuture({.topic = "t", .value = "b"});
  REQUIRE_OK(producer->Flush());
  CHECK(first.get().value().offset == Offset(0));
  CHECK(second.get().value().offset == Offset(1));
  auto refused = producer->SendWithFuture({.topic = "nope", .value = "c"});
  CHECK(HasErrorReason(refused.get().status(),
                       ErrorReason::kUnknownTopicOrPartition));
}

TEST_CASE(
    "Records sent from many threads are each written once, in each "
    "thread's order",
    "[client]") {
  Env env(2);
  auto producer = Producer::Create(*env.broker, {.batch_size = 512}).value();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        const std::string key = "thread-" + std::to_string(t);
        const std::string value = std::to_string(t) + ":" + std::to_string(i);
        CHECK_OK(producer->Send({.topic = "t", .key = key, .value = value}));
      }
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE_OK(producer->Flush());
  std::map<int, int> next_per_thread;
  size_t total = 0;
  for (int p = 0; p < 2; ++p) {
    for (const StoredRecord& r :
         ReadPartition(*env.broker, {"t", PartitionId(p)})) {
      const int thread = std::stoi(r.value->substr(0, r.value->find(':')));
      const int index = std::stoi(r.value->substr(r.value->find(':') + 1));
      CHECK(index == next_per_thread[thread]++);
      ++total;
    }
  }
  CHECK(total == 2000);
}

TEST_CASE("ProducerOptions read Kafka's property names", "[client]") {
  ASSIGN_OR_REQUIRE(
      ProducerOptions options,
      ProducerOptions::FromProperties({{"acks", "1"},
                                       {"linger.ms", "20"},
                                       {"batch.size", "65536"},
                                       {"compression.type", "zstd"},
                                       {"enable.idempotence", "false"},
                                       {"request.timeout.ms", "5000"},
                                       {"client.id", "me"}}));
  CHECK(options.acks == Acks::kLeader);
  CHECK(options.linger_ms == 20);
  CHECK(options.batch_size == 65536);
  CHECK(options.compression_type == record::Compression::kZstd);
  CHECK_FALSE(options.enable_idempotence);
  CHECK(options.client_id == "me");
  CHECK(options.request_timeout_ms == 5000);
  CHECK_FALSE(ProducerOptions::FromProperties({{"acks", "2"}}).ok());
  CHECK_FALSE(ProducerOptions::FromProperties({{"linger.ms", "-1"}}).ok());
  CHECK_FALSE(ProducerOptions::FromProperties({{"bogus", "1"}}).ok());
}

TEST_CASE("Idempotence needs acks=all", "[client]") {
  Env env(1);
  CHECK(absl::IsInvalidArgument(
      Producer::Create(*env.broker, {.acks = Acks::kLeader}).status()));
  CHECK_OK(Producer::Create(*env.broker, {.acks = Acks::kLeader,
                                          .enable_idempotence = false})
               .status());
}

}  // namespace
}  // namespace rill
