#include "protocol/messages/delete_records.h"

#include <catch2/catch.hpp>

#include "expected_bytes.h"
#include "message_checks.h"
#include "round_trip.h"

namespace rill::protocol {
namespace {

using testing::CheckAllVersions;
using testing::ExpectedBytes;

TEST_CASE("DeleteRecords request and response round-trip at every version",
          "[protocol]") {
  DeleteRecordsRequest request;
  request.topics = {{"orders", {{0, 100}, {1, -1}}},
                    {"payments", {{2, 5}, {3, 6}}}};
  request.timeout_ms = 30000;
  CheckAllVersions<DeleteRecordsRequest>({request});
  DeleteRecordsResponse response;
  response.throttle_time_ms = 4;
  response.topics = {{"orders", {{0, 100, 0}, {1, 250, 0}}},
                     {"payments", {{2, -1, 1}, {3, 6, 3}}}};
  CheckAllVersions<DeleteRecordsResponse>({response});
}

TEST_CASE("DeleteRecords requests and responses are the same in v0 and v1",
          "[protocol]") {
  DeleteRecordsRequest request;
  request.topics = {{"t", {{2, 77}}}};
  request.timeout_ms = 1000;
  ExpectedBytes q;
  q.Array(1).Str("t").Array(1).I32(2).I64(77).I32(1000);
  CHECK(EncodeToString(request, 0) == q.bytes());
  CHECK(EncodeToString(request, 1) == q.bytes());
  DeleteRecordsResponse response;
  response.throttle_time_ms = 4;
  response.topics = {{"t", {{2, 77, 1}}}};
  ExpectedBytes a;
  a.I32(4).Array(1).Str("t").Array(1).I32(2).I64(77).I16(1);
  CHECK(EncodeToString(response, 0) == a.bytes());
  CHECK(EncodeToString(response, 1) == a.bytes());
}

}  // namespace
}  // namespace rill::protocol
