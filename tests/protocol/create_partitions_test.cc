#include "protocol/messages/create_partitions.h"

#include <catch2/catch.hpp>

#include "expected_bytes.h"
#include "message_checks.h"
#include "round_trip.h"

namespace rill::protocol {
namespace {

using testing::CheckAllVersions;
using testing::ExpectedBytes;

using Request = CreatePartitionsRequest;

TEST_CASE("CreatePartitions request and response round-trip at every version",
          "[protocol]") {
  Request request;
  request.topics = {
      {"orders", 4, std::vector<Request::Assignment>{{{1, 2}}, {{2, 3}}}},
      {"payments", 8, std::nullopt}};
  request.timeout_ms = 30000;
  request.validate_only = true;
  CheckAllVersions<Request>({request});
  CreatePartitionsResponse response;
  response.throttle_time_ms = 5;
  response.results = {{"orders", 0, std::nullopt},
                      {"payments", 37, "cannot shrink"}};
  CheckAllVersions<CreatePartitionsResponse>({response});
}

TEST_CASE("CreatePartitions requests and responses are the same in v0 and v1",
          "[protocol]") {
  Request request;
  request.topics = {{"t", 3, std::vector<Request::Assignment>{{{1}}}},
                    {"u", 2, std::nullopt}};
  request.timeout_ms = 1000;
  request.validate_only = false;
  ExpectedBytes q;
  q.Array(2).Str("t").I32(3).Array(1).Array(1).I32(1);
  q.Str("u").I32(2).NullArray().I32(1000).Bool(false);
  CHECK(EncodeToString(request, 0) == q.bytes());
  CHECK(EncodeToString(request, 1) == q.bytes());
  CreatePartitionsResponse response;
  response.throttle_time_ms = 5;
  response.results = {{"t", 37, "no"}, {"u", 0, std::nullopt}};
  ExpectedBytes a;
  a.I32(5).Array(2).Str("t").I16(37).Str("no").Str("u").I16(0).NullStr();
  CHECK(EncodeToString(response, 0) == a.bytes());
  CHECK(EncodeToString(response, 1) == a.bytes());
}

}  // namespace
}  // namespace rill::protocol
