#include "replication/replica_assignment.h"

#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <vector>

#include "replication/controller_test_util.h"
#include "rill/error.h"
#include "status_test_util.h"

namespace rill::replication {
namespace {

using test::Ids;
using test::N;

// Spread counts, per broker, the partitions it leads and the replicas it
// holds.
struct Spread {
  std::map<NodeId, int> leaders;
  std::map<NodeId, int> replicas;
};

Spread Count(const std::vector<std::vector<NodeId>>& assignment) {
  Spread spread;
  for (const auto& replicas : assignment) {
    ++spread.leaders[replicas.front()];
    for (NodeId r : replicas) ++spread.replicas[r];
  }
  return spread;
}

TEST_CASE("Placement spreads leaders and replicas evenly, never doubling up",
          "[replication]") {
  const std::vector<NodeId> brokers = Ids({1, 2, 3, 4, 5});
  for (int32_t start = 0; start < 5; ++start) {
    for (int32_t shift = 0; shift < 5; ++shift) {
      const auto assignment =
          internal::AssignReplicas(brokers, 0, 10, 3, start, shift);
      REQUIRE(assignment.size() == 10);
      for (const auto& replicas : assignment) {
        REQUIRE(replicas.size() == 3);
        CHECK(std::set<NodeId>(replicas.begin(), replicas.end()).size() == 3);
      }
      const Spread spread = Count(assignment);
      for (NodeId b : brokers) {
        CHECK(spread.leaders.at(b) == 2);
        CHECK(spread.replicas.at(b) == 6);
      }
    }
  }
}

TEST_CASE("Followers of one leader move on each round of leaders",
          "[replication]") {
  // Partitions 0 and 3 share leader 1 (3 brokers); their followers differ
  // in order, so a leader's failure spreads its load.
  const auto assignment =
      internal::AssignReplicas(Ids({1, 2, 3}), 0, 6, 2, 0, 0);
  REQUIRE(assignment[0].front() == N(1));
  REQUIRE(assignment[3].front() == N(1));
  CHECK(assignment[0][1] != assignment[3][1]);
}

TEST_CASE("Placement continues where a topic's partitions end",
          "[replication]") {
  const auto all = internal::AssignReplicas(Ids({1, 2, 3}), 0, 6, 2, 1, 2);
  const auto tail = internal::AssignReplicas(Ids({1, 2, 3}), 4, 2, 2, 1, 2);
  CHECK(tail[0] == all[4]);
  CHECK(tail[1] == all[5]);
}

TEST_CASE("The controller places a topic on live brokers from its seed",
          "[replication]") {
  test::ControllerHarness one(4, {.assignment_seed = 11});
  test::ControllerHarness two(4, {.assignment_seed = 11});
  REQUIRE_OK(one.controller->FenceBroker(N(3)));
  REQUIRE_OK(two.controller->FenceBroker(N(3)));
  const TopicState a = one.Create("t", 6, 2);
  const TopicState b = two.Create("t", 6, 2);
  for (size_t p = 0; p < a.partitions.size(); ++p) {
    CHECK(a.partitions[p].replicas == b.partitions[p].replicas);
    CHECK_FALSE(test::Contains(a.partitions[p].replicas, N(3)));
    CHECK(a.partitions[p].leader == a.partitions[p].replicas.front());
    CHECK(a.partitions[p].isr == a.partitions[p].replicas);
  }
  const Spread spread = Count([&] {
    std::vector<std::vector<NodeId>> replicas;
    for (const auto& p : a.partitions) replicas.push_back(p.replicas);
    return replicas;
  }());
  for (int id = 0; id < 3; ++id) CHECK(spread.leaders.at(N(id)) == 2);
}

TEST_CASE("A placement by hand must name distinct registered brokers",
          "[replication]") {
  test::ControllerHarness h(3);
  REQUIRE_OK(h.controller->FenceBroker(N(2)));
  const auto image = h.controller->image();
  auto check = [&](std::vector<std::vector<NodeId>> assignment) {
    return internal::ValidateAssignment(assignment, -1, *image);
  };
  CHECK_OK(check({Ids({0, 1}), Ids({1, 2})}));
  CHECK(HasErrorReason(check({Ids({0, 0})}),
                       ErrorReason::kInvalidReplicaAssignment));
  CHECK(HasErrorReason(check({Ids({0, 7})}),
                       ErrorReason::kInvalidReplicaAssignment));
  CHECK(HasErrorReason(check({Ids({0, 1}), Ids({1})}),
                       ErrorReason::kInvalidReplicaAssignment));
  CHECK(HasErrorReason(check({{}}), ErrorReason::kInvalidReplicaAssignment));
  CHECK(HasErrorReason(check({Ids({2})}),  // only a fenced broker
                       ErrorReason::kInvalidReplicaAssignment));
}

}  // namespace
}  // namespace rill::replication
