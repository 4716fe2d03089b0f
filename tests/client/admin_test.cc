#include "rill/client/admin.h"

#include <catch2/catch.hpp>

#include "client_test_util.h"
#include "rill/error.h"

namespace rill {
namespace {

using test::ClientEnv;

TEST_CASE(
    "Admin creates, lists, describes, grows and deletes topics, "
    "reporting the first failure",
    "[client]") {
  ClientEnv env;
  ASSIGN_OR_REQUIRE(auto admin, Admin::Create(*env.broker));
  REQUIRE_OK(
      admin->CreateTopics({{.name = "a", .num_partitions = 2}, {.name = "b"}}));
  // One bad topic among good ones: the good ones are still created.
  CHECK(
      HasErrorReason(admin->CreateTopics({{.name = "bad name"}, {.name = "c"}}),
                     ErrorReason::kInvalidTopic));
  ASSIGN_OR_REQUIRE(auto names, admin->ListTopics());
  CHECK(names == std::vector<std::string>{"a", "b", "c"});
  REQUIRE_OK(admin->CreatePartitions({{"a", 4}}));
  ASSIGN_OR_REQUIRE(auto described, admin->DescribeTopics({"a", "b"}));
  REQUIRE(described.size() == 2);
  CHECK(described[0].partitions.size() == 4);
  CHECK(described[1].partitions.size() == 1);
  CHECK(HasErrorReason(admin->DescribeTopics({"nope"}).status(),
                       ErrorReason::kUnknownTopicOrPartition));
  REQUIRE_OK(admin->DeleteTopics({"b", "c"}));
  CHECK(admin->ListTopics().value() == std::vector<std::string>{"a"});
}

TEST_CASE("Admin alters and describes topic configs", "[client]") {
  ClientEnv env;
  env.CreateTopic("t", 1);
  ASSIGN_OR_REQUIRE(auto admin, Admin::Create(*env.broker));
  REQUIRE_OK(admin->IncrementalAlterConfigs(
      "t", {{.name = "retention.ms", .value = "1000"}}));
  ASSIGN_OR_REQUIRE(auto configs, admin->DescribeConfigs("t"));
  bool found = false;
  for (const ConfigEntry& e : configs) {
    if (e.name == "retention.ms") {
      found = true;
      CHECK(e.value == "1000");
      CHECK(e.source == ConfigSource::kTopic);
    }
  }
  CHECK(found);
  CHECK(HasErrorReason(admin->IncrementalAlterConfigs(
                           "t", {{.name = "retention.ms", .value = "x"}}),
                       ErrorReason::kInvalidConfig));
}

TEST_CASE("Admin deletes records and lists offsets", "[client]") {
  ClientEnv env;
  env.CreateTopic("t", 1);
  const TopicPartition tp{"t", PartitionId(0)};
  env.ProduceValues(tp, 10, "v", 2);
  ASSIGN_OR_REQUIRE(auto admin, Admin::Create(*env.broker));
  ASSIGN_OR_REQUIRE(auto low, admin->DeleteRecords({{tp, Offset(4)}}));
  CHECK(low.at(tp) == Offset(4));
  ASSIGN_OR_REQUIRE(
      ListOffsetsResult earliest,
      admin->ListOffsets(tp, {.timestamp = ListOffsetsSpec::kEarliest}));
  CHECK(earliest.offset == Offset(4));
  ASSIGN_OR_REQUIRE(ListOffsetsResult latest, admin->ListOffsets(tp, {}));
  CHECK(latest.offset == Offset(10));
}

TEST_CASE(
    "Admin sets, lists and deletes a group's offsets and reports its "
    "lag",
    "[client]") {
  ClientEnv env;
  env.CreateTopic("t", 2);
  const TopicPartition p0{"t", PartitionId(0)};
  const TopicPartition p1{"t", PartitionId(1)};
  env.ProduceValues(p0, 10);
  env.ProduceValues(p1, 4);
  ASSIGN_OR_REQUIRE(auto admin, Admin::Create(*env.broker));

  REQUIRE_OK(admin->AlterConsumerGroupOffsets(
      "g", {{p0, {.offset = Offset(7), .metadata = "checkpoint"}}}));
  ASSIGN_OR_REQUIRE(auto offsets, admin->ListConsumerGroupOffsets("g"));
  REQUIRE(offsets.size() == 1);
  CHECK(offsets.at(p0).offset == Offset(7));
  CHECK(offsets.at(p0).metadata == "checkpoint");

  ASSIGN_OR_REQUIRE(auto lag, admin->ConsumerGroupLag("g"));
  REQUIRE(lag.size() == 1);
  CHECK(lag[0].tp == p0);
  CHECK(lag[0].committed == Offset(7));
  CHECK(lag[0].log_end_offset == Offset(10));
  CHECK(lag[0].lag == 3);

  // A subscribed member adds its topics' partitions, committed or not.
  auto consumer =
      env.NewConsumer({.group_id = "g", .enable_auto_commit = false});
  REQUIRE_OK(consumer->Subscribe({"t"}));
  for (int i = 0; i < 100 && consumer->Assignment().size() < 2; ++i) {
    REQUIRE_OK(consumer->Poll(10));
  }
  ASSIGN_OR_REQUIRE(lag, admin->ConsumerGroupLag("g"));
  REQUIRE(lag.size() == 2);
  CHECK(lag[1].tp == p1);
  CHECK(lag[1].committed == Offset(-1));
  CHECK(lag[1].lag == 4);

  ASSIGN_OR_REQUIRE(auto groups, admin->ListConsumerGroups());
  REQUIRE(groups.size() == 1);
  CHECK(groups[0].group_id == "g");
  ASSIGN_OR_REQUIRE(GroupDescription group, admin->DescribeConsumerGroup("g"));
  CHECK(group.state == "Stable");
  CHECK(group.members.size() == 1);
  // A live group's offsets cannot be reset, nor the group deleted.
  CHECK_FALSE(
      admin->AlterConsumerGroupOffsets("g", {{p0, {.offset = Offset(1)}}})
          .ok());
  CHECK(HasErrorReason(admin->DeleteConsumerGroups({"g"}),
                       ErrorReason::kNonEmptyGroup));
  CHECK(HasErrorReason(admin->DeleteConsumerGroupOffsets("g", {p0}),
                       ErrorReason::kGroupSubscribedToTopic));
  REQUIRE_OK(consumer->Close());

  // Empty now: its offsets can go, then the group itself.
  REQUIRE_OK(
      admin->AlterConsumerGroupOffsets("g", {{p1, {.offset = Offset(2)}}}));
  REQUIRE_OK(admin->DeleteConsumerGroupOffsets("g", {p0}));
  ASSIGN_OR_REQUIRE(offsets, admin->ListConsumerGroupOffsets("g"));
  CHECK(offsets.size() == 1);
  CHECK(offsets.contains(p1));
  REQUIRE_OK(admin->DeleteConsumerGroups({"g"}));
  ASSIGN_OR_REQUIRE(offsets, admin->ListConsumerGroupOffsets("g"));
  CHECK(offsets.empty());
  CHECK(HasErrorReason(admin->DeleteConsumerGroups({"g"}),
                       ErrorReason::kGroupIdNotFound));
}

}  // namespace
}  // namespace rill
