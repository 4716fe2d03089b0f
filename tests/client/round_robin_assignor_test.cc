#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "rill/client/assignor.h"
#include "status_test_util.h"

namespace rill {
namespace {

using Partitions = std::vector<TopicPartition>;

TopicPartition TP(const std::string& topic, int32_t partition) {
  return {.topic = topic, .partition = PartitionId(partition)};
}

Assignor::GroupAssignment RoundRobin(
    const Assignor::PartitionCounts& counts,
    const Assignor::Subscriptions& subscriptions) {
  absl::StatusOr<Assignor::GroupAssignment> got =
      NewRoundRobinAssignor()->Assign(counts, subscriptions);
  REQUIRE_OK(got);
  return *std::move(got);
}

TEST_CASE(
    "Round robin matches the equal-subscription example in Kafka's "
    "Javadoc",
    "[client][assignor]") {
  auto a = RoundRobin(
      {{"t0", 3}, {"t1", 3}},
      {{"C0", {.topics = {"t0", "t1"}}}, {"C1", {.topics = {"t0", "t1"}}}});
  CHECK(a["C0"] == Partitions{TP("t0", 0), TP("t0", 2), TP("t1", 1)});
  CHECK(a["C1"] == Partitions{TP("t0", 1), TP("t1", 0), TP("t1", 2)});
}

TEST_CASE(
    "Round robin matches the uneven-subscription example in Kafka's "
    "Javadoc",
    "[client][assignor]") {
  auto a = RoundRobin({{"t0", 1}, {"t1", 2}, {"t2", 3}},
                      {{"C0", {.topics = {"t0"}}},
                       {"C1", {.topics = {"t0", "t1"}}},
                       {"C2", {.topics = {"t0", "t1", "t2"}}}});
  CHECK(a["C0"] == Partitions{TP("t0", 0)});
  CHECK(a["C1"] == Partitions{TP("t1", 0)});
  CHECK(a["C2"] ==
        Partitions{TP("t1", 1), TP("t2", 0), TP("t2", 1), TP("t2", 2)});
}

TEST_CASE("Round robin keeps dealing across topics where it left off",
          "[client][assignor]") {
  // 5 partitions over 3 members: t0p0..p2 go a, b, c; t1p0, t1p1 go a, b.
  auto a =
      RoundRobin({{"t0", 3}, {"t1", 2}}, {{"a", {.topics = {"t0", "t1"}}},
                                          {"b", {.topics = {"t0", "t1"}}},
                                          {"c", {.topics = {"t0", "t1"}}}});
  CHECK(a["a"] == Partitions{TP("t0", 0), TP("t1", 0)});
  CHECK(a["b"] == Partitions{TP("t0", 1), TP("t1", 1)});
  CHECK(a["c"] == Partitions{TP("t0", 2)});
}

TEST_CASE("Round robin deals to static members first, by instance id",
          "[client][assignor]") {
  auto a = RoundRobin({{"t", 4}},
                      {{"a", {.topics = {"t"}}},
                       {"b", {.topics = {"t"}, .group_instance_id = "z"}},
                       {"c", {.topics = {"t"}, .group_instance_id = "y"}}});
  CHECK(a["c"] == Partitions{TP("t", 0), TP("t", 3)});
  CHECK(a["b"] == Partitions{TP("t", 1)});
  CHECK(a["a"] == Partitions{TP("t", 2)});
}

TEST_CASE("Round robin skips unknown and empty topics and keeps idle members",
          "[client][assignor]") {
  auto a = RoundRobin({{"t", 2}, {"empty", 0}},
                      {{"a", {.topics = {"missing", "empty"}}},
                       {"b", {.topics = {"t"}}},
                       {"idle", {}}});
  REQUIRE(a.size() == 3);
  CHECK(a["a"].empty());
  CHECK(a["b"] == Partitions{TP("t", 0), TP("t", 1)});
  CHECK(a["idle"].empty());
  CHECK(RoundRobin({{"t", 2}}, {}).empty());
}

TEST_CASE("Round robin rejects a negative partition count",
          "[client][assignor]") {
  auto got =
      NewRoundRobinAssignor()->Assign({{"t", -5}}, {{"a", {.topics = {"t"}}}});
  CHECK(got.status().code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rill
