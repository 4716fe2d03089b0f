// KafkaServer::InjectErrors answers every API the server serves, at every
// version it advertises, with a well-formed response whose error fields
// carry the injected code.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "group_wire_util.h"
#include "protocol/messages/alter_configs.h"
#include "protocol/messages/api_versions.h"
#include "protocol/messages/create_partitions.h"
#include "protocol/messages/create_topics.h"
#include "protocol/messages/delete_groups.h"
#include "protocol/messages/delete_records.h"
#include "protocol/messages/delete_topics.h"
#include "protocol/messages/describe_configs.h"
#include "protocol/messages/describe_groups.h"
#include "protocol/messages/fetch.h"
#include "protocol/messages/find_coordinator.h"
#include "protocol/messages/init_producer_id.h"
#include "protocol/messages/leave_group.h"
#include "protocol/messages/list_groups.h"
#include "protocol/messages/list_offsets.h"
#include "protocol/messages/metadata.h"
#include "protocol/messages/offset_commit.h"
#include "protocol/messages/offset_delete.h"
#include "protocol/messages/offset_fetch.h"
#include "protocol/messages/offset_for_leader_epoch.h"
#include "protocol/messages/produce.h"
#include "rill/record/record_batch.h"
#include "server_test_util.h"
#include "status_test_util.h"
#include "wire_client.h"

