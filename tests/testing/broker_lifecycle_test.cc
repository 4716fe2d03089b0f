// EmbeddedCluster's broker lifecycle faults: KillBroker (crash and power
// loss), StopBroker, StartBroker.
#include <catch2/catch.hpp>
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

TEST_CASE("a killed broker loses what it had not synced and keeps what it had",
          "[testing][faults]") {
  for (const bool in_memory : {true, false}) {
    CAPTURE(in_memory);
    EmbeddedCluster cluster({.in_memory = in_memory});
    REQUIRE_OK(cluster.CreateTopic("lazy"));  // flush.messages: never
    REQUIRE_OK(cluster.CreateTopic("eager", 1, {{"flush.messages", "1"}}));
    const TopicPartition lazy{"lazy", PartitionId(0)};
    const TopicPartition eager{"eager", PartitionId(0)};
    for (const char* v : {"a", "b", "c"}) {
      REQUIRE_OK(ProduceTo(cluster.broker(), lazy, v));
      REQUIRE_OK(ProduceTo(cluster.broker(), eager, v));
    }

    REQUIRE_OK(cluster.KillBroker(0));
    CHECK_FALSE(cluster.IsRunning(0));
    REQUIRE_OK(cluster.StartBroker(0));

    CHECK(LogEnd(cluster.broker(), lazy) == Offset(0));
    CHECK(LogEnd(cluster.broker(), eager) == Offset(3));
    CHECK(ReadValues(cluster.broker(), eager) ==
          std::vector<std::string>{"a", "b", "c"});
    // The recovered log takes new data where it ends.
    ASSIGN_OR_REQUIRE(ProduceResult r,
                      ProduceTo(cluster.broker(), lazy, "after"));
    CHECK(r.base_offset == Offset(0));
  }
}

TEST_CASE(
    "without simulated disks a kill crashes only the process: unsynced "
    "data stays and disk faults are refused",
    "[testing][faults]") {
  for (const bool in_memory : {true, false}) {
    CAPTURE(in_memory);
    EmbeddedCluster cluster({.in_memory = in_memory, .disk_faults = false});
    CHECK(cluster.file_system(0) == nullptr);
    REQUIRE_OK(cluster.CreateTopic("lazy"));  // flush.messages: never
    const TopicPartition lazy{"lazy", PartitionId(0)};
    for (const char* v : {"a", "b"}) {
      REQUIRE_OK(ProduceTo(cluster.broker(), lazy, v));
    }

    REQUIRE_OK(cluster.KillBroker(0));
    REQUIRE_OK(cluster.StartBroker(0));

    CHECK(ReadValues(cluster.broker(), lazy) ==
          std::vector<std::string>{"a", "b"});
    CHECK(cluster.FailDiskWrites(0, true).code() ==
          absl::StatusCode::kFailedPrecondition);
    CHECK(cluster.FailSyncs(0, 1).code() ==
          absl::StatusCode::kFailedPrecondition);
  }
}

TEST_CASE(
    "killing a leader elects a new leader from the ISR at once, and no "
    "record acknowledged with acks=all is lost",
    "[testing][faults][replication]") {
  EmbeddedCluster cluster(FastFailover());
  REQUIRE_OK(cluster.CreateTopic("t", 1, {{"min.insync.replicas", "2"}}));
  const int old_leader = Leader(cluster, kTp);
  const replication::PartitionState before = State(cluster, kTp);
  std::vector<std::string> acked;
  for (int i = 0; i < 20; ++i) {
    const std::string v = "v" + std::to_string(i);
    REQUIRE_OK(ProduceTo(cluster.broker(old_leader), kTp, v));
    acked.push_back(v);
  }

  REQUIRE_OK(cluster.KillBroker(old_leader));
  const replication::PartitionState after = State(cluster, kTp);
  REQUIRE(after.has_leader());
  CHECK(after.leader.value() != old_leader);
  CHECK(InIsr(before, after.leader.value()));
  CHECK_FALSE(InIsr(after, old_leader));
  CHECK(after.leader_epoch > before.leader_epoch);
  CHECK(cluster.controller()->image()->brokers().at(NodeId(old_leader)).fenced);

  CHECK(Leader(cluster, kTp) == after.leader.value());
  Broker& leader = cluster.broker(after.leader.value());
  CHECK(WaitFor([&] {
    absl::StatusOr<PartitionOffsets> offsets = leader.GetPartitionOffsets(kTp);
    return offsets.ok() && offsets->high_watermark == Offset(20);
  }));
  CHECK(ReadValues(leader, kTp) == acked);
  // Two replicas are left: enough for min.insync.replicas=2.
  ASSIGN_OR_REQUIRE(ProduceResult r, ProduceTo(leader, kTp, "more"));
  CHECK(r.base_offset == Offset(20));
}

