#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "admin_test_util.h"
#include "protocol/messages/list_offsets.h"
#include "server_test_util.h"
#include "status_test_util.h"
#include "wire_client.h"

namespace rill::server::testing {
namespace {

using protocol::ListOffsetsRequest;
using protocol::ListOffsetsResponse;

constexpr int64_t kLatest = -1;
constexpr int64_t kEarliest = -2;

struct Ask {
  int32_t partition = 0;
  int64_t timestamp = kLatest;
  int32_t max_num_offsets = 1;
};

ListOffsetsResponse List(WireClient& client, const std::string& topic,
                         const std::vector<Ask>& asks, int16_t version,
                         int8_t isolation = 0) {
  ListOffsetsRequest request;
  request.replica_id = -1;
  request.isolation_level = isolation;
  ListOffsetsRequest::Topic& t = request.topics.emplace_back();
  t.name = topic;
  for (const Ask& ask : asks) {
    t.partitions.push_back({.partition_index = ask.partition,
                            .timestamp = ask.timestamp,
                            .max_num_offsets = ask.max_num_offsets});
  }
  auto response = client.RoundTrip<ListOffsetsResponse>(request, version);
  REQUIRE_OK(response.status());
  REQUIRE(response->topics.size() == 1);
  REQUIRE(response->topics[0].name == topic);
  REQUIRE(response->topics[0].partitions.size() == asks.size());
  return *std::move(response);
}

// A topic "t" with records at offsets 0, 1, 2 stamped 1000, 2000, 3000.
void ProduceThree(Broker& broker) {
  REQUIRE_OK(broker.CreateTopic({.name = "t"}));
  for (int64_t ts : {1000, 2000, 3000}) {
    ProduceOne(broker, {"t", PartitionId(0)}, ts);
  }
}

// ListOne asks for one partition (v1+ refuses a partition asked twice).
ListOffsetsResponse::Partition ListOne(WireClient& client, const Ask& ask,
                                       int16_t version, int8_t isolation = 0) {
  return List(client, "t", {ask}, version, isolation).topics[0].partitions[0];
}

TEST_CASE("ListOffsets v1+ finds the latest, the earliest and times",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  ProduceThree(*served.broker);
  for (int16_t version : {1, 3}) {
    CAPTURE(version);
    auto latest = ListOne(client, {.timestamp = kLatest}, version);
    CHECK(latest.error_code == 0);
    CHECK(latest.offset == 3);
    CHECK(latest.timestamp == -1);
    auto earliest = ListOne(client, {.timestamp = kEarliest}, version);
    CHECK(earliest.error_code == 0);
    CHECK(earliest.offset == 0);
    CHECK(earliest.timestamp == -1);
    for (int64_t ts : {2000, 1500}) {
      CAPTURE(ts);
      auto at = ListOne(client, {.timestamp = ts}, version);
      CHECK(at.error_code == 0);
      CHECK(at.offset == 1);
      CHECK(at.timestamp == 2000);
    }
    // No record at or after the time.
    auto after = ListOne(client, {.timestamp = 9000}, version);
    CHECK(after.error_code == 0);
    CHECK(after.offset == -1);
    CHECK(after.timestamp == -1);
  }
}

TEST_CASE("ListOffsets v2+ answers the last stable offset for read_committed",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  ProduceThree(*served.broker);
  ASSIGN_OR_REQUIRE(PartitionOffsets offsets,
                    served.broker->GetPartitionOffsets({"t", PartitionId(0)}));
  auto committed = ListOne(client, {.timestamp = kLatest}, 2, /*isolation=*/1);
  CHECK(committed.error_code == 0);
  CHECK(committed.offset == offsets.last_stable_offset.value());
  auto uncommitted = ListOne(client, {.timestamp = kLatest}, 3);
  CHECK(uncommitted.offset == offsets.high_watermark.value());
}

TEST_CASE("ListOffsets v0 answers old-style offset lists",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  ProduceThree(*served.broker);
  ASSIGN_OR_REQUIRE(Offset low, served.broker->DeleteRecords(
                                    {"t", PartitionId(0)}, Offset(1)));
  REQUIRE(low == Offset(1));
  ListOffsetsResponse response =
      List(client, "t",
           {{.timestamp = kLatest},
            {.timestamp = kEarliest},
            {.timestamp = kLatest, .max_num_offsets = 5},
            {.timestamp = 3000},
            {.timestamp = 9000},
            {.timestamp = kLatest, .max_num_offsets = 0}},
           0);
  const auto& p = response.topics[0].partitions;
  for (const auto& partition : p) CHECK(partition.error_code == 0);
  CHECK(p[0].old_style_offsets == std::vector<int64_t>{3});
  CHECK(p[1].old_style_offsets == std::vector<int64_t>{1});
  // Newest first, down to the log start.
  CHECK(p[2].old_style_offsets == std::vector<int64_t>{3, 1});
  CHECK(p[3].old_style_offsets == std::vector<int64_t>{2});
  CHECK(p[4].old_style_offsets == std::vector<int64_t>{3});
  CHECK(p[5].old_style_offsets.empty());
}

TEST_CASE("ListOffsets reports unknown partitions per partition",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  ProduceThree(*served.broker);
  for (int16_t version : {0, 3}) {
    CAPTURE(version);
    ListOffsetsResponse response =
        List(client, "t", {{.partition = 0}, {.partition = 4}}, version);
    const auto& p = response.topics[0].partitions;
    CHECK(p[0].error_code == 0);
    CHECK(p[1].partition_index == 4);
    CHECK(p[1].error_code == 3);
    CHECK(p[1].error_code == Code(ErrorReason::kUnknownTopicOrPartition));
    CHECK(p[1].old_style_offsets.empty());
    CHECK(p[1].offset == -1);
  }
  ListOffsetsResponse missing = List(client, "missing", {{.partition = 0}}, 1);
  CHECK(missing.topics[0].partitions[0].error_code ==
        Code(ErrorReason::kUnknownTopicOrPartition));
}

TEST_CASE("ListOffsets v1+ refuses a partition asked for twice",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  ProduceThree(*served.broker);
  ListOffsetsResponse response =
      List(client, "t", {{.timestamp = kLatest}, {.timestamp = kEarliest}}, 3);
  for (const auto& partition : response.topics[0].partitions) {
    CHECK(partition.error_code == Code(ErrorReason::kInvalidRequest));
    CHECK(partition.offset == -1);
  }
}

}  // namespace
}  // namespace rill::server::testing
