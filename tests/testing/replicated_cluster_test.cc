// EmbeddedCluster with several brokers: replication, acks=all, failover.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "rill/error.h"
#include "rill/testing/embedded_cluster.h"
#include "status_test_util.h"
#include "testing/cluster_test_util.h"

namespace rill::testing {
namespace {

using test::Describe;
using test::LogEnd;
using test::ProduceTo;
using test::ThreeBrokers;
using test::WaitFor;

TEST_CASE(
    "a three-broker cluster places three replicas and acks=all waits "
    "for the ISR",
    "[replication]") {
  EmbeddedCluster cluster(ThreeBrokers());
  REQUIRE_OK(cluster.CreateTopic("t", 1, {{"min.insync.replicas", "2"}}));
  const TopicPartition tp{"t", PartitionId(0)};
  const PartitionDescription p = Describe(cluster, tp);
  CHECK(p.replicas.size() == 3);
  CHECK(p.isr.size() == 3);
  Broker& leader = cluster.broker(p.leader.value());

  for (int i = 0; i < 5; ++i) {
    absl::StatusOr<ProduceResult> r =
        ProduceTo(leader, tp, "v" + std::to_string(i));
    REQUIRE_OK(r);
    CHECK(r->base_offset == Offset(i));
    // Acknowledged: every in-sync replica has it.
    for (int b = 0; b < 3; ++b) {
      CHECK(LogEnd(cluster.broker(b), tp) >= Offset(i + 1));
    }
  }
  absl::StatusOr<PartitionOffsets> offsets = leader.GetPartitionOffsets(tp);
  REQUIRE_OK(offsets);
  CHECK(offsets->high_watermark == Offset(5));
}

TEST_CASE("the brokers of a cluster share one cluster id", "[replication]") {
  EmbeddedCluster cluster(ThreeBrokers());
  CHECK(cluster.broker(1).cluster_id() == cluster.broker(0).cluster_id());
  CHECK(cluster.broker(2).cluster_id() == cluster.broker(0).cluster_id());
  REQUIRE_OK(cluster.Restart(1));
  CHECK(cluster.broker(1).cluster_id() == cluster.broker(0).cluster_id());
}

TEST_CASE(
    "the brokers of a cluster never hand out the same producer id, across "
    "restarts too",
    "[replication]") {
  EmbeddedCluster cluster(ThreeBrokers());
  std::set<ProducerId> ids;
  for (int round = 0; round < 2; ++round) {
    for (int b = 0; b < 3; ++b) {
      for (int i = 0; i < 3; ++i) {
        absl::StatusOr<ProducerIdAndEpoch> id =
            cluster.broker(b).InitProducerId();
        REQUIRE_OK(id);
        CHECK(ids.insert(id->producer_id).second);
      }
    }
    REQUIRE_OK(cluster.Restart(1));
  }
  CHECK(ids.size() == 18);
}

TEST_CASE("a follower refuses produces with NOT_LEADER_OR_FOLLOWER",
          "[replication]") {
  EmbeddedCluster cluster(ThreeBrokers());
  REQUIRE_OK(cluster.CreateTopic("t", 1));
  const TopicPartition tp{"t", PartitionId(0)};
  const PartitionDescription p = Describe(cluster, tp);
  const int follower = (p.leader.value() + 1) % 3;
  absl::StatusOr<ProduceResult> r =
      ProduceTo(cluster.broker(follower), tp, "x");
  CHECK(HasErrorReason(r.status(), ErrorReason::kNotLeaderOrFollower));
}

TEST_CASE(
    "leadership moves to an in-sync follower when the leader shuts "
    "down, and nothing acknowledged is lost",
    "[replication]") {
  EmbeddedCluster cluster(ThreeBrokers());
  REQUIRE_OK(cluster.CreateTopic("t", 1, {{"min.insync.replicas", "2"}}));
  const TopicPartition tp{"t", PartitionId(0)};
  const PartitionDescription before = Describe(cluster, tp);
  REQUIRE_OK(ProduceTo(cluster.broker(before.leader.value()), tp, "a"));
  REQUIRE_OK(ProduceTo(cluster.broker(before.leader.value()), tp, "b"));

  REQUIRE_OK(cluster.Restart(before.leader.value()));
  const PartitionDescription after = Describe(cluster, tp);
  CHECK(after.leader != before.leader);
  CHECK(after.leader_epoch > before.leader_epoch);

  absl::StatusOr<ProduceResult> r =
      ProduceTo(cluster.broker(after.leader.value()), tp, "c");
  REQUIRE_OK(r);
  CHECK(r->base_offset == Offset(2));
  // The restarted broker catches up and every replica ends equal.
  CHECK(WaitFor([&] {
    for (int b = 0; b < 3; ++b) {
      if (LogEnd(cluster.broker(b), tp) != Offset(3)) return false;
    }
    return true;
  }));
}

TEST_CASE(
    "acks=all is refused with NOT_ENOUGH_REPLICAS when the ISR is "
    "below min.insync.replicas",
    "[replication]") {
  EmbeddedClusterOptions options = ThreeBrokers();
  options.brokers = 2;
  EmbeddedCluster cluster(options);
  REQUIRE_OK(cluster.CreateTopic("t", 1, {{"min.insync.replicas", "2"}}));
  const TopicPartition tp{"t", PartitionId(0)};
  const PartitionDescription p = Describe(cluster, tp);
  const int follower = (p.leader.value() + 1) % 2;
  REQUIRE_OK(cluster.controller()->FenceBroker(NodeId(follower)));
  CHECK(Describe(cluster, tp).isr.size() == 1);
  Broker& leader = cluster.broker(p.leader.value());
  CHECK(HasErrorReason(ProduceTo(leader, tp, "x").status(),
                       ErrorReason::kNotEnoughReplicas));
  // acks=1 still goes through.
  CHECK(ProduceTo(leader, tp, "y", Acks::kLeader).ok());
}

}  // namespace
}  // namespace rill::testing
