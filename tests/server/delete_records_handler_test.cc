#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "admin_test_util.h"
#include "protocol/messages/delete_records.h"
#include "server_test_util.h"
#include "status_test_util.h"
#include "wire_client.h"

namespace rill::server::testing {
namespace {

using protocol::DeleteRecordsRequest;
using protocol::DeleteRecordsResponse;

DeleteRecordsResponse DeleteBefore(
    WireClient& client, const std::string& topic,
    const std::vector<std::pair<int32_t, int64_t>>& offsets, int16_t version) {
  DeleteRecordsRequest request;
  request.timeout_ms = 1000;
  DeleteRecordsRequest::Topic& t = request.topics.emplace_back();
  t.name = topic;
  for (const auto& [partition, offset] : offsets) {
    t.partitions.push_back({.partition_index = partition, .offset = offset});
  }
  auto response = client.RoundTrip<DeleteRecordsResponse>(request, version);
  REQUIRE_OK(response.status());
  REQUIRE(response->topics.size() == 1);
  REQUIRE(response->topics[0].name == topic);
  return *std::move(response);
}

Offset LogStart(Broker& broker, const TopicPartition& tp) {
  absl::StatusOr<PartitionOffsets> offsets = broker.GetPartitionOffsets(tp);
  REQUIRE_OK(offsets.status());
  return offsets->log_start_offset;
}

TEST_CASE("DeleteRecords moves the log start and answers the low watermark",
          "[server][integration]") {
  for (int16_t version : {0, 1}) {
    CAPTURE(version);
    ServedBroker served;
    WireClient client(served.port());
    REQUIRE_OK(served.broker->CreateTopic({.name = "t", .num_partitions = 2}));
    const TopicPartition p0{"t", PartitionId(0)}, p1{"t", PartitionId(1)};
    for (int i = 0; i < 5; ++i) ProduceOne(*served.broker, p0);
    for (int i = 0; i < 3; ++i) ProduceOne(*served.broker, p1);

    DeleteRecordsResponse response =
        DeleteBefore(client, "t", {{0, 2}, {1, -1}}, version);
    const auto& partitions = response.topics[0].partitions;
    REQUIRE(partitions.size() == 2);
    CHECK(partitions[0].partition_index == 0);
    CHECK(partitions[0].error_code == 0);
    CHECK(partitions[0].low_watermark == 2);
    CHECK(LogStart(*served.broker, p0) == Offset(2));
    // -1: up to the high watermark.
    CHECK(partitions[1].partition_index == 1);
    CHECK(partitions[1].error_code == 0);
    CHECK(partitions[1].low_watermark == 3);
    CHECK(LogStart(*served.broker, p1) == Offset(3));
  }
}

TEST_CASE("DeleteRecords beyond the high watermark is OFFSET_OUT_OF_RANGE",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  REQUIRE_OK(served.broker->CreateTopic({.name = "t"}));
  const TopicPartition tp{"t", PartitionId(0)};
  for (int i = 0; i < 3; ++i) ProduceOne(*served.broker, tp);
  DeleteRecordsResponse response = DeleteBefore(client, "t", {{0, 4}}, 1);
  const auto& partition = response.topics[0].partitions.at(0);
  CHECK(partition.error_code == 1);
  CHECK(partition.error_code == Code(ErrorReason::kOffsetOutOfRange));
  CHECK(partition.low_watermark == -1);
  CHECK(LogStart(*served.broker, tp) == Offset(0));
}

TEST_CASE("DeleteRecords reports unknown partitions and internal topics",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  REQUIRE_OK(served.broker->CreateTopic({.name = "t"}));
  DeleteRecordsResponse response = DeleteBefore(client, "t", {{7, 0}}, 0);
  CHECK(response.topics[0].partitions.at(0).error_code ==
        Code(ErrorReason::kUnknownTopicOrPartition));
  CHECK(response.topics[0].partitions.at(0).low_watermark == -1);

  response = DeleteBefore(client, "missing", {{0, 0}}, 1);
  CHECK(response.topics[0].partitions.at(0).error_code ==
        Code(ErrorReason::kUnknownTopicOrPartition));

  response = DeleteBefore(client, "__consumer_offsets", {{0, -1}}, 1);
  CHECK(response.topics[0].partitions.at(0).error_code ==
        Code(ErrorReason::kInvalidTopic));
}

}  // namespace
}  // namespace rill::server::testing
