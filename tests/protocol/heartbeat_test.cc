#include "protocol/messages/heartbeat.h"

#include <catch2/catch.hpp>

#include "expected_bytes.h"
#include "message_checks.h"
#include "round_trip.h"

namespace rill::protocol {
namespace {

using testing::CheckAllVersions;
using testing::ExpectedBytes;

TEST_CASE("Heartbeat request and response round-trip at every version",
          "[protocol]") {
  HeartbeatRequest full{.group_id = "billing",
                        .generation_id = 4,
                        .member_id = "rdkafka-1",
                        .group_instance_id = "instance-a"};
  HeartbeatRequest dynamic_member = full;
  dynamic_member.group_instance_id = std::nullopt;
  CheckAllVersions<HeartbeatRequest>({full, dynamic_member});
  CheckAllVersions<HeartbeatResponse>(
      {{.throttle_time_ms = 2, .error_code = 27}});
}

TEST_CASE("Heartbeat requests carry the instance id from v3", "[protocol]") {
  HeartbeatRequest r{.group_id = "g",
                     .generation_id = 4,
                     .member_id = "m",
                     .group_instance_id = "i"};
  ExpectedBytes v2;
  v2.Str("g").I32(4).Str("m");
  CHECK(EncodeToString(r, 2) == v2.bytes());
  ExpectedBytes v3;
  v3.Str("g").I32(4).Str("m").Str("i");
  CHECK(EncodeToString(r, 3) == v3.bytes());
  r.group_instance_id = std::nullopt;
  ExpectedBytes null_id;
  null_id.Str("g").I32(4).Str("m").NullStr();
  CHECK(EncodeToString(r, 3) == null_id.bytes());
}

TEST_CASE("Heartbeat responses carry the throttle time from v1", "[protocol]") {
  HeartbeatResponse r{.throttle_time_ms = 2, .error_code = 27};
  ExpectedBytes v0;
  v0.I16(27);
  CHECK(EncodeToString(r, 0) == v0.bytes());
  ExpectedBytes v1;
  v1.I32(2).I16(27);
  CHECK(EncodeToString(r, 1) == v1.bytes());
}

}  // namespace
}  // namespace rill::protocol
