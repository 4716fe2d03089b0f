// A follower's requests as Kafka messages and the answers back: grouping,
// order, and Kafka's error codes turned back into ErrorReasons.
#include "server/replica_wire.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "rill/error.h"
#include "server/error_codes.h"
#include "status_test_util.h"

namespace rill::server {
namespace {

using replication::EpochEndOffsetQuery;
using replication::ReplicaFetchRequest;

TopicPartition Tp(const std::string& topic, int32_t partition) {
  return {topic, PartitionId(partition)};
}

ReplicaFetchRequest ThreePartitions() {
  return {.replica_id = NodeId(2),
          .partitions = {{.tp = Tp("a", 0),
                          .fetch_offset = Offset(5),
                          .current_leader_epoch = LeaderEpoch(3),
                          .max_bytes = 100},
                         {.tp = Tp("b", 1), .fetch_offset = Offset(7)},
                         {.tp = Tp("a", 2), .fetch_offset = Offset(9)}},
          .max_wait_ms = 250,
          .min_bytes = 1,
          .max_bytes = 4096};
}

TEST_CASE(
    "a replica fetch becomes a sessionless Fetch with the replica id, "
    "grouped by topic in first-seen order",
    "[server][replication]") {
  const protocol::FetchRequest wire = ToFetchRequest(ThreePartitions());
  CHECK(wire.replica_id == 2);
  CHECK(wire.max_wait_ms == 250);
  CHECK(wire.min_bytes == 1);
  CHECK(wire.max_bytes == 4096);
  CHECK(wire.isolation_level == 0);
  CHECK(wire.session_id == 0);
  CHECK(wire.session_epoch == -1);
  REQUIRE(wire.topics.size() == 2);
  CHECK(wire.topics[0].topic == "a");
  REQUIRE(wire.topics[0].partitions.size() == 2);
  CHECK(wire.topics[0].partitions[0].partition == 0);
  CHECK(wire.topics[0].partitions[0].fetch_offset == 5);
  CHECK(wire.topics[0].partitions[0].current_leader_epoch == 3);
  CHECK(wire.topics[0].partitions[0].partition_max_bytes == 100);
  CHECK(wire.topics[0].partitions[1].partition == 2);
  CHECK(wire.topics[1].topic == "b");
  REQUIRE(wire.topics[1].partitions.size() == 1);
  CHECK(wire.topics[1].partitions[0].fetch_offset == 7);
  CHECK(wire.topics[1].partitions[0].current_leader_epoch == -1);
}

TEST_CASE(
    "a Fetch answer maps back to the request's order with errors as "
    "ErrorReasons",
    "[server][replication]") {
  std::string records = "batches";
  protocol::FetchResponse response;
  auto& b = response.responses.emplace_back();
  b.topic = "b";
  auto& b1 = b.partitions.emplace_back();
  b1.partition_index = 1;
  b1.error_code = KafkaErrorCodeFor(ErrorReason::kFencedLeaderEpoch);
  b1.high_watermark = -1;
  auto& a = response.responses.emplace_back();
  a.topic = "a";
  auto& a0 = a.partitions.emplace_back();
  a0.partition_index = 0;
  a0.high_watermark = 40;
  a0.log_start_offset = 2;
  a0.records.view = std::span<char>(records);
  // a-2 is missing from the answer.

  const replication::ReplicaFetchResponse out =
      FromFetchResponse(ThreePartitions(), response, NodeId(1));
  REQUIRE(out.partitions.size() == 3);
  CHECK(out.partitions[0].tp == Tp("a", 0));
  CHECK_OK(out.partitions[0].status);
  CHECK(out.partitions[0].high_watermark == Offset(40));
  CHECK(out.partitions[0].log_start_offset == Offset(2));
  CHECK(out.partitions[0].log_end_offset == Offset(-1));
  CHECK(out.partitions[0].records == "batches");
  CHECK(out.partitions[1].tp == Tp("b", 1));
  CHECK(HasErrorReason(out.partitions[1].status,
                       ErrorReason::kFencedLeaderEpoch));
  CHECK(out.partitions[1].records.empty());
  CHECK(out.partitions[2].tp == Tp("a", 2));
  CHECK(HasErrorReason(out.partitions[2].status,
                       ErrorReason::kUnknownServerError));
}

TEST_CASE("a top-level Fetch error reaches every partition",
          "[server][replication]") {
  protocol::FetchResponse response;
  response.error_code = 70;  // FETCH_SESSION_ID_NOT_FOUND, no reason in rill
  auto& a = response.responses.emplace_back();
  a.topic = "a";
  a.partitions.emplace_back().partition_index = 0;
  const replication::ReplicaFetchResponse out =
      FromFetchResponse(ThreePartitions(), response, NodeId(1));
  REQUIRE(out.partitions.size() == 3);
  for (const auto& p : out.partitions) {
    CHECK(HasErrorReason(p.status, ErrorReason::kUnknownServerError));
    CHECK(std::string(p.status.message()).find("(70)") != std::string::npos);
  }
}

TEST_CASE(
    "epoch queries become OffsetForLeaderEpoch v3 and the answers map back "
    "in query order",
    "[server][replication]") {
  const std::vector<EpochEndOffsetQuery> queries = {
      {.tp = Tp("a", 0),
       .current_leader_epoch = LeaderEpoch(4),
       .leader_epoch = LeaderEpoch(2)},
      {.tp = Tp("b", 0),
       .current_leader_epoch = LeaderEpoch(1),
       .leader_epoch = LeaderEpoch(1)}};
  const protocol::OffsetForLeaderEpochRequest wire =
      ToEpochsRequest(NodeId(3), queries);
  CHECK(wire.replica_id == 3);
  REQUIRE(wire.topics.size() == 2);
  CHECK(wire.topics[0].topic == "a");
  CHECK(wire.topics[0].partitions.at(0).current_leader_epoch == 4);
  CHECK(wire.topics[0].partitions.at(0).leader_epoch == 2);

  protocol::OffsetForLeaderEpochResponse response;
  response.topics.push_back(
      {.topic = "b",
       .partitions = {
           {.error_code = KafkaErrorCodeFor(ErrorReason::kNotLeaderOrFollower),
            .partition = 0,
            .leader_epoch = -1,
            .end_offset = -1}}});
  response.topics.push_back({.topic = "a",
                             .partitions = {{.error_code = 0,
                                             .partition = 0,
                                             .leader_epoch = 2,
                                             .end_offset = 17}}});
  const auto answers = FromEpochsResponse(queries, response, NodeId(1));
  REQUIRE(answers.size() == 2);
  CHECK(answers[0].tp == Tp("a", 0));
  CHECK_OK(answers[0].status);
  CHECK(answers[0].leader_epoch == LeaderEpoch(2));
  CHECK(answers[0].end_offset == Offset(17));
  CHECK(answers[1].tp == Tp("b", 0));
  CHECK(HasErrorReason(answers[1].status, ErrorReason::kNotLeaderOrFollower));
  CHECK(answers[1].end_offset == Offset(-1));
}

TEST_CASE("Kafka's leader epoch codes translate both ways",
          "[server][replication]") {
  CHECK(KafkaErrorCodeFor(ErrorReason::kFencedLeaderEpoch) == 74);
  CHECK(KafkaErrorCodeFor(ErrorReason::kUnknownLeaderEpoch) == 75);
  CHECK(KafkaErrorCodeFor(ErrorReason::kUnsupportedCompressionType) == 76);
  CHECK(ErrorReasonForKafkaCode(75) == ErrorReason::kUnknownLeaderEpoch);
  CHECK(ErrorReasonForKafkaCode(76) ==
        ErrorReason::kUnsupportedCompressionType);
  CHECK_OK(KafkaErrorStatus(0, "for t-0"));
  const absl::Status fenced = KafkaErrorStatus(74, "from broker 1 for t-0");
  CHECK(HasErrorReason(fenced, ErrorReason::kFencedLeaderEpoch));
  CHECK(fenced.message() == "FENCED_LEADER_EPOCH (74) from broker 1 for t-0");
}

}  // namespace
}  // namespace rill::server
