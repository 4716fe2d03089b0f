// The election rules, through the controller.
#include <catch2/catch.hpp>

#include "replication/controller_test_util.h"
#include "rill/error.h"
#include "rill/replication/controller.h"
#include "status_test_util.h"

namespace rill::replication {
namespace {

using test::ControllerHarness;
using test::Ids;
using test::N;

// A topic "t" of one partition on replicas {0, 1, 2}, led by 0.
TopicState OnePartition(ControllerHarness& h,
                        std::map<std::string, std::string> configs = {}) {
  TopicState topic = h.Place("t", {Ids({0, 1, 2})}, std::move(configs));
  REQUIRE(h.Partition("t", 0).leader == N(0));
  return topic;
}

TEST_CASE("A dead leader's partition goes to the next live ISR replica",
          "[replication]") {
  ControllerHarness h(3);
  OnePartition(h);
  const PartitionState before = h.Partition("t", 0);
  h.Fence({0});
  const PartitionState after = h.Partition("t", 0);
  CHECK(after.leader == N(1));  // replica order, not id or ISR order
  CHECK(after.isr == Ids({1, 2}));
  CHECK(after.leader_epoch == before.leader_epoch + 1);
  CHECK(after.partition_epoch == before.partition_epoch + 1);
  const ControllerMetrics m = h.controller->metrics();
  CHECK(m.leader_elections == 1);
  CHECK(m.unclean_leader_elections == 0);
  CHECK(m.isr_shrinks == 1);
  CHECK(m.fenced_brokers == 1);
  CHECK(m.under_replicated_partitions == 1);
}

TEST_CASE("A dead follower leaves the ISR, and the leader and its epoch stay",
          "[replication]") {
  ControllerHarness h(3);
  OnePartition(h);
  const PartitionState before = h.Partition("t", 0);
  h.Fence({2});
  const PartitionState after = h.Partition("t", 0);
  CHECK(after.leader == N(0));
  CHECK(after.isr == Ids({0, 1}));
  CHECK(after.leader_epoch == before.leader_epoch);
  CHECK(after.partition_epoch == before.partition_epoch + 1);
  CHECK(h.controller->metrics().leader_elections == 0);
}

TEST_CASE("The last ISR member stays in the ISR of an offline partition",
          "[replication]") {
  ControllerHarness h(3);
  OnePartition(h);
  h.Fence({1, 2, 0});
  const PartitionState p = h.Partition("t", 0);
  CHECK(p.leader == kNoLeader);
  CHECK(p.isr == Ids({0}));
  const ControllerMetrics m = h.controller->metrics();
  CHECK(m.offline_partitions == 1);
  CHECK(m.under_min_isr_partitions == 0);  // min.insync.replicas 1, ISR {0}

  SECTION("it comes back as leader when it returns") {
    const LeaderEpoch epoch = p.leader_epoch;
    h.Register(0);
    const PartitionState back = h.Partition("t", 0);
    CHECK(back.leader == N(0));
    CHECK(back.isr == Ids({0}));
    CHECK(back.leader_epoch == epoch + 1);
    CHECK(h.controller->metrics().offline_partitions == 0);
  }
  SECTION("another replica returning does not lead: it may lack records") {
    h.Register(1);
    CHECK(h.Partition("t", 0).leader == kNoLeader);
    CHECK(h.controller->metrics().unclean_leader_elections == 0);
  }
}

TEST_CASE("Unclean election, where allowed, picks a live replica and counts",
          "[replication]") {
  SECTION("allowed by the topic's config") {
    ControllerHarness h(3);
    OnePartition(h, {{"unclean.leader.election.enable", "true"}});
    h.Fence({1, 2, 0});
    h.Register(2);
    const PartitionState p = h.Partition("t", 0);
    CHECK(p.leader == N(2));
    CHECK(p.isr == Ids({2}));
    CHECK(h.controller->metrics().unclean_leader_elections == 1);
  }
  SECTION("allowed by the controller, refused by the topic") {
    ControllerHarness h(3, {.unclean_leader_election_enable = true});
    OnePartition(h, {{"unclean.leader.election.enable", "false"}});
    h.Fence({1, 0});
    CHECK(h.Partition("t", 0).leader == N(2));  // clean: 2 was in the ISR
    h.Fence({2});
    h.Register(1);
    CHECK(h.Partition("t", 0).leader == kNoLeader);
    CHECK(h.controller->metrics().unclean_leader_elections == 0);
  }
}

TEST_CASE("Allowing unclean election elects a topic's offline partitions",
          "[replication]") {
  ControllerHarness h(3);
  OnePartition(h);
  h.Fence({0, 1, 2});
  h.Register(1);
  REQUIRE(h.Partition("t", 0).leader == kNoLeader);
  REQUIRE_OK(h.controller->SetTopicConfigs(
      "t", {{"unclean.leader.election.enable", "true"}}));
  CHECK(h.Partition("t", 0).leader == N(1));
  CHECK(h.controller->metrics().unclean_leader_elections == 1);
}

TEST_CASE("A new incarnation of a live broker replaces the old one cleanly",
          "[replication]") {
  ControllerHarness h(3);
  OnePartition(h);
  const int64_t old_epoch = h.epochs.at(N(0));
  const int64_t new_epoch =
      h.Register(0);  // restarted before its session ran out
  CHECK(new_epoch > old_epoch);
  const PartitionState p = h.Partition("t", 0);
  // The old incarnation's leadership and ISR place are gone: the new one
  // must catch up like any returning follower.
  CHECK(p.leader == N(1));
  CHECK(p.isr == Ids({1, 2}));
  CHECK(h.controller->image()->IsLive(N(0)));
  CHECK(HasErrorReason(h.controller->Heartbeat(N(0), old_epoch),
                       ErrorReason::kStaleBrokerEpoch));
}

TEST_CASE("Preferred-leader election moves leadership back to replicas[0]",
          "[replication]") {
  ControllerHarness h(3);
  OnePartition(h);
  h.Fence({0});
  h.Register(0);
  REQUIRE(h.Partition("t", 0).leader == N(1));

  // Not in the ISR yet: it may lack records, so it does not lead.
  ASSIGN_OR_REQUIRE(int32_t moved, h.controller->ElectPreferredLeaders());
  CHECK(moved == 0);
  CHECK(h.controller->metrics().preferred_replica_imbalance == 1);

  REQUIRE_OK(h.Alter("t", 0, Ids({0, 1, 2})));  // caught up
  ASSIGN_OR_REQUIRE(moved, h.controller->ElectPreferredLeaders());
  CHECK(moved == 1);
  const PartitionState p = h.Partition("t", 0);
  CHECK(p.leader == N(0));
  CHECK(p.isr == Ids({0, 1, 2}));
  CHECK(h.controller->metrics().preferred_replica_imbalance == 0);
}

// Three brokers, six partitions of replication factor 3: each broker is
// preferred for two. Broker 0 dies and returns, and is back in every ISR.
ControllerHarness& Imbalanced(ControllerHarness& h) {
  h.Create("t", 6, 3);
  h.Fence({0});
  h.Register(0);
  for (int32_t p = 0; p < 6; ++p) REQUIRE_OK(h.Alter("t", p, Ids({0, 1, 2})));
  REQUIRE(h.controller->metrics().preferred_replica_imbalance == 2);
  return h;
}

TEST_CASE("Tick rebalances leaders on leader.imbalance.check.interval",
          "[replication]") {
  SECTION("when the interval has passed") {
    ControllerHarness h(3, {.leader_imbalance_check_interval_seconds = 60});
    Imbalanced(h);
    h.clock->AdvanceMs(59'000);
    h.HeartbeatAll();
    REQUIRE_OK(h.controller->Tick());
    CHECK(h.controller->metrics().preferred_replica_imbalance == 2);
    h.clock->AdvanceMs(1'000);
    h.HeartbeatAll();
    REQUIRE_OK(h.controller->Tick());
    CHECK(h.controller->metrics().preferred_replica_imbalance == 0);
  }
  SECTION("not when auto.leader.rebalance.enable is false") {
    ControllerHarness h(3, {.auto_leader_rebalance_enable = false,
                            .leader_imbalance_check_interval_seconds = 60});
    Imbalanced(h);
    h.clock->AdvanceMs(60'000);
    h.HeartbeatAll();
    REQUIRE_OK(h.controller->Tick());
    CHECK(h.controller->metrics().preferred_replica_imbalance == 2);
  }
  SECTION("not while a broker's imbalance is within the percentage") {
    // Broker 0 leads neither of the two partitions it prefers: 100%
    // imbalance, which only a percentage below 100 acts on.
    ControllerHarness h(3, {.leader_imbalance_check_interval_seconds = 60,
                            .leader_imbalance_per_broker_percentage = 100});
    Imbalanced(h);
    h.clock->AdvanceMs(60'000);
    h.HeartbeatAll();
    REQUIRE_OK(h.controller->Tick());
    CHECK(h.controller->metrics().preferred_replica_imbalance == 2);
  }
}

}  // namespace
}  // namespace rill::replication
