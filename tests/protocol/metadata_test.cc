#include "protocol/messages/metadata.h"

#include <catch2/catch.hpp>
#include <string>

#include "message_check.h"
#include "round_trip.h"
#include "wire_bytes.h"

namespace rill::protocol {
namespace {

using namespace wire_bytes;

TEST_CASE("Metadata requests round-trip at every version, null or not",
          "[protocol]") {
  MetadataRequest m;
  m.topics = std::vector<MetadataRequest::Topic>{{.name = "orders"},
                                                 {.name = "payments"}};
  m.allow_auto_topic_creation = false;
  for (int16_t version = 0; version <= 6; ++version) {
    CAPTURE(version);
    CHECK(Unpopulated(m, version) == "");
    CheckRoundTrip(m, version);
    if (version >= 1) {
      MetadataRequest all = m;
      all.topics = std::nullopt;
      CheckRoundTrip(all, version);
    }
  }
}

TEST_CASE("Metadata responses round-trip at every version, null or not",
          "[protocol]") {
  MetadataResponse m;
  m.throttle_time_ms = 8;
  m.brokers = {{.node_id = 1, .host = "a", .port = 9092, .rack = "r1"},
               {.node_id = 2, .host = "b", .port = 9093, .rack = "r2"}};
  m.cluster_id = "cluster-x";
  m.controller_id = 2;
  for (const char* name : {"orders", "__consumer_offsets"}) {
    MetadataResponse::Topic topic{
        .error_code = 5, .name = name, .is_internal = true, .partitions = {}};
    for (int32_t p : {1, 2}) {
      topic.partitions.push_back({.error_code = 9,
                                  .partition_index = p,
                                  .leader_id = 2,
                                  .replica_nodes = {2, 1},
                                  .isr_nodes = {2, 1},
                                  .offline_replicas = {3, 4}});
    }
    m.topics.push_back(topic);
  }
  for (int16_t version = 0; version <= 6; ++version) {
    CAPTURE(version);
    CHECK(Unpopulated(m, version) == "");
    CheckRoundTrip(m, version);
    MetadataResponse nulls = m;
    nulls.brokers[1].rack = std::nullopt;
    nulls.cluster_id = std::nullopt;
    CheckRoundTrip(nulls, version);
  }
}

TEST_CASE("Metadata requests match the schema byte for byte", "[protocol]") {
  MetadataRequest m;
  m.topics = std::vector<MetadataRequest::Topic>{{.name = "a"}, {.name = "b"}};
  m.allow_auto_topic_creation = false;
  for (int16_t version = 0; version <= 6; ++version) {
    CAPTURE(version);
    const std::string flag = version >= 4 ? Boolean(false) : "";
    CheckWireBytes(m, version,
                   ArrayLength(2) + String("a") + String("b") + flag);
    if (version >= 1) {
      MetadataRequest all = m;
      all.topics = std::nullopt;
      CheckWireBytes(all, version, ArrayLength(-1) + flag);
    }
  }
}

TEST_CASE("a null topic array is not valid Metadata v0", "[protocol]") {
  std::string bytes = ArrayLength(-1);
  MetadataRequest out;
  CHECK(GetErrorReason(Decode(std::span<char>(bytes), 0, &out)) ==
        ErrorReason::kInvalidRequest);
}

TEST_CASE("Metadata responses match the schema byte for byte", "[protocol]") {
  MetadataResponse m;
  m.throttle_time_ms = 7;
  m.brokers = {{.node_id = 1, .host = "h", .port = 9092, .rack = std::nullopt}};
  m.cluster_id = "c";
  m.controller_id = 1;
  m.topics = {{.error_code = 0,
               .name = "t",
               .is_internal = true,
               .partitions = {{.error_code = 0,
                               .partition_index = 0,
                               .leader_id = 1,
                               .replica_nodes = {1},
                               .isr_nodes = {1},
                               .offline_replicas = {}}}}};
  for (int16_t version = 0; version <= 6; ++version) {
    CAPTURE(version);
    std::string expected;
    if (version >= 3) expected += Int32(7);
    expected += ArrayLength(1) + Int32(1) + String("h") + Int32(9092);
    if (version >= 1) expected += NullString();
    if (version >= 2) expected += String("c");
    if (version >= 1) expected += Int32(1);
    expected += ArrayLength(1) + Int16(0) + String("t");
    if (version >= 1) expected += Boolean(true);
    expected += ArrayLength(1) + Int16(0) + Int32(0) + Int32(1) +
                ArrayLength(1) + Int32(1) + ArrayLength(1) + Int32(1);
    if (version >= 5) expected += ArrayLength(0);
    CheckWireBytes(m, version, expected);
  }
}

}  // namespace
}  // namespace rill::protocol
