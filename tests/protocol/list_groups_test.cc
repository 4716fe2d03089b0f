#include "protocol/messages/list_groups.h"

#include <catch2/catch.hpp>

#include "expected_bytes.h"
#include "message_checks.h"
#include "round_trip.h"

namespace rill::protocol {
namespace {

using testing::CheckAllVersions;
using testing::ExpectedBytes;

TEST_CASE("ListGroups request and response round-trip at every version",
          "[protocol]") {
  CheckAllVersions<ListGroupsRequest>({ListGroupsRequest{}});
  ListGroupsResponse r;
  r.throttle_time_ms = 3;
  r.error_code = 14;
  r.groups = {{"billing", "consumer"}, {"connect", "connect"}};
  CheckAllVersions<ListGroupsResponse>({r});
}

TEST_CASE("ListGroups requests are empty before v3", "[protocol]") {
  for (int16_t v = 0; v <= 2; ++v) {
    CHECK(EncodeToString(ListGroupsRequest{}, v).empty());
  }
}

TEST_CASE("ListGroups responses carry the throttle time from v1",
          "[protocol]") {
  ListGroupsResponse r;
  r.throttle_time_ms = 3;
  r.error_code = 0;
  r.groups = {{"g", "consumer"}};
  ExpectedBytes v0;
  v0.I16(0).Array(1).Str("g").Str("consumer");
  CHECK(EncodeToString(r, 0) == v0.bytes());
  ExpectedBytes v1;
  v1.I32(3).I16(0).Array(1).Str("g").Str("consumer");
  CHECK(EncodeToString(r, 1) == v1.bytes());
  CHECK(EncodeToString(r, 2) == v1.bytes());
}

}  // namespace
}  // namespace rill::protocol
