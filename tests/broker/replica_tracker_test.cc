// ReplicaTracker: the leader's view of its followers, the high watermark
// and the ISR it asks for.
#include "broker/replica_tracker.h"

#include <catch2/catch.hpp>
#include <optional>
#include <vector>

namespace rill::broker {
namespace {

constexpr NodeId kLeader = NodeId(1);
constexpr NodeId kA = NodeId(2);
constexpr NodeId kB = NodeId(3);
constexpr int64_t kLagMs = 30'000;

const std::vector<NodeId> kReplicas = {kLeader, kA, kB};

TEST_CASE(
    "The high watermark is the smallest log end in the ISR, and -1 until "
    "every member fetched in this epoch",
    "[broker][replication]") {
  ReplicaTracker t;
  t.BecomeLeader(kLeader, kReplicas, kReplicas, 0);
  CHECK(t.HighWatermark(Offset(10)) == Offset(-1));
  t.RecordFetch(kA, Offset(7), Offset(10), 1);
  CHECK(t.HighWatermark(Offset(10)) == Offset(-1));
  t.RecordFetch(kB, Offset(4), Offset(10), 1);
  CHECK(t.HighWatermark(Offset(10)) == Offset(4));
  // Out of the ISR, a follower no longer holds it back.
  t.SetIsr(kReplicas, {kLeader, kA}, 2);
  CHECK(t.HighWatermark(Offset(10)) == Offset(7));
}

TEST_CASE(
    "A follower joins the ISR once it fetched past the high watermark and "
    "the epoch start; a member not caught up for the lag time leaves",
    "[broker][replication]") {
  ReplicaTracker t;
  t.BecomeLeader(kLeader, kReplicas, {kLeader, kA}, 0);
  t.RecordFetch(kA, Offset(10), Offset(10), 0);
  CHECK_FALSE(t.WantedIsr(Offset(10), Offset(0), 0, kLagMs).has_value());
  t.RecordFetch(kB, Offset(6), Offset(10), 0);
  CHECK_FALSE(t.WantedIsr(Offset(10), Offset(0), 0, kLagMs).has_value());
  t.RecordFetch(kB, Offset(10), Offset(10), 1);
  CHECK(t.WantedIsr(Offset(10), Offset(0), 1, kLagMs) ==
        std::vector<NodeId>{kLeader, kA, kB});
  // A, silent past the lag time, leaves.
  t.SetIsr(kReplicas, kReplicas, 2);
  t.RecordFetch(kB, Offset(10), Offset(10), kLagMs + 5);
  CHECK(t.WantedIsr(Offset(10), Offset(0), kLagMs + 5, kLagMs) ==
        std::vector<NodeId>{kLeader, kB});
}

TEST_CASE(
    "A follower that left the ISR (it may have crashed and lost what it "
    "fetched) rejoins only on a fetch of its own, not on what it fetched "
    "before",
    "[broker][replication]") {
  ReplicaTracker t;
  t.BecomeLeader(kLeader, kReplicas, kReplicas, 0);
  // A fetched everything the leader has, in memory only; B never fetched.
  t.RecordFetch(kA, Offset(16), Offset(16), 1);
  // A crashes (its unsynced log is gone) and the controller drops it, and
  // B, from the ISR.
  t.SetIsr(kReplicas, {kLeader}, 2);
  // The leader alone: its high watermark is 0 and A must not rejoin on the
  // 16 of its former life, or the high watermark would jump to 16 with
  // nothing replicated.
  CHECK_FALSE(t.WantedIsr(Offset(0), Offset(0), 3, kLagMs).has_value());
  // A's restarted broker fetches from its log end, 0: it may join, and
  // holds the high watermark at what it has.
  t.RecordFetch(kA, Offset(0), Offset(16), 4);
  std::optional<std::vector<NodeId>> wanted =
      t.WantedIsr(Offset(0), Offset(0), 4, kLagMs);
  REQUIRE(wanted.has_value());
  CHECK(*wanted == std::vector<NodeId>{kLeader, kA});
  t.SetIsr(kReplicas, *wanted, 5);
  CHECK(t.HighWatermark(Offset(16)) == Offset(0));
}

}  // namespace
}  // namespace rill::broker
