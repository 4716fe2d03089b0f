// EmbeddedCluster's disk faults: full disks and failing syncs.
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

TEST_CASE(
    "a leader's full disk fails produces without corrupting its log, and "
    "writes resume once it has space",
    "[testing][faults][replication]") {
  EmbeddedCluster cluster(FastFailover());
  REQUIRE_OK(cluster.CreateTopic("t", 1, {{"min.insync.replicas", "2"}}));
  const int leader = Leader(cluster, kTp);
  REQUIRE_OK(ProduceTo(cluster.broker(leader), kTp, "a"));
  REQUIRE_OK(ProduceTo(cluster.broker(leader), kTp, "b"));

  REQUIRE_OK(cluster.FailDiskWrites(leader, true));
  absl::StatusOr<ProduceResult> failed =
      ProduceTo(cluster.broker(leader), kTp, "lost");
  CHECK(GetErrorReason(failed.status()) == ErrorReason::kKafkaStorageError);
  CHECK(LogEnd(cluster.broker(leader), kTp) == Offset(2));

  REQUIRE_OK(cluster.FailDiskWrites(leader, false));
  ASSIGN_OR_REQUIRE(ProduceResult r,
                    ProduceTo(cluster.broker(leader), kTp, "c"));
  CHECK(r.base_offset == Offset(2));
  CHECK(ReadValues(cluster.broker(leader), kTp) ==
        std::vector<std::string>{"a", "b", "c"});
  CHECK(WaitFor([&] {
    for (int b = 0; b < 3; ++b) {
      if (LogEnd(cluster.broker(b), kTp) != Offset(3)) return false;
    }
    return true;
  }));
}

TEST_CASE(
    "a follower with a full disk falls out of the ISR and catches up once "
    "it has space",
    "[testing][faults][replication]") {
  EmbeddedCluster cluster(FastFailover());
  REQUIRE_OK(cluster.CreateTopic("t", 1, {{"min.insync.replicas", "2"}}));
  const int leader = Leader(cluster, kTp);
  const int follower = (leader + 1) % 3;
  REQUIRE_OK(cluster.FailDiskWrites(follower, true));
  // The other follower keeps acks=all going.
  for (int i = 0; i < 3; ++i) {
    REQUIRE_OK(ProduceTo(cluster.broker(leader), kTp, "x"));
  }
  CHECK(WaitFor([&] { return !InIsr(State(cluster, kTp), follower); }));
  CHECK(LogEnd(cluster.broker(follower), kTp) == Offset(0));

  REQUIRE_OK(cluster.FailDiskWrites(follower, false));
  CHECK(WaitFor([&] {
    return InIsr(State(cluster, kTp), follower) &&
           LogEnd(cluster.broker(follower), kTp) == Offset(3);
  }));
}

TEST_CASE(
    "a failed sync fails the produce that needed it, and what is synced "
    "afterwards survives a kill",
    "[testing][faults]") {
  EmbeddedCluster cluster({.in_memory = true});
  REQUIRE_OK(cluster.CreateTopic("t", 1, {{"flush.messages", "1"}}));
  REQUIRE_OK(ProduceTo(cluster.broker(), kTp, "a"));

  REQUIRE_OK(cluster.FailSyncs(0, 1));
  absl::StatusOr<ProduceResult> failed = ProduceTo(cluster.broker(), kTp, "b");
  CHECK(absl::IsDataLoss(failed.status()));
  REQUIRE_OK(ProduceTo(cluster.broker(), kTp, "c"));
  // "b" was written before its sync failed: it may be there, unacknowledged.
  const std::vector<std::string> values = ReadValues(cluster.broker(), kTp);
  REQUIRE(values.size() >= 2);
  CHECK(values.size() <= 3);
  CHECK(values.front() == "a");
  CHECK(values.back() == "c");

  REQUIRE_OK(cluster.KillBroker(0));
  REQUIRE_OK(cluster.StartBroker(0));
  CHECK(ReadValues(cluster.broker(), kTp) == values);
}

}  // namespace
}  // namespace rill::testing
