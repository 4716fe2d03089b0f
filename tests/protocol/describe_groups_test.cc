#include "protocol/messages/describe_groups.h"

#include <catch2/catch.hpp>

#include "expected_bytes.h"
#include "message_checks.h"
#include "round_trip.h"

namespace rill::protocol {
namespace {

using testing::CheckAllVersions;
using testing::ExpectedBytes;

DescribeGroupsResponse FullResponse() {
  DescribeGroupsResponse r;
  r.throttle_time_ms = 8;
  DescribeGroupsResponse::DescribedGroup stable;
  stable.error_code = 0;
  stable.group_id = "billing";
  stable.group_state = "Stable";
  stable.protocol_type = "consumer";
  stable.protocol_data = "range";
  stable.members = {
      {"rdkafka-1", "instance-a", "client-1", "/127.0.0.1", {"md1"}, {"as1"}},
      {"rdkafka-2", std::nullopt, "client-2", "/127.0.0.2", {"md2"}, {"as2"}}};
  stable.authorized_operations = 0x0f;
  DescribeGroupsResponse::DescribedGroup dead;
  dead.error_code = 16;
  dead.group_id = "gone";
  dead.group_state = "Dead";
  dead.authorized_operations = 0;
  r.groups = {stable, dead};
  return r;
}

TEST_CASE("DescribeGroups request and response round-trip at every version",
          "[protocol]") {
  CheckAllVersions<DescribeGroupsRequest>(
      {{.groups = {"billing", "gone"}, .include_authorized_operations = true}});
  CheckAllVersions<DescribeGroupsResponse>({FullResponse()});
}

TEST_CASE("DescribeGroups requests ask for authorized operations from v3",
          "[protocol]") {
  DescribeGroupsRequest r{.groups = {"a", "b"},
                          .include_authorized_operations = true};
  ExpectedBytes v0;
  v0.Array(2).Str("a").Str("b");
  CHECK(EncodeToString(r, 2) == v0.bytes());
  ExpectedBytes v3;
  v3.Array(2).Str("a").Str("b").Bool(true);
  CHECK(EncodeToString(r, 3) == v3.bytes());
}

TEST_CASE("DescribeGroups responses by version", "[protocol]") {
  DescribeGroupsResponse r;
  r.throttle_time_ms = 8;
  DescribeGroupsResponse::DescribedGroup g;
  g.group_id = "g";
  g.group_state = "Stable";
  g.protocol_type = "consumer";
  g.protocol_data = "range";
  g.members = {{"m", "i", "c", "h", {"md"}, {"as"}}};
  r.groups = {g};
  ExpectedBytes v0;
  v0.Array(1).I16(0).Str("g").Str("Stable").Str("consumer").Str("range");
  v0.Array(1).Str("m").Str("c").Str("h").Blob("md").Blob("as");
  CHECK(EncodeToString(r, 0) == v0.bytes());
  ExpectedBytes v3;
  v3.I32(8).Array(1).I16(0).Str("g").Str("Stable").Str("consumer");
  v3.Str("range").Array(1).Str("m").Str("c").Str("h").Blob("md").Blob("as");
  v3.I32(INT32_MIN);
  CHECK(EncodeToString(r, 3) == v3.bytes());
  ExpectedBytes v4;
  v4.I32(8).Array(1).I16(0).Str("g").Str("Stable").Str("consumer");
  v4.Str("range").Array(1).Str("m").Str("i").Str("c").Str("h").Blob("md");
  v4.Blob("as").I32(INT32_MIN);
  CHECK(EncodeToString(r, 4) == v4.bytes());
}

}  // namespace
}  // namespace rill::protocol
