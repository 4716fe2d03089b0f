#include "protocol/messages/list_offsets.h"

#include <catch2/catch.hpp>
#include <string>

#include "message_check.h"
#include "round_trip.h"
#include "wire_bytes.h"

namespace rill::protocol {
namespace {

using namespace wire_bytes;

TEST_CASE("ListOffsets requests round-trip at every version", "[protocol]") {
  ListOffsetsRequest m;
  m.replica_id = -1;
  m.isolation_level = 1;
  for (const char* name : {"orders", "payments"}) {
    m.topics.push_back(
        {.name = name,
         .partitions = {
             {.partition_index = 1, .timestamp = -2, .max_num_offsets = 5},
             {.partition_index = 2,
              .timestamp = 1700000000000,
              .max_num_offsets = 3}}});
  }
  for (int16_t version = 0; version <= 3; ++version) {
    CAPTURE(version);
    CHECK(Unpopulated(m, version) == "");
    CheckRoundTrip(m, version);
  }
}

TEST_CASE("ListOffsets responses round-trip at every version", "[protocol]") {
  ListOffsetsResponse m;
  m.throttle_time_ms = 4;
  for (const char* name : {"orders", "payments"}) {
    ListOffsetsResponse::Topic topic{.name = name, .partitions = {}};
    for (int32_t p : {1, 2}) {
      topic.partitions.push_back({.partition_index = p,
                                  .error_code = 3,
                                  .old_style_offsets = {90, 10},
                                  .timestamp = 1700000000000,
                                  .offset = 90});
    }
    m.topics.push_back(topic);
  }
  for (int16_t version = 0; version <= 3; ++version) {
    CAPTURE(version);
    CHECK(Unpopulated(m, version) == "");
    CheckRoundTrip(m, version);
  }
}

TEST_CASE("ListOffsets requests match the schema byte for byte", "[protocol]") {
  ListOffsetsRequest m;
  m.replica_id = -1;
  m.isolation_level = 1;
  m.topics = {
      {.name = "t",
       .partitions = {
           {.partition_index = 0, .timestamp = -1, .max_num_offsets = 1}}}};
  for (int16_t version = 0; version <= 3; ++version) {
    CAPTURE(version);
    std::string expected = Int32(-1);
    if (version >= 2) expected += Int8(1);
    expected +=
        ArrayLength(1) + String("t") + ArrayLength(1) + Int32(0) + Int64(-1);
    // v0 asks for a number of offsets.
    if (version == 0) expected += Int32(1);
    CheckWireBytes(m, version, expected);
  }
}

TEST_CASE("ListOffsets responses match the schema byte for byte",
          "[protocol]") {
  ListOffsetsResponse m;
  m.throttle_time_ms = 9;
  m.topics = {{.name = "t",
               .partitions = {{.partition_index = 0,
                               .error_code = 0,
                               .old_style_offsets = {10, 0},
                               .timestamp = 1234,
                               .offset = 10}}}};
  for (int16_t version = 0; version <= 3; ++version) {
    CAPTURE(version);
    std::string expected;
    if (version >= 2) expected += Int32(9);
    expected +=
        ArrayLength(1) + String("t") + ArrayLength(1) + Int32(0) + Int16(0);
    if (version == 0) {
      // v0 answers with an array of offsets, not one offset and its time.
      expected += ArrayLength(2) + Int64(10) + Int64(0);
    } else {
      expected += Int64(1234) + Int64(10);
    }
    CheckWireBytes(m, version, expected);
  }
}

}  // namespace
}  // namespace rill::protocol
