// KafkaServer::InjectErrors over the wire: which requests an injected code
// reaches, in what order, and that the broker never sees them.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "group_wire_util.h"
#include "protocol/messages/fetch.h"
#include "protocol/messages/metadata.h"
#include "protocol/messages/offset_commit.h"
#include "protocol/messages/offset_fetch.h"
#include "protocol/messages/produce.h"
#include "rill/error.h"
#include "rill/record/record_batch.h"
#include "server/error_codes.h"
#include "server_test_util.h"
#include "status_test_util.h"
#include "wire_client.h"

namespace rill::server::testing {
namespace {

using protocol::ApiKey;
using protocol::FetchRequest;
using protocol::FetchResponse;
using protocol::MetadataRequest;
using protocol::MetadataResponse;
using protocol::ProduceRequest;
using protocol::ProduceResponse;

constexpr int16_t kProduceVersion = 7;
constexpr int16_t kFetchVersion = 11;

int16_t Key(ApiKey api) { return static_cast<int16_t>(api); }

const int16_t kNotLeader = KafkaErrorCodeFor(ErrorReason::kNotLeaderOrFollower);
const int16_t kNotEnoughReplicas =
    KafkaErrorCodeFor(ErrorReason::kNotEnoughReplicas);
const int16_t kLeaderNotAvailable =
    KafkaErrorCodeFor(ErrorReason::kLeaderNotAvailable);

std::string Batch(const std::string& value) {
  record::RecordBatchBuilder builder;
  builder.Append(
      {.timestamp_ms = 1'700'000'000'000, .key = {}, .value = value});
  auto built = builder.Build();
  REQUIRE_OK(built.status());
  return *std::move(built);
}

// ProduceOne sends one batch of `value` to partition 0 of `topic` and
// returns that partition's answer.
ProduceResponse::PartitionResponse ProduceOne(WireClient& client,
                                              const std::string& topic,
                                              const std::string& value) {
  std::string batch = Batch(value);
  ProduceRequest request;
  request.acks = 1;
  request.timeout_ms = 5000;
  auto& t = request.topic_data.emplace_back();
  t.name = topic;
  auto& p = t.partition_data.emplace_back();
  p.index = 0;
  p.records.view = std::span<char>(batch);
  auto response = client.RoundTrip<ProduceResponse>(request, kProduceVersion);
  REQUIRE_OK(response.status());
  REQUIRE(response->responses.size() == 1);
  REQUIRE(response->responses[0].partition_responses.size() == 1);
  return response->responses[0].partition_responses[0];
}

// FetchAll fetches partition 0 of `topic` from offset 0 without waiting.
FetchResponse FetchAll(WireClient& client, const std::string& topic) {
  FetchRequest request;
  request.max_wait_ms = 0;
  request.min_bytes = 0;
  request.max_bytes = 1 << 20;
  auto& t = request.topics.emplace_back();
  t.topic = topic;
  auto& p = t.partitions.emplace_back();
  p.partition = 0;
  p.fetch_offset = 0;
  p.partition_max_bytes = 1 << 20;
  auto response = client.RoundTrip<FetchResponse>(request, kFetchVersion);
  REQUIRE_OK(response.status());
  REQUIRE(response->responses.size() == 1);
  REQUIRE(response->responses[0].partitions.size() == 1);
  return *std::move(response);
}

int64_t HighWatermark(const FetchResponse& response) {
  return response.responses[0].partitions[0].high_watermark;
}

TEST_CASE(
    "an injected NOT_LEADER_OR_FOLLOWER answers a produce without appending, "
    "and the produce after it is served",
    "[server][inject]") {
  ServedBroker served;
  REQUIRE_OK(served.broker->CreateTopic({.name = "t", .num_partitions = 1}));
  WireClient client(served.port());
  REQUIRE(client.connected());
  REQUIRE_OK(served.server->InjectErrors(Key(ApiKey::kProduce), {kNotLeader}));

  const auto failed = ProduceOne(client, "t", "lost");
  CHECK(failed.error_code == kNotLeader);
  CHECK(failed.base_offset == -1);
  const FetchResponse empty = FetchAll(client, "t");
  CHECK(empty.responses[0].partitions[0].error_code == kErrorNone);
  CHECK(HighWatermark(empty) == 0);
  CHECK(empty.responses[0].partitions[0].records.size() == 0);

  const auto served_produce = ProduceOne(client, "t", "kept");
  CHECK(served_produce.error_code == kErrorNone);
  CHECK(served_produce.base_offset == 0);
  CHECK(HighWatermark(FetchAll(client, "t")) == 1);
}

TEST_CASE(
    "injected codes go one each to the next requests of their API, in the "
    "order the requests arrive on any connection",
    "[server][inject]") {
  ServedBroker served;
  REQUIRE_OK(served.broker->CreateTopic({.name = "t", .num_partitions = 1}));
  WireClient a(served.port());
  WireClient b(served.port());
  REQUIRE(a.connected());
  REQUIRE(b.connected());
  // A 0 lets its request through.
  REQUIRE_OK(served.server->InjectErrors(Key(ApiKey::kProduce),
                                         {kNotLeader, 0, kNotEnoughReplicas}));

  CHECK(ProduceOne(a, "t", "1").error_code == kNotLeader);
  const auto second = ProduceOne(b, "t", "2");
  CHECK(second.error_code == kErrorNone);
  CHECK(second.base_offset == 0);
  CHECK(ProduceOne(a, "t", "3").error_code == kNotEnoughReplicas);
  const auto fourth = ProduceOne(b, "t", "4");
  CHECK(fourth.error_code == kErrorNone);
  CHECK(fourth.base_offset == 1);
}

TEST_CASE("codes injected for one API leave the others alone",
          "[server][inject]") {
  ServedBroker served;
  REQUIRE_OK(served.broker->CreateTopic({.name = "t", .num_partitions = 1}));
  WireClient client(served.port());
  REQUIRE(client.connected());
  REQUIRE_OK(served.server->InjectErrors(Key(ApiKey::kProduce), {kNotLeader}));

  const FetchResponse fetched = FetchAll(client, "t");
  CHECK(fetched.error_code == kErrorNone);
  CHECK(fetched.responses[0].partitions[0].error_code == kErrorNone);
  // The code still waits for the produce.
  CHECK(ProduceOne(client, "t", "x").error_code == kNotLeader);
  CHECK(ProduceOne(client, "t", "y").error_code == kErrorNone);
}

TEST_CASE("an injected fetch error is in the top-level and partition codes",
          "[server][inject]") {
  ServedBroker served;
  REQUIRE_OK(served.broker->CreateTopic({.name = "t", .num_partitions = 1}));
  WireClient client(served.port());
  REQUIRE(client.connected());
  REQUIRE(ProduceOne(client, "t", "x").error_code == kErrorNone);
  REQUIRE_OK(served.server->InjectErrors(Key(ApiKey::kFetch), {kNotLeader}));

  const FetchResponse failed = FetchAll(client, "t");
  CHECK(failed.error_code == kNotLeader);
  CHECK(failed.responses[0].topic == "t");
  CHECK(failed.responses[0].partitions[0].error_code == kNotLeader);
  CHECK(failed.responses[0].partitions[0].records.size() == 0);
  const FetchResponse served_fetch = FetchAll(client, "t");
  CHECK(served_fetch.responses[0].partitions[0].error_code == kErrorNone);
  CHECK(served_fetch.responses[0].partitions[0].records.size() > 0);
}

TEST_CASE("ClearInjectedErrors drops the codes not yet used",
          "[server][inject]") {
  ServedBroker served;
  REQUIRE_OK(served.broker->CreateTopic({.name = "t", .num_partitions = 1}));
  WireClient client(served.port());
  REQUIRE(client.connected());
  REQUIRE_OK(served.server->InjectErrors(Key(ApiKey::kProduce),
                                         {kNotLeader, kNotLeader}));
  REQUIRE_OK(served.server->InjectErrors(Key(ApiKey::kFetch), {kNotLeader}));

  CHECK(ProduceOne(client, "t", "1").error_code == kNotLeader);
  served.server->ClearInjectedErrors();
  CHECK(ProduceOne(client, "t", "2").error_code == kErrorNone);
  CHECK(FetchAll(client, "t").error_code == kErrorNone);
}

TEST_CASE(
    "an injected Metadata error is in every topic asked for, or every topic, "
    "with the brokers still listed",
    "[server][inject]") {
  ServedBroker served;
  REQUIRE_OK(served.broker->CreateTopic({.name = "a", .num_partitions = 2}));
  REQUIRE_OK(served.broker->CreateTopic({.name = "b", .num_partitions = 1}));
  WireClient client(served.port());
  REQUIRE(client.connected());
  REQUIRE_OK(served.server->InjectErrors(
      Key(ApiKey::kMetadata), {kLeaderNotAvailable, kLeaderNotAvailable}));

  MetadataRequest named;
  named.topics =
      std::vector<MetadataRequest::Topic>{{.name = "a"}, {.name = "absent"}};
  named.allow_auto_topic_creation = false;
  auto failed = client.RoundTrip<MetadataResponse>(named, 6);
  REQUIRE_OK(failed.status());
  CHECK(failed->brokers.size() == 1);
  REQUIRE(failed->topics.size() == 2);
  CHECK(failed->topics[0].name == "a");
  CHECK(failed->topics[1].name == "absent");
  for (const MetadataResponse::Topic& topic : failed->topics) {
    CHECK(topic.error_code == kLeaderNotAvailable);
    CHECK(topic.partitions.empty());
  }

  MetadataRequest all;
  all.topics = std::nullopt;
  auto all_failed = client.RoundTrip<MetadataResponse>(all, 6);
  REQUIRE_OK(all_failed.status());
  REQUIRE(all_failed->topics.size() == 2);
  for (const MetadataResponse::Topic& topic : all_failed->topics) {
    CHECK(topic.error_code == kLeaderNotAvailable);
  }

  auto served_metadata = client.RoundTrip<MetadataResponse>(named, 6);
  REQUIRE_OK(served_metadata.status());
  CHECK(served_metadata->topics[0].error_code == kErrorNone);
  CHECK(served_metadata->topics[0].partitions.size() == 2);
  CHECK(served_metadata->topics[1].error_code ==
        KafkaErrorCodeFor(ErrorReason::kUnknownTopicOrPartition));
}

TEST_CASE(
    "injected group errors reach a member's heartbeat and commit, and the "
    "failed commit stores nothing",
    "[server][inject]") {
  ServedBroker served;
  REQUIRE_OK(served.broker->CreateTopic({.name = "t", .num_partitions = 1}));
  WireClient client(served.port());
  REQUIRE(client.connected());
  const protocol::JoinGroupResponse joined =
      Join(client, ConsumerJoin("g", {"t"}), 5);
  REQUIRE(joined.error_code == kErrorNone);
  REQUIRE(Sync(client, "g", joined, 3).error_code == kErrorNone);

  const int16_t rebalancing = Code(ErrorReason::kRebalanceInProgress);
  REQUIRE_OK(
      served.server->InjectErrors(Key(ApiKey::kHeartbeat), {rebalancing}));
  CHECK(Heartbeat(client, "g", joined.generation_id, joined.member_id, 3) ==
        rebalancing);
  CHECK(Heartbeat(client, "g", joined.generation_id, joined.member_id, 3) ==
        kErrorNone);

  const int16_t not_coordinator = Code(ErrorReason::kNotCoordinator);
  REQUIRE_OK(served.server->InjectErrors(Key(ApiKey::kOffsetCommit),
                                         {not_coordinator}));
  protocol::OffsetCommitRequest commit;
  commit.group_id = "g";
  commit.generation_id = joined.generation_id;
  commit.member_id = joined.member_id;
  commit.topics.push_back({.name = "t",
                           .partitions = {{.partition_index = 0,
                                           .committed_offset = 42,
                                           .committed_leader_epoch = -1,
                                           .commit_timestamp = -1,
                                           .committed_metadata = ""}}});
  auto committed = client.RoundTrip<protocol::OffsetCommitResponse>(commit, 7);
  REQUIRE_OK(committed.status());
  REQUIRE(committed->topics.size() == 1);
  REQUIRE(committed->topics[0].partitions.size() == 1);
  CHECK(committed->topics[0].partitions[0].error_code == not_coordinator);

  protocol::OffsetFetchRequest fetch;
  fetch.group_id = "g";
  fetch.topics = std::vector<protocol::OffsetFetchRequest::Topic>{
      {.name = "t", .partition_indexes = {0}}};
  auto fetched = client.RoundTrip<protocol::OffsetFetchResponse>(fetch, 5);
  REQUIRE_OK(fetched.status());
  CHECK(fetched->error_code == kErrorNone);
  CHECK(fetched->topics.at(0).partitions.at(0).committed_offset == -1);
}

TEST_CASE(
    "an injected error on an acks=0 produce closes the connection and "
    "appends nothing",
    "[server][inject]") {
  ServedBroker served;
  REQUIRE_OK(served.broker->CreateTopic({.name = "t", .num_partitions = 1}));
  REQUIRE_OK(served.server->InjectErrors(Key(ApiKey::kProduce), {kNotLeader}));
  {
    WireClient client(served.port());
    REQUIRE(client.connected());
    std::string batch = Batch("lost");
    ProduceRequest request;
    request.acks = 0;
    request.timeout_ms = 5000;
    auto& t = request.topic_data.emplace_back();
    t.name = "t";
    t.partition_data.push_back(
        {.index = 0,
         .records = {.view = std::span<char>(batch), .slices = {}}});
    REQUIRE_OK(client.SendRequest(request, kProduceVersion, 1));
    CHECK_OK(client.WaitForClose());
  }
  WireClient client(served.port());
  REQUIRE(client.connected());
  CHECK(HighWatermark(FetchAll(client, "t")) == 0);
}

TEST_CASE("InjectErrors refuses an API the server does not serve",
          "[server][inject]") {
  ServedBroker served;
  const absl::Status refused = served.server->InjectErrors(
      Key(ApiKey::kAddPartitionsToTxn), {kNotLeader});
  CHECK(absl::IsInvalidArgument(refused));
  CHECK(absl::IsInvalidArgument(served.server->InjectErrors(-1, {1})));
  CHECK(absl::IsInvalidArgument(served.server->InjectErrors(1000, {1})));
  CHECK_OK(served.server->InjectErrors(Key(ApiKey::kProduce), {}));
}

}  // namespace
}  // namespace rill::server::testing
