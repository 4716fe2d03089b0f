#include "protocol/messages/offset_delete.h"

#include <catch2/catch.hpp>

#include "expected_bytes.h"
#include "message_checks.h"
#include "round_trip.h"

namespace rill::protocol {
namespace {

using testing::CheckAllVersions;
using testing::ExpectedBytes;

TEST_CASE("OffsetDelete request and response round-trip at every version",
          "[protocol]") {
  OffsetDeleteRequest request;
  request.group_id = "billing";
  request.topics = {{"orders", {{0}, {1}}}, {"payments", {{2}, {3}}}};
  CheckAllVersions<OffsetDeleteRequest>({request});
  OffsetDeleteResponse response;
  response.error_code = 16;
  response.throttle_time_ms = 3;
  response.topics = {{"orders", {{0, 0}, {1, 86}}},
                     {"payments", {{2, 3}, {3, 0}}}};
  CheckAllVersions<OffsetDeleteResponse>({response});
}

TEST_CASE("OffsetDelete v0 bytes; the response's error precedes throttle",
          "[protocol]") {
  OffsetDeleteRequest request;
  request.group_id = "g";
  request.topics = {{"t", {{1}, {2}}}};
  ExpectedBytes q;
  q.Str("g").Array(1).Str("t").Array(2).I32(1).I32(2);
  CHECK(EncodeToString(request, 0) == q.bytes());
  OffsetDeleteResponse response;
  response.error_code = 0;
  response.throttle_time_ms = 3;
  response.topics = {{"t", {{1, 86}}}};
  ExpectedBytes a;
  a.I16(0).I32(3).Array(1).Str("t").Array(1).I32(1).I16(86);
  CHECK(EncodeToString(response, 0) == a.bytes());
}

}  // namespace
}  // namespace rill::protocol
