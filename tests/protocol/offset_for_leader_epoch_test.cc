#include "protocol/messages/offset_for_leader_epoch.h"

#include <catch2/catch.hpp>
#include <string>

#include "message_check.h"
#include "round_trip.h"
#include "wire_bytes.h"

namespace rill::protocol {
namespace {

using namespace wire_bytes;

TEST_CASE("OffsetForLeaderEpoch requests round-trip at every version",
          "[protocol]") {
  OffsetForLeaderEpochRequest m;
  m.replica_id = 3;
  for (const char* topic : {"orders", "payments"}) {
    m.topics.push_back(
        {.topic = topic,
         .partitions = {
             {.partition = 1, .current_leader_epoch = 6, .leader_epoch = 4},
             {.partition = 2, .current_leader_epoch = 6, .leader_epoch = 5}}});
  }
  for (int16_t version = 0; version <= 3; ++version) {
    CAPTURE(version);
    CHECK(Unpopulated(m, version) == "");
    CheckRoundTrip(m, version);
  }
}

TEST_CASE("OffsetForLeaderEpoch responses round-trip at every version",
          "[protocol]") {
  OffsetForLeaderEpochResponse m;
  m.throttle_time_ms = 1;
  for (const char* topic : {"orders", "payments"}) {
    m.topics.push_back({.topic = topic,
                        .partitions = {{.error_code = 74,
                                        .partition = 1,
                                        .leader_epoch = 4,
                                        .end_offset = 500},
                                       {.error_code = 75,
                                        .partition = 2,
                                        .leader_epoch = 5,
                                        .end_offset = 600}}});
  }
  for (int16_t version = 0; version <= 3; ++version) {
    CAPTURE(version);
    CHECK(Unpopulated(m, version) == "");
    CheckRoundTrip(m, version);
  }
}

TEST_CASE("OffsetForLeaderEpoch requests match the schema byte for byte",
          "[protocol]") {
  OffsetForLeaderEpochRequest m;
  m.replica_id = 2;
  m.topics = {
      {.topic = "t",
       .partitions = {
           {.partition = 0, .current_leader_epoch = 9, .leader_epoch = 8}}}};
  for (int16_t version = 0; version <= 3; ++version) {
    CAPTURE(version);
    std::string expected = version >= 3 ? Int32(2) : "";
    expected += ArrayLength(1) + String("t") + ArrayLength(1) + Int32(0);
    if (version >= 2) expected += Int32(9);
    expected += Int32(8);
    CheckWireBytes(m, version, expected);
  }
}

TEST_CASE("OffsetForLeaderEpoch responses match the schema byte for byte",
          "[protocol]") {
  OffsetForLeaderEpochResponse m;
  m.throttle_time_ms = 6;
  m.topics = {{.topic = "t",
               .partitions = {{.error_code = 0,
                               .partition = 0,
                               .leader_epoch = 8,
                               .end_offset = 300}}}};
  for (int16_t version = 0; version <= 3; ++version) {
    CAPTURE(version);
    std::string expected = version >= 2 ? Int32(6) : "";
    expected +=
        ArrayLength(1) + String("t") + ArrayLength(1) + Int16(0) + Int32(0);
    if (version >= 1) expected += Int32(8);
    expected += Int64(300);
    CheckWireBytes(m, version, expected);
  }
}

}  // namespace
}  // namespace rill::protocol
