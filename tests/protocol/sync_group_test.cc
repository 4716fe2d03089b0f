#include "protocol/messages/sync_group.h"

#include <catch2/catch.hpp>

#include "expected_bytes.h"
#include "message_checks.h"
#include "round_trip.h"

namespace rill::protocol {
namespace {

using testing::CheckAllVersions;
using testing::ExpectedBytes;

TEST_CASE("SyncGroup request and response round-trip at every version",
          "[protocol]") {
  SyncGroupRequest leader;
  leader.group_id = "billing";
  leader.generation_id = 3;
  leader.member_id = "rdkafka-1";
  leader.group_instance_id = "instance-a";
  leader.assignments = {{"rdkafka-1", {std::string("\x00\x01\x00", 3)}},
                        {"rdkafka-2", {"assignment-2"}}};
  SyncGroupRequest dynamic_leader = leader;
  dynamic_leader.group_instance_id = std::nullopt;
  CheckAllVersions<SyncGroupRequest>({leader, dynamic_leader});
  CheckAllVersions<SyncGroupResponse>({{.throttle_time_ms = 1,
                                        .error_code = 27,
                                        .assignment = {"assignment-1"}}});
}

TEST_CASE("SyncGroup requests carry the instance id from v3", "[protocol]") {
  SyncGroupRequest r;
  r.group_id = "g";
  r.generation_id = 3;
  r.member_id = "m";
  r.group_instance_id = "i";
  r.assignments = {{"m", {"as"}}};
  ExpectedBytes v0;
  v0.Str("g").I32(3).Str("m").Array(1).Str("m").Blob("as");
  CHECK(EncodeToString(r, 0) == v0.bytes());
  CHECK(EncodeToString(r, 2) == v0.bytes());
  ExpectedBytes v3;
  v3.Str("g").I32(3).Str("m").Str("i").Array(1).Str("m").Blob("as");
  CHECK(EncodeToString(r, 3) == v3.bytes());
}

TEST_CASE("SyncGroup responses carry the assignment as bytes", "[protocol]") {
  SyncGroupResponse r{
      .throttle_time_ms = 1, .error_code = 0, .assignment = {"as"}};
  ExpectedBytes v0;
  v0.I16(0).Blob("as");
  CHECK(EncodeToString(r, 0) == v0.bytes());
  ExpectedBytes v3;
  v3.I32(1).I16(0).Blob("as");
  CHECK(EncodeToString(r, 3) == v3.bytes());
}

}  // namespace
}  // namespace rill::protocol