TEST_CASE(
    "a killed follower restarts with only what it synced and catches up "
    "into the ISR",
    "[testing][faults][replication]") {
  EmbeddedCluster cluster(FastFailover(/*in_memory=*/false));
  REQUIRE_OK(cluster.CreateTopic("t", 1, {{"min.insync.replicas", "2"}}));
  const int leader = Leader(cluster, kTp);
  const int follower = (leader + 1) % 3;
  for (int i = 0; i < 5; ++i) {
    REQUIRE_OK(ProduceTo(cluster.broker(leader), kTp, "x"));
  }
  REQUIRE(LogEnd(cluster.broker(follower), kTp) == Offset(5));

  REQUIRE_OK(cluster.KillBroker(follower));
  CHECK_FALSE(InIsr(State(cluster, kTp), follower));
  for (int i = 0; i < 5; ++i) {
    REQUIRE_OK(ProduceTo(cluster.broker(leader), kTp, "y"));
  }
  // Kept from the leader for now, the restarted follower shows what
  // survived the power loss: nothing had been synced.
  REQUIRE_OK(cluster.CutLink(leader, follower));
  REQUIRE_OK(cluster.StartBroker(follower));
  CHECK(cluster.IsRunning(follower));
  CHECK(LogEnd(cluster.broker(follower), kTp) == Offset(0));

  REQUIRE_OK(cluster.HealLink(leader, follower));
  CHECK(WaitFor([&] {
    return LogEnd(cluster.broker(follower), kTp) == Offset(10) &&
           State(cluster, kTp).isr.size() == 3;
  }));
}

TEST_CASE(
    "a broker back from a crash stays unclean until it has registered, so "
    "a failed start in between does not make it an eligible leader again",
    "[testing][faults][replication]") {
  EmbeddedCluster cluster(FastFailover(/*in_memory=*/false));
  REQUIRE_OK(cluster.CreateTopic("t", 1, {{"min.insync.replicas", "2"}}));
  const int leader = Leader(cluster, kTp);
  const int eligible = (leader + 1) % 3;
  const int stopped = (leader + 2) % 3;
  REQUIRE_OK(cluster.StopBroker(stopped));
  REQUIRE(State(cluster, kTp).isr.size() == 2);
  std::vector<std::string> acked;
  for (const char* v : {"a", "b", "c"}) {
    REQUIRE_OK(ProduceTo(cluster.broker(leader), kTp, v));
    acked.push_back(v);
  }
  // The kill shrinks the ISR below min.insync.replicas: the killed broker
  // becomes an eligible leader, though the power loss took the records.
  REQUIRE_OK(cluster.KillBroker(eligible));
  REQUIRE(State(cluster, kTp).elr == std::vector<NodeId>{NodeId(eligible)});
  REQUIRE_OK(cluster.StopBroker(leader));
  REQUIRE_FALSE(State(cluster, kTp).has_leader());

  REQUIRE_OK(cluster.IsolateBroker(eligible));
  CHECK_FALSE(cluster.StartBroker(eligible).ok());
  CHECK_FALSE(cluster.IsRunning(eligible));
  cluster.HealAll();
  REQUIRE_OK(cluster.StartBroker(eligible));
  // Its registration still says it crashed: it leaves the ELR instead of
  // leading without the acknowledged records.
  const replication::PartitionState state = State(cluster, kTp);
  CHECK_FALSE(state.has_leader());
  CHECK(state.elr.empty());
  CHECK(state.isr == std::vector<NodeId>{NodeId(leader)});

  // The broker that has them leads when it returns; with a second replica
  // in sync again the records are served.
  REQUIRE_OK(cluster.StartBroker(leader));
  CHECK(Leader(cluster, kTp) == leader);
  REQUIRE_OK(cluster.StartBroker(stopped));
  CHECK(LogEnd(cluster.broker(leader), kTp) == Offset(3));
  CHECK(WaitFor(
      [&] { return ReadValues(cluster.broker(leader), kTp) == acked; }));
}

TEST_CASE("a stopped broker flushes first and starts again with all its data",
          "[testing][faults][replication]") {
  EmbeddedCluster cluster(FastFailover());
  REQUIRE_OK(cluster.CreateTopic("t", 1));
  const int leader = Leader(cluster, kTp);
  const int follower = (leader + 1) % 3;
  for (int i = 0; i < 4; ++i) {
    REQUIRE_OK(ProduceTo(cluster.broker(leader), kTp, "x"));
  }
  REQUIRE_OK(cluster.StopBroker(follower));
  CHECK_FALSE(cluster.IsRunning(follower));
  CHECK(absl::IsFailedPrecondition(cluster.StopBroker(follower)));
  CHECK(absl::IsFailedPrecondition(cluster.Restart(follower)));
  CHECK_FALSE(InIsr(State(cluster, kTp), follower));

  REQUIRE_OK(cluster.CutLink(leader, follower));
  REQUIRE_OK(cluster.StartBroker(follower));
  CHECK(cluster.IsRunning(follower));
  CHECK(absl::IsFailedPrecondition(cluster.StartBroker(follower)));
  CHECK(LogEnd(cluster.broker(follower), kTp) == Offset(4));
  REQUIRE_OK(cluster.HealLink(leader, follower));
  CHECK(WaitFor([&] { return InIsr(State(cluster, kTp), follower); }));
}

TEST_CASE("lifecycle calls name brokers that exist", "[testing][faults]") {
  EmbeddedCluster cluster({.brokers = 2, .in_memory = true});
  CHECK(absl::IsOutOfRange(cluster.KillBroker(2)));
  CHECK(absl::IsOutOfRange(cluster.StopBroker(-1)));
  CHECK(absl::IsOutOfRange(cluster.StartBroker(5)));
  CHECK(absl::IsOutOfRange(cluster.CutLink(0, 2)));
  CHECK(absl::IsInvalidArgument(cluster.CutLink(1, 1)));
  CHECK(absl::IsInvalidArgument(cluster.SetLinkLatency(0, 1, -1)));
  CHECK_FALSE(cluster.IsRunning(2));
  CHECK(cluster.IsRunning(1));

  EmbeddedCluster single({.in_memory = true});
  CHECK(absl::IsFailedPrecondition(single.IsolateBroker(0)));
}

}  // namespace
}  // namespace rill::testing
