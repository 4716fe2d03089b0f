// AlterPartition: the leader's compare-and-set of its ISR (KIP-497,
// KIP-841).
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

// Broker 2 died and came back: the partition on {0, 1, 2} is led by 0 with
// ISR {0, 1}.
ControllerHarness& Shrunk(ControllerHarness& h) {
  h.Place("t", {Ids({0, 1, 2})});
  h.Fence({2});
  h.Register(2);
  REQUIRE(h.Partition("t", 0).isr == Ids({0, 1}));
  return h;
}

TEST_CASE("The leader adds a caught-up follower back to the ISR",
          "[replication]") {
  ControllerHarness h(3);
  Shrunk(h);
  const PartitionState before = h.Partition("t", 0);
  ASSIGN_OR_REQUIRE(PartitionState after, h.Alter("t", 0, Ids({2, 0, 1})));
  CHECK(after.isr == Ids({0, 1, 2}));  // kept in replica order
  CHECK(after.leader == N(0));
  CHECK(after.leader_epoch == before.leader_epoch);
  CHECK(after.partition_epoch == before.partition_epoch + 1);
  CHECK(h.Partition("t", 0) == after);
  CHECK(h.controller->metrics().isr_expands == 1);

  ASSIGN_OR_REQUIRE(PartitionState shrunk, h.Alter("t", 0, Ids({0})));
  CHECK(shrunk.isr == Ids({0}));
  CHECK(h.controller->metrics().isr_shrinks == 2);  // the fence, then this
}

TEST_CASE("AlterPartition refuses what Kafka refuses", "[replication]") {
  ControllerHarness h(4);
  Shrunk(h);
  const PartitionState p = h.Partition("t", 0);
  AlterPartitionRequest request = h.AlterRequest("t", 0, Ids({0, 1, 2}));
  auto refused = [&](ErrorReason reason) {
    absl::StatusOr<PartitionState> result =
        h.controller->AlterPartition(request);
    INFO(result.status().ToString());
    CHECK(HasErrorReason(result.status(), reason));
    CHECK(h.Partition("t", 0) == p);  // nothing written
  };

  SECTION("from a dead incarnation of the leader") {
    request.leader_broker_epoch -= 1;
    refused(ErrorReason::kStaleBrokerEpoch);
  }
  SECTION("for a partition that does not exist") {
    request.partition.partition = PartitionId(1);
    refused(ErrorReason::kUnknownTopicOrPartition);
  }
  SECTION("with an old leader epoch") {
    request.leader_epoch = p.leader_epoch - 1;
    refused(ErrorReason::kFencedLeaderEpoch);
  }
  SECTION("from a broker that does not lead") {
    request.leader_id = N(1);
    request.leader_broker_epoch = h.epochs.at(N(1));
    refused(ErrorReason::kNotLeaderOrFollower);
  }
  SECTION("against another partition epoch") {
    request.partition_epoch = p.partition_epoch - 1;
    refused(ErrorReason::kInvalidUpdateVersion);
  }
  SECTION("an ISR without the leader") {
    request.new_isr = Ids({1, 2});
    refused(ErrorReason::kInvalidRequest);
  }
  SECTION("an ISR with a broker that is not a replica") {
    request.new_isr = Ids({0, 1, 3});
    refused(ErrorReason::kInvalidRequest);
  }
  SECTION("an ISR naming a replica twice") {
    request.new_isr = Ids({0, 1, 1});
    refused(ErrorReason::kInvalidRequest);
  }
  SECTION("an ISR with a fenced replica") {
    REQUIRE_OK(h.controller->FenceBroker(N(2)));
    refused(ErrorReason::kIneligibleReplica);
  }
}

TEST_CASE("Two ISR changes from one partition epoch: the second is refused",
          "[replication]") {
  ControllerHarness h(3);
  Shrunk(h);
  const PartitionState p = h.Partition("t", 0);
  AlterPartitionRequest request = h.AlterRequest("t", 0, Ids({0, 1, 2}));
  REQUIRE_OK(h.controller->AlterPartition(request));
  request.new_isr = Ids({0});
  CHECK(HasErrorReason(h.controller->AlterPartition(request).status(),
                       ErrorReason::kInvalidUpdateVersion));
  CHECK(h.Partition("t", 0).isr == Ids({0, 1, 2}));
}

TEST_CASE("A deposed leader's AlterPartition is fenced by the leader epoch",
          "[replication]") {
  ControllerHarness h(3);
  Shrunk(h);
  AlterPartitionRequest request = h.AlterRequest("t", 0, Ids({0, 1}));
  h.Fence({0});
  request.leader_broker_epoch = h.Register(0);  // back, now a follower
  CHECK(HasErrorReason(h.controller->AlterPartition(request).status(),
                       ErrorReason::kFencedLeaderEpoch));
}

}  // namespace
}  // namespace rill::replication
