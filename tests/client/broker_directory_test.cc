// Clients over a BrokerDirectory whose one broker can be cut off: they wait
// for (and resend to) a leader or coordinator that cannot be reached, within
// their timeouts, and need nothing else from the directory.
#include "rill/client/broker_directory.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "client_test_util.h"
#include "rill/client/admin.h"
#include "rill/client/consumer.h"
#include "rill/client/producer.h"
#include "rill/error.h"
#include "status_test_util.h"

namespace rill {
namespace {

using test::ClientEnv;

// Switchable is a directory of the env's broker that a test can cut off.
struct Switchable {
  std::atomic<bool> reachable{true};
  std::shared_ptr<BrokerDirectory> directory;

  explicit Switchable(Broker& broker) {
    std::shared_ptr<Broker> view(&broker, [](Broker*) {});
    directory =
        NewBrokerDirectory({broker.node_id()}, [this, view](NodeId node) {
          return reachable.load() && node == view->node_id() ? view : nullptr;
        });
  }
};

TEST_CASE("A single-broker directory finds its broker by id only", "[client]") {
  ClientEnv env;
  std::shared_ptr<BrokerDirectory> one = NewSingleBrokerDirectory(*env.broker);
  CHECK(one->Get(env.broker->node_id()).get() == env.broker.get());
  CHECK(one->Get(NodeId(7)) == nullptr);
  REQUIRE(one->Bootstrap().size() == 1);
  CHECK(one->Bootstrap().front().get() == env.broker.get());
}

TEST_CASE(
    "A producer resends to a leader that could not be reached, once it "
    "can be, within delivery.timeout.ms",
    "[client]") {
  ClientEnv env;
  env.CreateTopic("t", 1);
  Switchable brokers(*env.broker);
  ASSIGN_OR_REQUIRE(
      auto producer,
      Producer::Create(brokers.directory, {.linger_ms = 0,
                                           .delivery_timeout_ms = 1'000,
                                           .retry_backoff_ms = 100}));
  // The partition's leader is known before it goes away.
  REQUIRE_OK(producer->Send({.topic = "t", .value = "first"}));
  REQUIRE_OK(producer->Flush());
  brokers.reachable = false;

  SECTION("it comes back: the record is written once, after the first") {
    std::atomic<int> delivered{0};
    Offset offset(-1);
    REQUIRE_OK(producer->Send({.topic = "t", .value = "second"},
                              [&](absl::StatusOr<RecordMetadata> m) {
                                REQUIRE_OK(m);
                                offset = m->offset;
                                ++delivered;
                              }));
    env.clock->AdvanceMs(100);
    env.clock->AdvanceMs(100);
    CHECK(delivered == 0);
    brokers.reachable = true;
    env.clock->AdvanceMs(100);
    CHECK(delivered == 1);
    CHECK(offset == Offset(1));
    REQUIRE_OK(producer->Flush());
    ASSIGN_OR_REQUIRE(PartitionOffsets end,
                      env.broker->GetPartitionOffsets({"t", PartitionId(0)}));
    CHECK(end.log_end_offset == Offset(2));
  }
  SECTION("it stays away: the record fails after delivery.timeout.ms") {
    absl::Status outcome;
    bool done = false;
    REQUIRE_OK(producer->Send({.topic = "t", .value = "second"},
                              [&](absl::StatusOr<RecordMetadata> m) {
                                outcome = m.status();
                                done = true;
                              }));
    for (int i = 0; i < 12 && !done; ++i) env.clock->AdvanceMs(100);
    CHECK(done);
    CHECK(HasErrorReason(outcome, ErrorReason::kLeaderNotAvailable));
    CHECK(HasErrorReason(producer->Flush(), ErrorReason::kLeaderNotAvailable));
    brokers.reachable = true;
  }
}

TEST_CASE(
    "A producer with nothing reachable is refused at creation, and Send "
    "to an unknown topic of a reachable cluster fails at once",
    "[client]") {
  ClientEnv env;
  Switchable brokers(*env.broker);
  brokers.reachable = false;
  CHECK(HasErrorReason(Producer::Create(brokers.directory, {}).status(),
                       ErrorReason::kLeaderNotAvailable));
  brokers.reachable = true;
  ASSIGN_OR_REQUIRE(auto producer, Producer::Create(brokers.directory, {}));
  CHECK(HasErrorReason(producer->Send({.topic = "nope", .value = "v"}),
                       ErrorReason::kUnknownTopicOrPartition));
}

TEST_CASE("A consumer fetches again once its leader can be reached",
          "[client]") {
  ClientEnv env;
  env.CreateTopic("t", 2);
  env.ProduceValues({"t", PartitionId(0)}, 5, "a");
  env.ProduceValues({"t", PartitionId(1)}, 5, "b");
  Switchable brokers(*env.broker);
  ASSIGN_OR_REQUIRE(
      auto consumer,
      Consumer::Create(brokers.directory,
                       {.auto_offset_reset = AutoOffsetReset::kEarliest}));
  REQUIRE_OK(consumer->Assign({{"t", PartitionId(0)}, {"t", PartitionId(1)}}));
  // Positions are found, then the broker goes away before anything is read.
  REQUIRE_OK(consumer->Position({"t", PartitionId(0)}).status());
  REQUIRE_OK(consumer->Position({"t", PartitionId(1)}).status());
  brokers.reachable = false;
  ASSIGN_OR_REQUIRE(ConsumerRecords nothing, consumer->Poll(150));
  CHECK(nothing.empty());
  brokers.reachable = true;
  std::vector<test::Polled> polled = test::PollUntil(*consumer, 10);
  CHECK(polled.size() == 10);
}

TEST_CASE(
    "A group member whose coordinator cannot be reached joins once it "
    "can, and commits there",
    "[client]") {
  ClientEnv env;
  env.CreateTopic("t", 1);
  const TopicPartition tp{"t", PartitionId(0)};
  env.ProduceValues(tp, 4);
  Switchable brokers(*env.broker);
  ASSIGN_OR_REQUIRE(
      auto consumer,
      Consumer::Create(brokers.directory,
                       {.group_id = "g",
                        .auto_offset_reset = AutoOffsetReset::kEarliest,
                        .enable_auto_commit = false,
                        .session_timeout_ms = 1000,
                        .heartbeat_interval_ms = 100}));
  REQUIRE_OK(consumer->Subscribe({"t"}));
  brokers.reachable = false;
  ASSIGN_OR_REQUIRE(ConsumerRecords nothing, consumer->Poll(150));
  CHECK(nothing.empty());
  CHECK(consumer->generation_id() < 0);
  brokers.reachable = true;
  std::vector<test::Polled> polled = test::PollUntil(*consumer, 4);
  CHECK(polled.size() == 4);
  CHECK(consumer->generation_id() >= 1);
  REQUIRE_OK(consumer->CommitSync());
  ASSIGN_OR_REQUIRE(auto admin, Admin::Create(brokers.directory));
  ASSIGN_OR_REQUIRE(auto committed, admin->ListConsumerGroupOffsets("g"));
  CHECK(committed.at(tp).offset == Offset(4));
  REQUIRE_OK(consumer->Close());
}

}  // namespace
}  // namespace rill
