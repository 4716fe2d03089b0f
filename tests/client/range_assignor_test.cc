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

Assignor::GroupAssignment Range(const Assignor::PartitionCounts& counts,
                                const Assignor::Subscriptions& subscriptions) {
  absl::StatusOr<Assignor::GroupAssignment> got =
      NewRangeAssignor()->Assign(counts, subscriptions);
  REQUIRE_OK(got);
  return *std::move(got);
}

TEST_CASE("Range matches the example in Kafka's RangeAssignor Javadoc",
          "[client][assignor]") {
  // Two consumers, topics t0 and t1 with 3 partitions each.
  auto a = Range({{"t0", 3}, {"t1", 3}}, {{"C0", {.topics = {"t0", "t1"}}},
                                          {"C1", {.topics = {"t0", "t1"}}}});
  CHECK(a["C0"] ==
        Partitions{TP("t0", 0), TP("t0", 1), TP("t1", 0), TP("t1", 1)});
  CHECK(a["C1"] == Partitions{TP("t0", 2), TP("t1", 2)});
}

TEST_CASE("Range splits each topic among its own subscribers only",
          "[client][assignor]") {
  // Kafka's RangeAssignorTest#testMultipleConsumersMixedTopics.
  auto a = Range({{"topic1", 3}, {"topic2", 2}},
                 {{"consumer1", {.topics = {"topic1"}}},
                  {"consumer2", {.topics = {"topic1", "topic2"}}},
                  {"consumer3", {.topics = {"topic1"}}}});
  CHECK(a["consumer1"] == Partitions{TP("topic1", 0)});
  CHECK(a["consumer2"] ==
        Partitions{TP("topic1", 1), TP("topic2", 0), TP("topic2", 1)});
  CHECK(a["consumer3"] == Partitions{TP("topic1", 2)});
}

TEST_CASE(
    "Range gives the first members one more when partitions do not "
    "divide evenly",
    "[client][assignor]") {
  auto a = Range({{"t", 8}}, {{"a", {.topics = {"t"}}},
                              {"b", {.topics = {"t"}}},
                              {"c", {.topics = {"t"}}}});
  CHECK(a["a"] == Partitions{TP("t", 0), TP("t", 1), TP("t", 2)});
  CHECK(a["b"] == Partitions{TP("t", 3), TP("t", 4), TP("t", 5)});
  CHECK(a["c"] == Partitions{TP("t", 6), TP("t", 7)});

  SECTION("more members than partitions leaves the last ones empty") {
    auto b =
        Range({{"t", 1}}, {{"a", {.topics = {"t"}}}, {"b", {.topics = {"t"}}}});
    CHECK(b["a"] == Partitions{TP("t", 0)});
    CHECK(b["b"].empty());
  }
}

TEST_CASE("Range orders static members by instance id, before dynamic ones",
          "[client][assignor]") {
  // Member ids sort the other way; Kafka's MemberInfo order decides.
  auto a =
      Range({{"t", 3}}, {{"m-a", {.topics = {"t"}, .group_instance_id = "i-2"}},
                         {"m-b", {.topics = {"t"}, .group_instance_id = "i-1"}},
                         {"m-0", {.topics = {"t"}}}});
  CHECK(a["m-b"] == Partitions{TP("t", 0)});
  CHECK(a["m-a"] == Partitions{TP("t", 1)});
  CHECK(a["m-0"] == Partitions{TP("t", 2)});

  SECTION("a static member keeps its range when its member id changes") {
    auto b = Range({{"t", 3}},
                   {{"m-z", {.topics = {"t"}, .group_instance_id = "i-2"}},
                    {"m-b", {.topics = {"t"}, .group_instance_id = "i-1"}},
                    {"m-0", {.topics = {"t"}}}});
    CHECK(b["m-z"] == a["m-a"]);
  }
}

TEST_CASE("Range skips unknown and empty topics and keeps idle members",
          "[client][assignor]") {
  auto a = Range({{"t", 2}, {"empty", 0}},
                 {{"a", {.topics = {"t", "missing", "empty"}}},
                  {"idle", {}},
                  {"b", {.topics = {"missing"}}}});
  REQUIRE(a.size() == 3);
  CHECK(a["a"] == Partitions{TP("t", 0), TP("t", 1)});
  CHECK(a["idle"].empty());
  CHECK(a["b"].empty());

  SECTION("a topic listed twice counts once") {
    auto b = Range({{"t", 2}},
                   {{"a", {.topics = {"t", "t"}}}, {"b", {.topics = {"t"}}}});
    CHECK(b["a"] == Partitions{TP("t", 0)});
    CHECK(b["b"] == Partitions{TP("t", 1)});
  }
  SECTION("no members gives an empty assignment") {
    CHECK(Range({{"t", 2}}, {}).empty());
  }
}

TEST_CASE("Range rejects a negative partition count", "[client][assignor]") {
  auto got =
      NewRangeAssignor()->Assign({{"t", -1}}, {{"a", {.topics = {"t"}}}});
  CHECK(got.status().code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rill
