// The Broker's data path and lifecycle: produce and fetch through it,
// reopening a data directory, retention and compaction, and bad input.
#include "rill/broker/broker.h"

#include <catch2/catch.hpp>
#include <thread>

#include "broker_test_util.h"
#include "rill/error.h"
#include "rill/io/file_system.h"
#include "status_test_util.h"

namespace rill {
namespace {

using test::FetchSync;
using test::MakeBatch;
using test::ProduceSync;
using test::ReadValues;

const TopicPartition kT0{"t", PartitionId(0)};

struct DiskBroker {
  std::shared_ptr<io::FileSystem> fs = io::NewMemFileSystem();
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(1'000);

  BrokerOptions Options() {
    BrokerOptions options{.data_dir = "/data", .fs = fs, .clock = clock};
    options.maintenance_interval_ms = 0;
    options.offsets_topic_num_partitions = 4;
    return options;
  }
  std::unique_ptr<Broker> Open() {
    auto broker = Broker::Open(Options());
    REQUIRE_OK(broker);
    return *std::move(broker);
  }
};

TEST_CASE("Produced batches get increasing offsets and read back in order",
          "[broker]") {
  DiskBroker env;
  auto broker = env.Open();
  REQUIRE_OK(broker->CreateTopic({.name = "t"}));
  ASSIGN_OR_REQUIRE(
      ProduceResult first,
      ProduceSync(*broker, kT0, MakeBatch({{"a", "1"}, {"b", "2"}})));
  ASSIGN_OR_REQUIRE(ProduceResult second,
                    ProduceSync(*broker, kT0, MakeBatch({{"c", "3"}})));
  CHECK(first.base_offset == Offset(0));
  CHECK(second.base_offset == Offset(2));
  CHECK(ReadValues(*broker, kT0) == std::vector<std::string>{"1", "2", "3"});
  ASSIGN_OR_REQUIRE(PartitionOffsets offsets, broker->GetPartitionOffsets(kT0));
  CHECK(offsets.high_watermark == Offset(3));
  CHECK(offsets.last_stable_offset == Offset(3));
}

TEST_CASE(
    "A reopened broker restores topics, configs, data, producer state "
    "and committed offsets",
    "[broker]") {
  DiskBroker env;
  std::string cluster_id;
  ProducerIdAndEpoch producer;
  {
    auto broker = env.Open();
    cluster_id = broker->cluster_id();
    CHECK(cluster_id.size() == 22);
    REQUIRE_OK(broker->CreateTopic({.name = "t",
                                    .num_partitions = 2,
                                    .configs = {{"retention.ms", "123456"}}}));
    ASSIGN_OR_REQUIRE(producer, broker->InitProducerId());
    record::BatchOptions idempotent{.producer_id = producer.producer_id.value(),
                                    .producer_epoch = producer.epoch.value(),
                                    .base_sequence = 0};
    REQUIRE_OK(
        ProduceSync(*broker, kT0, MakeBatch({{"k", "v"}}, 1'000, idempotent)));
    absl::Notification committed;
    broker->group_coordinator().CommitOffsets(
        {.group_id = "g",
         .offsets = {{.tp = kT0, .offset = Offset(1), .metadata = "m"}}},
        [&](OffsetCommitResponse r) {
          CHECK_OK(r.partition_statuses.at(0));
          committed.Notify();
        });
    committed.WaitForNotification();
    REQUIRE_OK(broker->Close());
  }
  auto broker = env.Open();
  CHECK(broker->cluster_id() == cluster_id);
  CHECK(broker->ListTopics(false) == std::vector<std::string>{"t"});
  ASSIGN_OR_REQUIRE(TopicDescription t, broker->DescribeTopic("t"));
  CHECK(t.partitions.size() == 2);
  ASSIGN_OR_REQUIRE(auto configs, broker->DescribeTopicConfigs("t"));
  bool found = false;
  for (const ConfigEntry& e : configs) {
    if (e.name == "retention.ms") {
      found = true;
      CHECK(e.value == "123456");
      CHECK(e.source == ConfigSource::kTopic);
    }
  }
  CHECK(found);
  CHECK(ReadValues(*broker, kT0) == std::vector<std::string>{"v"});

  // The producer's retry of its first batch is still recognized.
  record::BatchOptions retry{.producer_id = producer.producer_id.value(),
                             .producer_epoch = producer.epoch.value(),
                             .base_sequence = 0};
  ASSIGN_OR_REQUIRE(
      ProduceResult again,
      ProduceSync(*broker, kT0, MakeBatch({{"k", "v"}}, 1'000, retry)));
  CHECK(again.base_offset == Offset(0));
  CHECK(ReadValues(*broker, kT0).size() == 1);

  ASSIGN_OR_REQUIRE(auto committed, broker->group_coordinator().FetchOffsets(
                                        "g", std::vector<TopicPartition>{kT0}));
  REQUIRE(committed.size() == 1);
  CHECK(committed[0].offset == Offset(1));
  CHECK(committed[0].metadata == "m");

  // Producer ids are never handed out twice, across reopens too.
  ASSIGN_OR_REQUIRE(ProducerIdAndEpoch next, broker->InitProducerId());
  CHECK(next.producer_id != producer.producer_id);
}

TEST_CASE("A data directory of another broker.id is refused", "[broker]") {
  DiskBroker env;
  REQUIRE_OK(env.Open()->Close());
  BrokerOptions other = env.Options();
  other.node_id = NodeId(7);
  CHECK(absl::IsFailedPrecondition(Broker::Open(other).status()));
}

TEST_CASE(
    "A broker takes the cluster.id it is given and refuses a directory "
    "kept for another cluster",
    "[broker]") {
  DiskBroker env;
  BrokerOptions options = env.Options();
  options.cluster_id = "MkU3OEVBNTcwNTJENDM2Qg";
  {
    ASSIGN_OR_REQUIRE(std::unique_ptr<Broker> broker, Broker::Open(options));
    CHECK(broker->cluster_id() == "MkU3OEVBNTcwNTJENDM2Qg");
    REQUIRE_OK(broker->Close());
  }
  // Reopening without naming the cluster keeps the stored id.
  options.cluster_id.clear();
  {
    ASSIGN_OR_REQUIRE(std::unique_ptr<Broker> broker, Broker::Open(options));
    CHECK(broker->cluster_id() == "MkU3OEVBNTcwNTJENDM2Qg");
    REQUIRE_OK(broker->Close());
  }
  options.cluster_id = "AAAAAAAAAAAAAAAAAAAAAA";
  CHECK(absl::IsFailedPrecondition(Broker::Open(options).status()));
}

TEST_CASE(
    "Produce to an unknown topic or partition fails and creates "
    "nothing unless auto.create.topics.enable",
    "[broker]") {
  DiskBroker env;
  auto broker = env.Open();
  CHECK(HasErrorReason(
      ProduceSync(*broker, {"nope", PartitionId(0)}, MakeBatch({{"k", "v"}}))
          .status(),
      ErrorReason::kUnknownTopicOrPartition));
  REQUIRE_OK(broker->CreateTopic({.name = "t"}));
  CHECK(HasErrorReason(
      ProduceSync(*broker, {"t", PartitionId(1)}, MakeBatch({{"k", "v"}}))
          .status(),
      ErrorReason::kUnknownTopicOrPartition));
  CHECK(broker->ListTopics(false) == std::vector<std::string>{"t"});
  REQUIRE_OK(broker->Close());
  broker.reset();

  BrokerOptions options = env.Options();
  options.auto_create_topics_enable = true;
  options.num_partitions = 3;
  auto autocreating = Broker::Open(options);
  REQUIRE_OK(autocreating);
  REQUIRE_OK(ProduceSync(**autocreating, {"fresh", PartitionId(2)},
                         MakeBatch({{"k", "v"}})));
  ASSIGN_OR_REQUIRE(TopicDescription fresh,
                    (*autocreating)->DescribeTopic("fresh"));
  CHECK(fresh.partitions.size() == 3);
}

TEST_CASE(
    "acks=all with more min.insync.replicas than replicas fails with "
    "NOT_ENOUGH_REPLICAS and appends nothing",
    "[broker]") {
  DiskBroker env;
  auto broker = env.Open();
  REQUIRE_OK(broker->CreateTopic(
      {.name = "t", .configs = {{"min.insync.replicas", "2"}}}));
  CHECK(HasErrorReason(
      ProduceSync(*broker, kT0, MakeBatch({{"k", "v"}}), {.acks = Acks::kAll})
          .status(),
      ErrorReason::kNotEnoughReplicas));
  CHECK(broker->GetPartitionOffsets(kT0)->log_end_offset == Offset(0));
  REQUIRE_OK(ProduceSync(*broker, kT0, MakeBatch({{"k", "v"}}),
                         {.acks = Acks::kLeader}));
}

TEST_CASE(
    "Corrupt and oversized batches are refused through the broker and "
    "the log is unchanged",
    "[broker]") {
  DiskBroker env;
  auto broker = env.Open();
  REQUIRE_OK(broker->CreateTopic(
      {.name = "t", .configs = {{"max.message.bytes", "200"}}}));
  REQUIRE_OK(ProduceSync(*broker, kT0, MakeBatch({{"k", "ok"}})));

  std::string corrupt = MakeBatch({{"k", "v"}});
  corrupt[corrupt.size() - 2] ^= 0x5a;
  CHECK(HasErrorReason(ProduceSync(*broker, kT0, corrupt).status(),
                       ErrorReason::kCorruptMessage));
  CHECK(HasErrorReason(
      ProduceSync(*broker, kT0, MakeBatch({{"k", std::string(500, 'x')}}))
          .status(),
      ErrorReason::kMessageTooLarge));
  const absl::Status garbage =
      ProduceSync(*broker, kT0, "not a batch").status();
  CHECK((HasErrorReason(garbage, ErrorReason::kCorruptMessage) ||
         HasErrorReason(garbage, ErrorReason::kInvalidRecord)));
  CHECK(ReadValues(*broker, kT0) == std::vector<std::string>{"ok"});
}

TEST_CASE("A long-poll fetch waits for a produce and is answered by it",
          "[broker]") {
  DiskBroker env;
  auto broker = env.Open();
  REQUIRE_OK(broker->CreateTopic({.name = "t"}));
  absl::Notification answered;
  FetchResult result;
  broker->Fetch({.partitions = {{.tp = kT0, .fetch_offset = Offset(0)}},
                 .min_bytes = 1,
                 .max_wait_ms = 60'000},
                [&](FetchResult r) {
                  result = std::move(r);
                  answered.Notify();
                });
  CHECK_FALSE(answered.HasBeenNotified());
  REQUIRE_OK(ProduceSync(*broker, kT0, MakeBatch({{"k", "woke"}})));
  REQUIRE(answered.WaitForNotificationWithTimeout(absl::Seconds(30)));
  REQUIRE(result.partitions.size() == 1);
  CHECK_OK(result.partitions[0].status);
  CHECK(result.partitions[0].records.size_bytes > 0);
  CHECK(result.partitions[0].high_watermark == Offset(1));
}

TEST_CASE(
    "A long-poll fetch with nothing to read is answered at its "
    "deadline",
    "[broker]") {
  DiskBroker env;
  auto broker = env.Open();
  REQUIRE_OK(broker->CreateTopic({.name = "t"}));
  absl::Notification answered;
  broker->Fetch({.partitions = {{.tp = kT0, .fetch_offset = Offset(0)}},
                 .max_wait_ms = 500},
                [&](FetchResult r) {
                  CHECK(r.partitions.at(0).records.size_bytes == 0);
                  answered.Notify();
                });
  env.clock->AdvanceMs(499);
  CHECK_FALSE(answered.HasBeenNotified());
  env.clock->AdvanceMs(1);
  CHECK(answered.HasBeenNotified());
}

TEST_CASE("Retention through the broker deletes segments past retention.ms",
          "[broker]") {
  DiskBroker env;
  auto broker = env.Open();
  REQUIRE_OK(broker->CreateTopic(
      {.name = "t",
       .configs = {{"retention.ms", "60000"}, {"segment.bytes", "100"}}}));
  for (int i = 0; i < 5; ++i) {
    REQUIRE_OK(ProduceSync(
        *broker, kT0,
        MakeBatch({{"k", std::string(60, 'a' + i)}}, env.clock->NowMs())));
  }
  env.clock->AdvanceMs(120'000);
  REQUIRE_OK(ProduceSync(*broker, kT0,
                         MakeBatch({{"k", "fresh"}}, env.clock->NowMs())));
  REQUIRE_OK(broker->RunMaintenance());
  ASSIGN_OR_REQUIRE(PartitionOffsets offsets, broker->GetPartitionOffsets(kT0));
  CHECK(offsets.log_start_offset == Offset(5));
  CHECK(ReadValues(*broker, kT0, Offset(5)) ==
        std::vector<std::string>{"fresh"});
  CHECK(HasErrorReason(
      FetchSync(*broker, {.partitions = {{.tp = kT0}}, .max_wait_ms = 0})
          .partitions[0]
          .status,
      ErrorReason::kOffsetOutOfRange));
}

TEST_CASE("Compaction through the broker keeps the latest value per key",
          "[broker]") {
  DiskBroker env;
  auto broker = env.Open();
  REQUIRE_OK(broker->CreateTopic(
      {.name = "t",
       .configs = {{"cleanup.policy", "compact"},
                   {"segment.bytes", "200"},
                   {"min.cleanable.dirty.ratio", "0.01"}}}));
  for (int round = 0; round < 4; ++round) {
    for (const char* key : {"a", "b", "c"}) {
      REQUIRE_OK(ProduceSync(
          *broker, kT0,
          MakeBatch({{key, std::string(key) + std::to_string(round)}})));
    }
  }
  REQUIRE_OK(broker->RunMaintenance());
  std::vector<std::string> values = ReadValues(*broker, kT0);
  CAPTURE(values);
  // Every key's last value survives; older ones in cleaned segments do not.
  CHECK(values.size() < 12);
  for (const char* last : {"a3", "b3", "c3"}) {
    CHECK(std::find(values.begin(), values.end(), last) != values.end());
  }
  CHECK(std::find(values.begin(), values.end(), "a0") == values.end());
}

TEST_CASE("Compacted topics refuse records without keys", "[broker]") {
  DiskBroker env;
  auto broker = env.Open();
  REQUIRE_OK(broker->CreateTopic(
      {.name = "t", .configs = {{"cleanup.policy", "compact"}}}));
  CHECK(HasErrorReason(
      ProduceSync(*broker, kT0, MakeBatch({{std::nullopt, "v"}})).status(),
      ErrorReason::kInvalidRecord));
  CHECK(broker->GetPartitionOffsets(kT0)->log_end_offset == Offset(0));
}

TEST_CASE("DeleteRecords moves the low watermark and ListOffsets reports it",
          "[broker]") {
  DiskBroker env;
  auto broker = env.Open();
  REQUIRE_OK(broker->CreateTopic({.name = "t"}));
  for (int i = 0; i < 4; ++i) {
    REQUIRE_OK(ProduceSync(*broker, kT0,
                           MakeBatch({{"k", std::to_string(i)}}, 1'000 + i)));
  }
  ASSIGN_OR_REQUIRE(Offset low, broker->DeleteRecords(kT0, Offset(2)));
  CHECK(low == Offset(2));
  ASSIGN_OR_REQUIRE(
      ListOffsetsResult earliest,
      broker->ListOffsets(kT0, {.timestamp = ListOffsetsSpec::kEarliest}));
  CHECK(earliest.offset == Offset(2));
  ASSIGN_OR_REQUIRE(ListOffsetsResult latest, broker->ListOffsets(kT0, {}));
  CHECK(latest.offset == Offset(4));
  ASSIGN_OR_REQUIRE(ListOffsetsResult by_time,
                    broker->ListOffsets(kT0, {.timestamp = 1'003}));
  CHECK(by_time.offset == Offset(3));
  CHECK(HasErrorReason(broker->DeleteRecords(kT0, Offset(9)).status(),
                       ErrorReason::kOffsetOutOfRange));
}

}  // namespace
}  // namespace rill
