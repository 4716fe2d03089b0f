#include "protocol/messages/delete_groups.h"

#include <catch2/catch.hpp>

#include "expected_bytes.h"
#include "message_checks.h"
#include "round_trip.h"

namespace rill::protocol {
namespace {

using testing::CheckAllVersions;
using testing::ExpectedBytes;

TEST_CASE("DeleteGroups request and response round-trip at every version",
          "[protocol]") {
  CheckAllVersions<DeleteGroupsRequest>(
      {{.groups_names = {"billing", "connect"}}});
  CheckAllVersions<DeleteGroupsResponse>(
      {{.throttle_time_ms = 1, .results = {{"billing", 0}, {"connect", 68}}}});
}

TEST_CASE("DeleteGroups requests and responses are the same in v0 and v1",
          "[protocol]") {
  DeleteGroupsRequest request{.groups_names = {"a", "b"}};
  ExpectedBytes q;
  q.Array(2).Str("a").Str("b");
  CHECK(EncodeToString(request, 0) == q.bytes());
  CHECK(EncodeToString(request, 1) == q.bytes());
  DeleteGroupsResponse response{.throttle_time_ms = 1, .results = {{"a", 68}}};
  ExpectedBytes a;
  a.I32(1).Array(1).Str("a").I16(68);
  CHECK(EncodeToString(response, 0) == a.bytes());
  CHECK(EncodeToString(response, 1) == a.bytes());
}

}  // namespace
}  // namespace rill::protocol
