// EmbeddedCluster's network faults: isolated brokers, cut links, latency.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "cluster_test_util.h"
#include "rill/error.h"
#include "rill/testing/embedded_cluster.h"
#include "status_test_util.h"

namespace rill::testing {
namespace {

using test::FastFailover;
using test::InIsr;
using test::Leader;
using test::LogEnd;
using test::ProduceTo;
using test::ReadValues;
using test::State;
using test::WaitFor;

const TopicPartition kTp{"t", PartitionId(0)};

bool Fenced(const EmbeddedCluster& cluster, int broker) {
  return cluster.controller()->image()->brokers().at(NodeId(broker)).fenced;
}

int64_t MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now() - start)
      .count();
}

TEST_CASE(
    "an isolated leader cannot complete acks=all produces, and is replaced "
    "once its session expires; healed, it follows the new leader",
    "[testing][faults][replication]") {
  EmbeddedCluster cluster(FastFailover());
  REQUIRE_OK(cluster.CreateTopic("t", 1, {{"min.insync.replicas", "2"}}));
  const int old_leader = Leader(cluster, kTp);
  const replication::PartitionState before = State(cluster, kTp);
  REQUIRE_OK(ProduceTo(cluster.broker(old_leader), kTp, "a"));

  REQUIRE_OK(cluster.IsolateBroker(old_leader));
  // Clients still reach it, but no follower does.
  absl::StatusOr<ProduceResult> stuck =
      ProduceTo(cluster.broker(old_leader), kTp, "never acked", Acks::kAll,
                /*timeout_ms=*/300);
  CHECK_FALSE(stuck.ok());

  CHECK(WaitFor([&] {
    const replication::PartitionState now = State(cluster, kTp);
    return now.has_leader() && now.leader.value() != old_leader;
  }));
  CHECK(Fenced(cluster, old_leader));
  const replication::PartitionState after = State(cluster, kTp);
  CHECK(InIsr(before, after.leader.value()));
  CHECK(after.leader_epoch > before.leader_epoch);
  // The isolated broker has not heard: it still thinks it leads.
  ASSIGN_OR_REQUIRE(TopicDescription stale,
                    cluster.broker(old_leader).DescribeTopic(kTp.topic));
  CHECK(stale.partitions.at(0).leader == NodeId(old_leader));

  CHECK(Leader(cluster, kTp) == after.leader.value());
  Broker& leader = cluster.broker(after.leader.value());
  REQUIRE_OK(ProduceTo(leader, kTp, "b"));

  cluster.HealAll();
  CHECK(WaitFor([&] {
    return !Fenced(cluster, old_leader) &&
           InIsr(State(cluster, kTp), old_leader) &&
           LogEnd(cluster.broker(old_leader), kTp) == Offset(2);
  }));
  // The old leader's unacknowledged tail was cut away.
  CHECK(ReadValues(leader, kTp) == std::vector<std::string>{"a", "b"});
  ASSIGN_OR_REQUIRE(TopicDescription fresh,
                    cluster.broker(old_leader).DescribeTopic(kTp.topic));
  CHECK(fresh.partitions.at(0).leader == after.leader);
}