namespace rill::server::testing {
namespace {

using protocol::AlterConfigsRequest;
using protocol::AlterConfigsResponse;
using protocol::ApiKey;
using protocol::ApiKeyName;
using protocol::ApiVersionsRequest;
using protocol::ApiVersionsResponse;
using protocol::CreatePartitionsRequest;
using protocol::CreatePartitionsResponse;
using protocol::CreateTopicsRequest;
using protocol::CreateTopicsResponse;
using protocol::DeleteGroupsRequest;
using protocol::DeleteGroupsResponse;
using protocol::DeleteRecordsRequest;
using protocol::DeleteRecordsResponse;
using protocol::DeleteTopicsRequest;
using protocol::DeleteTopicsResponse;
using protocol::DescribeConfigsRequest;
using protocol::DescribeConfigsResponse;
using protocol::DescribeGroupsRequest;
using protocol::DescribeGroupsResponse;
using protocol::FetchRequest;
using protocol::FetchResponse;
using protocol::FindCoordinatorRequest;
using protocol::FindCoordinatorResponse;
using protocol::HeartbeatRequest;
using protocol::HeartbeatResponse;
using protocol::InitProducerIdRequest;
using protocol::InitProducerIdResponse;
using protocol::JoinGroupResponse;
using protocol::LeaveGroupRequest;
using protocol::LeaveGroupResponse;
using protocol::ListGroupsRequest;
using protocol::ListGroupsResponse;
using protocol::ListOffsetsRequest;
using protocol::ListOffsetsResponse;
using protocol::Message;
using protocol::MetadataRequest;
using protocol::MetadataResponse;
using protocol::OffsetCommitRequest;
using protocol::OffsetCommitResponse;
using protocol::OffsetDeleteRequest;
using protocol::OffsetDeleteResponse;
using protocol::OffsetFetchRequest;
using protocol::OffsetFetchResponse;
using protocol::OffsetForLeaderEpochRequest;
using protocol::OffsetForLeaderEpochResponse;
using protocol::ProduceRequest;
using protocol::ProduceResponse;
using protocol::SyncGroupRequest;
using protocol::SyncGroupResponse;
using protocol::Versions;

// COORDINATOR_NOT_AVAILABLE: a code a healthy single broker never sends
// for these requests, so seeing it means the injection answered.
constexpr int16_t kCode = 15;

int16_t Key(ApiKey api) { return static_cast<int16_t>(api); }

// ServedVersions asks the server which versions of `api` it speaks.
Versions ServedVersions(WireClient& client, ApiKey api) {
  auto response =
      client.RoundTrip<ApiVersionsResponse>(ApiVersionsRequest{}, 0);
  REQUIRE_OK(response.status());
  for (const ApiVersionsResponse::ApiVersion& v : response->api_keys) {
    if (v.api_key == Key(api)) return {v.min_version, v.max_version};
  }
  FAIL("the server does not advertise API " << Key(api));
  return {};
}

// AtEveryVersion injects kCode once per version the server speaks for the
// request's API, sends `request` at that version and hands the decoded
// answer to `check`.
template <Message Response, Message Request, typename Check>
void AtEveryVersion(ServedBroker& served, const Request& request, Check check) {
  WireClient client(served.port());
  REQUIRE(client.connected());
  const Versions versions = ServedVersions(client, Request::kApiKey);
  for (int16_t v = versions.min; v <= versions.max; ++v) {
    INFO(ApiKeyName(Key(Request::kApiKey)) << " v" << v);
    REQUIRE_OK(served.server->InjectErrors(Key(Request::kApiKey), {kCode}));
    auto response = client.RoundTrip<Response>(request, v);
    REQUIRE_OK(response.status());
    check(v, *response);
  }
}

TEST_CASE("every served API answers an injected error at every version",
          "[server][inject]") {
  ServedBroker served;
  REQUIRE_OK(served.broker->CreateTopic({.name = "t", .num_partitions = 1}));

  SECTION("Produce: every partition, base offset -1") {
    record::RecordBatchBuilder builder;
    builder.Append({.timestamp_ms = 1, .key = {}, .value = "v"});
    auto batch = builder.Build();
    REQUIRE_OK(batch.status());
    ProduceRequest r;
    r.acks = -1;
    r.timeout_ms = 1000;
    r.topic_data.push_back(
        {.name = "t",
         .partition_data = {
             {.index = 0,
              .records = {.view = std::span<char>(*batch), .slices = {}}},
             {.index = 7, .records = {.view = {}, .slices = {}}}}});
    AtEveryVersion<ProduceResponse>(
        served, r, [](int16_t, const ProduceResponse& a) {
          REQUIRE(a.responses.size() == 1);
          CHECK(a.responses[0].name == "t");
          REQUIRE(a.responses[0].partition_responses.size() == 2);
          CHECK(a.responses[0].partition_responses[1].index == 7);
          for (const auto& p : a.responses[0].partition_responses) {
            CHECK(p.error_code == kCode);
            CHECK(p.base_offset == -1);
          }
        });
    auto end = served.broker->ListOffsets({"t", PartitionId(0)}, {});
    REQUIRE_OK(end.status());
    CHECK(end->offset.value() == 0);  // nothing was appended
  }
  SECTION("Fetch: top level (v7+) and every partition") {
    FetchRequest r;
    r.max_wait_ms = 0;
    r.topics.push_back(
        {.topic = "t",
         .partitions = {{.partition = 0, .partition_max_bytes = 1024}}});
    AtEveryVersion<FetchResponse>(
        served, r, [](int16_t v, const FetchResponse& a) {
          CHECK(a.error_code == (v >= 7 ? kCode : 0));
          REQUIRE(a.responses.size() == 1);
          REQUIRE(a.responses[0].partitions.size() == 1);
          CHECK(a.responses[0].partitions[0].error_code == kCode);
          CHECK(a.responses[0].partitions[0].records.size() == 0);
        });
  }
  SECTION("ListOffsets: every partition, no offset") {
    ListOffsetsRequest r;
    r.topics.push_back(
        {.name = "t", .partitions = {{.partition_index = 0, .timestamp = -1}}});
    AtEveryVersion<ListOffsetsResponse>(
        served, r, [](int16_t, const ListOffsetsResponse& a) {
          REQUIRE(a.topics.size() == 1);
          REQUIRE(a.topics[0].partitions.size() == 1);
          CHECK(a.topics[0].partitions[0].error_code == kCode);
          CHECK(a.topics[0].partitions[0].offset == -1);
          CHECK(a.topics[0].partitions[0].old_style_offsets.empty());
        });
  }
  SECTION("OffsetForLeaderEpoch: every partition, no epoch or offset") {
    OffsetForLeaderEpochRequest r;
    r.replica_id = 1;
    r.topics.push_back({.topic = "t",
                        .partitions = {{.partition = 0, .leader_epoch = 0},
                                       {.partition = 3, .leader_epoch = 0}}});
    AtEveryVersion<OffsetForLeaderEpochResponse>(
        served, r, [](int16_t, const OffsetForLeaderEpochResponse& a) {
          REQUIRE(a.topics.size() == 1);
          CHECK(a.topics[0].topic == "t");
          REQUIRE(a.topics[0].partitions.size() == 2);
          CHECK(a.topics[0].partitions[1].partition == 3);
          for (const auto& p : a.topics[0].partitions) {
            CHECK(p.error_code == kCode);
            CHECK(p.leader_epoch == -1);
            CHECK(p.end_offset == -1);
          }
        });
  }
  SECTION("Metadata: every topic asked for") {
    MetadataRequest r;
    r.topics = std::vector<MetadataRequest::Topic>{{.name = "t"}};
    AtEveryVersion<MetadataResponse>(served, r,
                                     [](int16_t, const MetadataResponse& a) {
                                       CHECK(a.brokers.size() == 1);
                                       REQUIRE(a.topics.size() == 1);
                                       CHECK(a.topics[0].error_code == kCode);
                                       CHECK(a.topics[0].partitions.empty());
                                     });
  }
  SECTION("OffsetCommit: every partition") {
    OffsetCommitRequest r;
    r.group_id = "g";
    r.topics.push_back({.name = "t", .partitions = {{.partition_index = 0}}});
    AtEveryVersion<OffsetCommitResponse>(
        served, r, [](int16_t, const OffsetCommitResponse& a) {
          REQUIRE(a.topics.size() == 1);
          REQUIRE(a.topics[0].partitions.size() == 1);
          CHECK(a.topics[0].partitions[0].error_code == kCode);
        });
  }
  SECTION("OffsetFetch: top level (v2+) and every partition") {
    OffsetFetchRequest r;
    r.group_id = "g";
    r.topics = std::vector<OffsetFetchRequest::Topic>{
        {.name = "t", .partition_indexes = {0}}};
    AtEveryVersion<OffsetFetchResponse>(
        served, r, [](int16_t v, const OffsetFetchResponse& a) {
          CHECK(a.error_code == (v >= 2 ? kCode : 0));
          REQUIRE(a.topics.size() == 1);
          REQUIRE(a.topics[0].partitions.size() == 1);
          CHECK(a.topics[0].partitions[0].error_code == kCode);
          CHECK(a.topics[0].partitions[0].committed_offset == -1);
        });
  }
  SECTION("FindCoordinator: no coordinator") {
    FindCoordinatorRequest r;
    r.key = "g";
    AtEveryVersion<FindCoordinatorResponse>(
        served, r, [](int16_t, const FindCoordinatorResponse& a) {
          CHECK(a.error_code == kCode);
          CHECK(a.node_id == -1);
        });
  }
  SECTION("JoinGroup, SyncGroup, Heartbeat: top level") {
    AtEveryVersion<JoinGroupResponse>(served, ConsumerJoin("g", {"t"}),
                                      [](int16_t, const JoinGroupResponse& a) {
                                        CHECK(a.error_code == kCode);
                                        CHECK(a.generation_id == -1);
                                        CHECK(a.members.empty());
                                      });
    SyncGroupRequest sync;
    sync.group_id = "g";
    sync.member_id = "m";
    AtEveryVersion<SyncGroupResponse>(served, sync,
                                      [](int16_t, const SyncGroupResponse& a) {
                                        CHECK(a.error_code == kCode);
                                        CHECK(a.assignment.data.empty());
                                      });
    HeartbeatRequest heartbeat;
    heartbeat.group_id = "g";
    heartbeat.member_id = "m";
    AtEveryVersion<HeartbeatResponse>(served, heartbeat,
                                      [](int16_t, const HeartbeatResponse& a) {
                                        CHECK(a.error_code == kCode);
                                      });
  }
  SECTION("LeaveGroup: top level and every member (v3+)") {
    LeaveGroupRequest r;
    r.group_id = "g";
    r.member_id = "m";
    r.members.push_back({.member_id = "m", .group_instance_id = std::nullopt});
    AtEveryVersion<LeaveGroupResponse>(
        served, r, [](int16_t v, const LeaveGroupResponse& a) {
          CHECK(a.error_code == kCode);
          if (v < 3) return;
          REQUIRE(a.members.size() == 1);
          CHECK(a.members[0].member_id == "m");
          CHECK(a.members[0].error_code == kCode);
        });
  }
  SECTION("InitProducerId: no producer id") {
    InitProducerIdRequest r;
    r.transactional_id = std::nullopt;
    AtEveryVersion<InitProducerIdResponse>(
        served, r, [](int16_t, const InitProducerIdResponse& a) {
          CHECK(a.error_code == kCode);
          CHECK(a.producer_id == -1);
        });
  }
  SECTION("CreateTopics and DeleteTopics: every topic, none touched") {
    CreateTopicsRequest create;
    create.topics.push_back({.name = "new",
                             .num_partitions = 1,
                             .replication_factor = 1,
                             .assignments = {},
                             .configs = {}});
    AtEveryVersion<CreateTopicsResponse>(
        served, create, [](int16_t, const CreateTopicsResponse& a) {
          REQUIRE(a.topics.size() == 1);
          CHECK(a.topics[0].name == "new");
          CHECK(a.topics[0].error_code == kCode);
        });
    CHECK_FALSE(served.broker->DescribeTopic("new").ok());
    DeleteTopicsRequest remove;
    remove.topic_names = {"t"};
    AtEveryVersion<DeleteTopicsResponse>(
        served, remove, [](int16_t, const DeleteTopicsResponse& a) {
          REQUIRE(a.responses.size() == 1);
          CHECK(a.responses[0].name == "t");
          CHECK(a.responses[0].error_code == kCode);
        });
    CHECK_OK(served.broker->DescribeTopic("t").status());
  }
  SECTION("DeleteRecords and CreatePartitions: every topic or partition") {
    DeleteRecordsRequest records;
    records.topics.push_back(
        {.name = "t", .partitions = {{.partition_index = 0, .offset = 0}}});
    AtEveryVersion<DeleteRecordsResponse>(
        served, records, [](int16_t, const DeleteRecordsResponse& a) {
          REQUIRE(a.topics.size() == 1);
          REQUIRE(a.topics[0].partitions.size() == 1);
          CHECK(a.topics[0].partitions[0].error_code == kCode);
          CHECK(a.topics[0].partitions[0].low_watermark == -1);
        });
    CreatePartitionsRequest partitions;
    partitions.topics.push_back(
        {.name = "t", .count = 2, .assignments = std::nullopt});
    AtEveryVersion<CreatePartitionsResponse>(
        served, partitions, [](int16_t, const CreatePartitionsResponse& a) {
          REQUIRE(a.results.size() == 1);
          CHECK(a.results[0].name == "t");
          CHECK(a.results[0].error_code == kCode);
        });
    CHECK(served.broker->DescribeTopic("t")->partitions.size() == 1);
  }
  SECTION("DescribeConfigs and AlterConfigs: every resource") {
    constexpr int8_t kTopicResource = 2;
    DescribeConfigsRequest describe;
    describe.resources.push_back(
        {.resource_type = kTopicResource, .resource_name = "t"});
    AtEveryVersion<DescribeConfigsResponse>(
        served, describe, [](int16_t, const DescribeConfigsResponse& a) {
          REQUIRE(a.results.size() == 1);
          CHECK(a.results[0].resource_name == "t");
          CHECK(a.results[0].error_code == kCode);
          CHECK(a.results[0].configs.empty());
        });
    AlterConfigsRequest alter;
    alter.resources.push_back(
        {.resource_type = kTopicResource, .resource_name = "t", .configs = {}});
    AtEveryVersion<AlterConfigsResponse>(
        served, alter, [](int16_t, const AlterConfigsResponse& a) {
          REQUIRE(a.responses.size() == 1);
          CHECK(a.responses[0].resource_name == "t");
          CHECK(a.responses[0].error_code == kCode);
        });
  }
  SECTION("DescribeGroups, ListGroups, DeleteGroups, OffsetDelete") {
    DescribeGroupsRequest describe;
    describe.groups = {"g"};
    AtEveryVersion<DescribeGroupsResponse>(
        served, describe, [](int16_t, const DescribeGroupsResponse& a) {
          REQUIRE(a.groups.size() == 1);
          CHECK(a.groups[0].group_id == "g");
          CHECK(a.groups[0].error_code == kCode);
        });
    AtEveryVersion<ListGroupsResponse>(
        served, ListGroupsRequest{}, [](int16_t, const ListGroupsResponse& a) {
          CHECK(a.error_code == kCode);
        });
    DeleteGroupsRequest remove;
    remove.groups_names = {"g"};
    AtEveryVersion<DeleteGroupsResponse>(
        served, remove, [](int16_t, const DeleteGroupsResponse& a) {
          REQUIRE(a.results.size() == 1);
          CHECK(a.results[0].error_code == kCode);
        });
    OffsetDeleteRequest offsets;
    offsets.group_id = "g";
    offsets.topics.push_back({.name = "t", .partitions = {{0}}});
    AtEveryVersion<OffsetDeleteResponse>(
        served, offsets, [](int16_t, const OffsetDeleteResponse& a) {
          CHECK(a.error_code == kCode);
          REQUIRE(a.topics.size() == 1);
          REQUIRE(a.topics[0].partitions.size() == 1);
          CHECK(a.topics[0].partitions[0].error_code == kCode);
        });
  }
  SECTION("ApiVersions: the code, with the versions") {
    AtEveryVersion<ApiVersionsResponse>(
        served, ApiVersionsRequest{},
        [](int16_t, const ApiVersionsResponse& a) {
          CHECK(a.error_code == kCode);
          CHECK_FALSE(a.api_keys.empty());
        });
  }
}

}  // namespace
}  // namespace rill::server::testing
