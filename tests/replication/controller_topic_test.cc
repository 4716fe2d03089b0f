// Topic administration through the controller: CreateTopics' validation,
// placement by hand, CreatePartitions, DeleteTopics, configs.
#include <catch2/catch.hpp>
#include <string>

#include "replication/controller_test_util.h"
#include "rill/error.h"
#include "rill/replication/controller.h"
#include "status_test_util.h"

namespace rill::replication {
namespace {

using test::ControllerHarness;
using test::Ids;
using test::N;

TEST_CASE("CreateTopic refuses what CreateTopics refuses", "[replication]") {
  ControllerHarness h(3);
  REQUIRE_OK(h.controller->FenceBroker(N(2)));  // two live brokers
  h.Create("exists", 1, 1);
  const int64_t version = h.controller->image()->version();
  auto refused = [&](const NewTopic& topic, ErrorReason reason,
                     const CreateTopicOptions& options = {}) {
    absl::StatusOr<TopicState> created =
        h.controller->CreateTopic(topic, options);
    INFO(topic.name << ": " << created.status().ToString());
    CHECK(HasErrorReason(created.status(), reason));
  };
  refused({.name = "bad name"}, ErrorReason::kInvalidTopic);
  refused({.name = ""}, ErrorReason::kInvalidTopic);
  refused({.name = "exists"}, ErrorReason::kTopicAlreadyExists);
  refused({.name = "t", .num_partitions = 0}, ErrorReason::kInvalidPartitions);
  refused({.name = "t", .num_partitions = -2}, ErrorReason::kInvalidPartitions);
  refused({.name = "t", .replication_factor = 0},
          ErrorReason::kInvalidReplicationFactor);
  // Three registered, but a fenced broker cannot take a replica.
  refused({.name = "t", .replication_factor = 3},
          ErrorReason::kInvalidReplicationFactor);
  refused({.name = "t", .configs = {{"min.insync.replicas", "0"}}},
          ErrorReason::kInvalidConfig);
  refused({.name = "t", .configs = {{"min.insync.replicas", "two"}}},
          ErrorReason::kInvalidConfig);
  refused({.name = "t", .configs = {{"unclean.leader.election.enable", "y"}}},
          ErrorReason::kInvalidConfig);
  refused({.name = "t", .num_partitions = 1}, ErrorReason::kInvalidRequest,
          {.replica_assignment = {Ids({0})}});
  refused({.name = "t"}, ErrorReason::kInvalidReplicaAssignment,
          {.replica_assignment = {Ids({0, 0})}});
  CHECK(h.controller->image()->version() == version);  // nothing written
}

TEST_CASE("CreateTopic asks the embedder's validator about other configs",
          "[replication]") {
  ControllerHarness h(
      1, {.validate_topic_configs =
              [](const std::map<std::string, std::string>& configs) {
                return configs.contains("retention.ms")
                           ? MakeError(ErrorReason::kInvalidConfig, "no")
                           : absl::OkStatus();
              }});
  CHECK(HasErrorReason(
      h.controller
          ->CreateTopic({.name = "t", .configs = {{"retention.ms", "1"}}}, {})
          .status(),
      ErrorReason::kInvalidConfig));
  CHECK_OK(h.controller->CreateTopic(
      {.name = "t", .configs = {{"segment.ms", "1"}}}, {}));
}

TEST_CASE("CreateTopic with validate_only writes nothing", "[replication]") {
  ControllerHarness h(2);
  const int64_t version = h.controller->image()->version();
  ASSIGN_OR_REQUIRE(
      TopicState topic,
      h.controller->CreateTopic(
          {.name = "t", .num_partitions = 4, .replication_factor = 2},
          {.validate_only = true}));
  CHECK(topic.partitions.size() == 4);
  CHECK(h.controller->image()->version() == version);
  CHECK(h.controller->image()->FindTopic("t") == nullptr);
}

TEST_CASE(
    "CreateTopic falls back on num.partitions and "
    "default.replication.factor",
    "[replication]") {
  ControllerHarness h(3,
                      {.default_replication_factor = 2, .num_partitions = 5});
  const TopicState topic = h.Create("t", -1, -1);
  CHECK(topic.partitions.size() == 5);
  for (const PartitionState& p : topic.partitions) {
    CHECK(p.replicas.size() == 2);
  }
  CHECK_FALSE(topic.id.IsZero());
  CHECK_FALSE(topic.internal);
  CHECK(*h.controller->image()->FindTopic("t") == topic);
}

TEST_CASE(
    "A placement by hand is kept as given, led by its first live "
    "replica",
    "[replication]") {
  ControllerHarness h(3);
  REQUIRE_OK(h.controller->FenceBroker(N(1)));
  ASSIGN_OR_REQUIRE(
      TopicState topic,
      h.controller->CreateTopic(
          {.name = "t"}, {.replica_assignment = {Ids({2, 0}), Ids({1, 2})}}));
  REQUIRE(topic.partitions.size() == 2);
  CHECK(topic.partitions[0].replicas == Ids({2, 0}));
  CHECK(topic.partitions[0].leader == N(2));
  CHECK(topic.partitions[1].replicas == Ids({1, 2}));
  CHECK(topic.partitions[1].leader == N(2));  // 1 is fenced
  CHECK(topic.partitions[1].isr == Ids({2}));
}

TEST_CASE(
    "CreatePartitions adds partitions with the topic's replication "
    "factor",
    "[replication]") {
  ControllerHarness h(3);
  h.Create("t", 2, 2);
  REQUIRE_OK(h.controller->CreatePartitions("t", {.total_count = 5}));
  const TopicState* topic = h.controller->image()->FindTopic("t");
  REQUIRE(topic->partitions.size() == 5);
  for (const PartitionState& p : topic->partitions) {
    CHECK(p.replicas.size() == 2);
    CHECK(p.leader == p.replicas.front());
  }
  CHECK(HasErrorReason(h.controller->CreatePartitions("t", {.total_count = 5}),
                       ErrorReason::kInvalidPartitions));
  CHECK(HasErrorReason(h.controller->CreatePartitions("t", {.total_count = 3}),
                       ErrorReason::kInvalidPartitions));
  CHECK(HasErrorReason(
      h.controller->CreatePartitions(
          "t", {.total_count = 7, .replica_assignment = {Ids({0, 1})}}),
      ErrorReason::kInvalidReplicaAssignment));
  CHECK(HasErrorReason(
      h.controller->CreatePartitions(
          "t", {.total_count = 6, .replica_assignment = {Ids({0})}}),
      ErrorReason::kInvalidReplicaAssignment));
  CHECK(HasErrorReason(h.controller->CreatePartitions("u", {.total_count = 3}),
                       ErrorReason::kUnknownTopicOrPartition));
  REQUIRE_OK(h.controller->CreatePartitions(
      "t", {.total_count = 6, .replica_assignment = {Ids({2, 1})}}));
  CHECK(h.Partition("t", 5).replicas == Ids({2, 1}));
}

TEST_CASE("DeleteTopic removes user topics only", "[replication]") {
  ControllerHarness h(1);
  const TopicState offsets = h.Create("__consumer_offsets", 3, 1);
  CHECK(offsets.internal);
  const TopicState first = h.Create("t", 1, 1);
  REQUIRE_OK(h.controller->DeleteTopic("t"));
  CHECK(h.controller->image()->FindTopic("t") == nullptr);
  CHECK(HasErrorReason(h.controller->DeleteTopic("t"),
                       ErrorReason::kUnknownTopicOrPartition));
  CHECK(HasErrorReason(h.controller->DeleteTopic("__consumer_offsets"),
                       ErrorReason::kInvalidTopic));
  // A topic of the same name again is a new incarnation.
  const TopicState again = h.Create("t", 1, 1);
  CHECK_FALSE(again.id == first.id);
}

TEST_CASE("Under-min-ISR counts follow the topic's min.insync.replicas",
          "[replication]") {
  ControllerHarness h(3, {.min_insync_replicas = 1});
  h.Create("strict", 2, 3, {{"min.insync.replicas", "3"}});
  h.Create("loose", 2, 3);
  CHECK(h.controller->metrics().under_min_isr_partitions == 0);
  REQUIRE_OK(h.controller->FenceBroker(N(1)));
  ControllerMetrics m = h.controller->metrics();
  CHECK(m.under_min_isr_partitions == 2);
  CHECK(m.under_replicated_partitions == 4);
  REQUIRE_OK(h.controller->SetTopicConfigs("strict", {}));
  CHECK(h.controller->metrics().under_min_isr_partitions == 0);
  CHECK(HasErrorReason(
      h.controller->SetTopicConfigs("strict", {{"min.insync.replicas", "-1"}}),
      ErrorReason::kInvalidConfig));
  CHECK(HasErrorReason(h.controller->SetTopicConfigs("nope", {}),
                       ErrorReason::kUnknownTopicOrPartition));
}

}  // namespace
}  // namespace rill::replication
