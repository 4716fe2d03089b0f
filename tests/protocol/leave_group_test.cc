#include "protocol/messages/leave_group.h"

#include <catch2/catch.hpp>

#include "expected_bytes.h"
#include "message_checks.h"
#include "round_trip.h"

namespace rill::protocol {
namespace {

using testing::CheckAllVersions;
using testing::ExpectedBytes;

TEST_CASE("LeaveGroup request and response round-trip at every version",
          "[protocol]") {
  LeaveGroupRequest request;
  request.group_id = "billing";
  request.member_id = "rdkafka-1";
  request.members = {{"rdkafka-1", "instance-a"}, {"rdkafka-2", std::nullopt}};
  CheckAllVersions<LeaveGroupRequest>({request});
  LeaveGroupResponse response;
  response.throttle_time_ms = 6;
  response.error_code = 25;
  response.members = {{"rdkafka-1", "instance-a", 0},
                      {"rdkafka-2", std::nullopt, 25}};
  CheckAllVersions<LeaveGroupResponse>({response});
}

TEST_CASE("LeaveGroup names one member up to v2 and a list from v3",
          "[protocol]") {
  LeaveGroupRequest r;
  r.group_id = "g";
  r.member_id = "m";
  r.members = {{"a", "i"}, {"b", std::nullopt}};
  ExpectedBytes v0;
  v0.Str("g").Str("m");
  CHECK(EncodeToString(r, 0) == v0.bytes());
  CHECK(EncodeToString(r, 2) == v0.bytes());
  ExpectedBytes v3;
  v3.Str("g").Array(2).Str("a").Str("i").Str("b").NullStr();
  CHECK(EncodeToString(r, 3) == v3.bytes());
}

TEST_CASE("LeaveGroup responses answer per member from v3", "[protocol]") {
  LeaveGroupResponse r;
  r.throttle_time_ms = 6;
  r.error_code = 0;
  r.members = {{"a", std::nullopt, 25}};
  ExpectedBytes v0;
  v0.I16(0);
  CHECK(EncodeToString(r, 0) == v0.bytes());
  ExpectedBytes v1;
  v1.I32(6).I16(0);
  CHECK(EncodeToString(r, 2) == v1.bytes());
  ExpectedBytes v3;
  v3.I32(6).I16(0).Array(1).Str("a").NullStr().I16(25);
  CHECK(EncodeToString(r, 3) == v3.bytes());
}

}  // namespace
}  // namespace rill::protocol
