#include "protocol/messages/join_group.h"

#include <catch2/catch.hpp>

#include "expected_bytes.h"
#include "message_checks.h"
#include "round_trip.h"

namespace rill::protocol {
namespace {

using testing::CheckAllVersions;
using testing::ExpectedBytes;

JoinGroupRequest FullRequest() {
  JoinGroupRequest r;
  r.group_id = "billing";
  r.session_timeout_ms = 45000;
  r.rebalance_timeout_ms = 300000;
  r.member_id = "rdkafka-1";
  r.group_instance_id = "instance-a";
  r.protocol_type = "consumer";
  r.protocols = {{"range", {std::string("\x00\x01r", 3)}},
                 {"roundrobin", {"rr"}}};
  return r;
}

JoinGroupResponse FullResponse() {
  JoinGroupResponse r;
  r.throttle_time_ms = 4;
  r.error_code = 79;
  r.generation_id = 3;
  r.protocol_name = "range";
  r.leader = "rdkafka-1";
  r.member_id = "rdkafka-2";
  r.members = {{"rdkafka-1", "instance-a", {"meta-1"}},
               {"rdkafka-2", std::nullopt, {std::string("\x00\xff", 2)}}};
  return r;
}

TEST_CASE("JoinGroup request and response round-trip at every version",
          "[protocol]") {
  JoinGroupRequest dynamic_member = FullRequest();
  dynamic_member.group_instance_id = std::nullopt;
  CheckAllVersions<JoinGroupRequest>({FullRequest(), dynamic_member});
  CheckAllVersions<JoinGroupResponse>({FullResponse()});
}

JoinGroupRequest SmallRequest() {
  JoinGroupRequest r;
  r.group_id = "g";
  r.session_timeout_ms = 10000;
  r.rebalance_timeout_ms = 20000;
  r.member_id = "";
  r.group_instance_id = "i";
  r.protocol_type = "consumer";
  r.protocols = {{"range", {"md"}}};
  return r;
}

TEST_CASE("JoinGroup requests: rebalance timeout from v1, instance id in v5",
          "[protocol]") {
  ExpectedBytes v0;
  v0.Str("g").I32(10000).Str("").Str("consumer");
  v0.Array(1).Str("range").Blob("md");
  CHECK(EncodeToString(SmallRequest(), 0) == v0.bytes());
  ExpectedBytes v4;
  v4.Str("g").I32(10000).I32(20000).Str("").Str("consumer");
  v4.Array(1).Str("range").Blob("md");
  CHECK(EncodeToString(SmallRequest(), 4) == v4.bytes());
  ExpectedBytes v5;
  v5.Str("g").I32(10000).I32(20000).Str("").Str("i").Str("consumer");
  v5.Array(1).Str("range").Blob("md");
  CHECK(EncodeToString(SmallRequest(), 5) == v5.bytes());
}

TEST_CASE("JoinGroup v0 requests read back the rebalance timeout as -1",
          "[protocol]") {
  std::string bytes = EncodeToString(SmallRequest(), 0);
  JoinGroupRequest out = DecodeOrFail<JoinGroupRequest>(bytes, 0);
  CHECK(out.rebalance_timeout_ms == -1);
  CHECK(out.session_timeout_ms == 10000);
}

TEST_CASE("JoinGroup responses: throttle from v2, member instance ids in v5",
          "[protocol]") {
  JoinGroupResponse r;
  r.throttle_time_ms = 4;
  r.error_code = 0;
  r.generation_id = 3;
  r.protocol_name = "range";
  r.leader = "a";
  r.member_id = "b";
  r.members = {{"a", std::nullopt, {"x"}}};
  ExpectedBytes v1;
  v1.I16(0).I32(3).Str("range").Str("a").Str("b");
  v1.Array(1).Str("a").Blob("x");
  CHECK(EncodeToString(r, 1) == v1.bytes());
  ExpectedBytes v5;
  v5.I32(4).I16(0).I32(3).Str("range").Str("a").Str("b");
  v5.Array(1).Str("a").NullStr().Blob("x");
  CHECK(EncodeToString(r, 5) == v5.bytes());
}

}  // namespace
}  // namespace rill::protocol
