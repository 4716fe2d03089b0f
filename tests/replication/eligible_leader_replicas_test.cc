// Eligible leader replicas (KIP-966) and brokers back from an unclean
// shutdown, through the controller.
#include <catch2/catch.hpp>

#include "replication/controller_test_util.h"
#include "rill/replication/controller.h"
#include "status_test_util.h"

namespace rill::replication {
namespace {

using test::ControllerHarness;
using test::Ids;
using test::N;

// A topic "t" of one partition on replicas {0, 1, 2}, led by 0, with
// min.insync.replicas 2.
void MinIsrTwo(ControllerHarness& h) {
  h.Place("t", {Ids({0, 1, 2})}, {{"min.insync.replicas", "2"}});
  REQUIRE(h.Partition("t", 0).leader == N(0));
}

TEST_CASE(
    "Replicas leaving an ISR below min.insync.replicas become eligible "
    "leaders; at or above it nobody is",
    "[replication][elr]") {
  ControllerHarness h(3);
  MinIsrTwo(h);
  h.Fence({2});
  CHECK(h.Partition("t", 0).isr == Ids({0, 1}));
  CHECK(h.Partition("t", 0).elr.empty());  // the ISR still meets min
  h.Fence({1});
  CHECK(h.Partition("t", 0).isr == Ids({0}));
  CHECK(h.Partition("t", 0).elr == Ids({1}));

  SECTION("an ELR member leads when the ISR is all dead") {
    h.Fence({0});
    PartitionState p = h.Partition("t", 0);
    CHECK(p.leader == kNoLeader);
    CHECK(p.isr == Ids({0}));  // the last member stays
    h.Register(1);
    p = h.Partition("t", 0);
    CHECK(p.leader == N(1));
    CHECK(p.isr == Ids({1}));
    CHECK(p.elr == Ids({0}));  // 0 had everything committed too
    CHECK(h.controller->metrics().unclean_leader_elections == 0);
  }
  SECTION(
      "a member back in the ISR leaves the ELR, and a healthy ISR "
      "clears it") {
    h.Register(1);
    h.HeartbeatAll();
    REQUIRE_OK(h.Alter("t", 0, Ids({0, 1})));
    const PartitionState p = h.Partition("t", 0);
    CHECK(p.isr == Ids({0, 1}));
    CHECK(p.elr.empty());
  }
  SECTION("a replica that was never in the ISR below min is not eligible") {
    h.Fence({0});
    h.Register(2);
    CHECK(h.Partition("t", 0).leader == kNoLeader);
  }
}

TEST_CASE(
    "A broker back from an unclean shutdown leaves the ISR when an "
    "eligible replica can lead instead",
    "[replication][elr]") {
  ControllerHarness h(3);
  MinIsrTwo(h);
  h.Fence({2, 1, 0});  // ISR {0}, ELR {1}: 0 may have lost what it acked
  h.Register(0, /*clean=*/false);
  PartitionState p = h.Partition("t", 0);
  CHECK(p.leader == kNoLeader);
  CHECK(p.isr.empty());
  CHECK(p.elr == Ids({1}));
  h.Register(1);
  p = h.Partition("t", 0);
  CHECK(p.leader == N(1));
  CHECK(p.isr == Ids({1}));
}

TEST_CASE(
    "A broker back from an unclean shutdown keeps leading a partition "
    "nobody else can lead, and leaves a healthy ISR",
    "[replication][elr]") {
  SECTION("sole candidate: min.insync.replicas 1") {
    ControllerHarness h(3);
    h.Place("t", {Ids({0, 1, 2})});
    h.Fence({2, 1, 0});
    h.Register(0, /*clean=*/false);
    CHECK(h.Partition("t", 0).leader == N(0));
  }
  SECTION("an ISR member among others") {
    ControllerHarness h(3);
    MinIsrTwo(h);
    h.Fence({2});  // ISR {0, 1}
    h.Register(2, /*clean=*/false);
    // 2 was out of the ISR already: nothing to take away.
    CHECK(h.Partition("t", 0).isr == Ids({0, 1}));
  }
}

}  // namespace
}  // namespace rill::replication