TEST_CASE(
    "a follower cut off from its leader leaves the ISR after "
    "replica.lag.time.max.ms and rejoins when the link heals",
    "[testing][faults][replication]") {
  EmbeddedCluster cluster(FastFailover());
  REQUIRE_OK(cluster.CreateTopic("t", 1));
  const int leader = Leader(cluster, kTp);
  const int follower = (leader + 1) % 3;
  REQUIRE(WaitFor([&] { return State(cluster, kTp).isr.size() == 3; }));

  const auto cut_at = std::chrono::steady_clock::now();
  REQUIRE_OK(cluster.CutLink(leader, follower));
  for (int i = 0; i < 3; ++i) {
    REQUIRE_OK(ProduceTo(cluster.broker(leader), kTp, "x", Acks::kLeader));
  }
  CHECK(WaitFor([&] { return !InIsr(State(cluster, kTp), follower); }));
  // FastFailover's replica.lag.time.max.ms is 1000; the follower had
  // fetched within replica.fetch.wait.max.ms (50) of the cut.
  CHECK(MsSince(cut_at) >= 900);
  CHECK(LogEnd(cluster.broker(follower), kTp) == Offset(0));
  // Only the link is down: the follower keeps its session.
  CHECK_FALSE(Fenced(cluster, follower));

  REQUIRE_OK(cluster.HealLink(follower, leader));
  CHECK(WaitFor([&] {
    return InIsr(State(cluster, kTp), follower) &&
           LogEnd(cluster.broker(follower), kTp) == Offset(3);
  }));
}

TEST_CASE(
    "an isolated follower is fenced when its session expires and gets its "
    "session and the newest metadata back when healed",
    "[testing][faults][replication]") {
  EmbeddedCluster cluster(FastFailover());
  REQUIRE_OK(cluster.CreateTopic("t", 1));
  const int leader = Leader(cluster, kTp);
  const int follower = (leader + 1) % 3;

  REQUIRE_OK(cluster.IsolateBroker(follower));
  CHECK(WaitFor([&] { return Fenced(cluster, follower); }));
  CHECK_FALSE(InIsr(State(cluster, kTp), follower));
  // Metadata made meanwhile does not reach it.
  REQUIRE_OK(cluster.broker(leader).CreateTopic(
      {.name = "later", .num_partitions = 1, .replication_factor = 1}));
  CHECK(cluster.broker(leader).DescribeTopic("later").ok());
  CHECK_FALSE(cluster.broker(follower).DescribeTopic("later").ok());

  REQUIRE_OK(cluster.HealBroker(follower));
  CHECK(WaitFor(
      [&] { return cluster.broker(follower).DescribeTopic("later").ok(); }));
  CHECK(WaitFor([&] {
    return !Fenced(cluster, follower) && InIsr(State(cluster, kTp), follower);
  }));
}

TEST_CASE("latency on links delays replication and loses nothing",
          "[testing][faults][replication]") {
  EmbeddedCluster cluster(FastFailover());
  REQUIRE_OK(cluster.CreateTopic("t", 1, {{"min.insync.replicas", "3"}}));
  const int leader = Leader(cluster, kTp);
  REQUIRE(WaitFor([&] { return State(cluster, kTp).isr.size() == 3; }));
  for (int b = 0; b < 3; ++b) {
    if (b != leader) REQUIRE_OK(cluster.SetLinkLatency(leader, b, 100));
  }
  // Once this is acknowledged, every fetch in flight was sent slow.
  std::vector<std::string> values = {"warm-up"};
  REQUIRE_OK(ProduceTo(cluster.broker(leader), kTp, values.back()));

  for (int i = 0; i < 3; ++i) {
    const auto start = std::chrono::steady_clock::now();
    values.push_back("v" + std::to_string(i));
    REQUIRE_OK(ProduceTo(cluster.broker(leader), kTp, values.back()));
    // The answer to a follower's parked fetch comes back, and its next
    // fetch (which moves the high watermark) goes there: 200 ms, less the
    // timers' millisecond rounding.
    CHECK(MsSince(start) >= 195);
  }
  CHECK(State(cluster, kTp).isr.size() == 3);

  cluster.HealAll();
  values.push_back("healed");
  REQUIRE_OK(ProduceTo(cluster.broker(leader), kTp, values.back()));
  CHECK(ReadValues(cluster.broker(leader), kTp) == values);
  CHECK(WaitFor([&] {
    for (int b = 0; b < 3; ++b) {
      if (LogEnd(cluster.broker(b), kTp) != Offset(5)) return false;
    }
    return true;
  }));
}

}  // namespace
}  // namespace rill::testing
