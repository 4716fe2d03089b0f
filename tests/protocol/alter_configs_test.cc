#include "protocol/messages/alter_configs.h"

#include <catch2/catch.hpp>

#include "expected_bytes.h"
#include "message_checks.h"
#include "round_trip.h"

namespace rill::protocol {
namespace {

using testing::CheckAllVersions;
using testing::ExpectedBytes;

TEST_CASE("AlterConfigs request and response round-trip at every version",
          "[protocol]") {
  AlterConfigsRequest request;
  request.resources = {
      {2,
       "orders",
       {{"retention.ms", "60000"}, {"segment.bytes", std::nullopt}}},
      {4, "1", {{"log.retention.hours", "1"}, {"num.io.threads", "4"}}}};
  request.validate_only = true;
  CheckAllVersions<AlterConfigsRequest>({request});
  AlterConfigsResponse response;
  response.throttle_time_ms = 2;
  response.responses = {{0, std::nullopt, 2, "orders"},
                        {40, "bad value", 4, "1"}};
  CheckAllVersions<AlterConfigsResponse>({response});
}

TEST_CASE("AlterConfigs requests and responses are the same in v0 and v1",
          "[protocol]") {
  AlterConfigsRequest request;
  request.resources = {{2, "t", {{"k", "v"}, {"n", std::nullopt}}}};
  request.validate_only = true;
  ExpectedBytes q;
  q.Array(1).I8(2).Str("t").Array(2).Str("k").Str("v").Str("n").NullStr();
  q.Bool(true);
  CHECK(EncodeToString(request, 0) == q.bytes());
  CHECK(EncodeToString(request, 1) == q.bytes());
  AlterConfigsResponse response;
  response.throttle_time_ms = 2;
  response.responses = {{40, "bad", 2, "t"}};
  ExpectedBytes a;
  a.I32(2).Array(1).I16(40).Str("bad").I8(2).Str("t");
  CHECK(EncodeToString(response, 0) == a.bytes());
  CHECK(EncodeToString(response, 1) == a.bytes());
}

}  // namespace
}  // namespace rill::protocol
