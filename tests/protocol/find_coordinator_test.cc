#include "protocol/messages/find_coordinator.h"

#include <catch2/catch.hpp>

#include "expected_bytes.h"
#include "message_checks.h"
#include "round_trip.h"

namespace rill::protocol {
namespace {

using testing::CheckAllVersions;
using testing::ExpectedBytes;

TEST_CASE("FindCoordinator request and response round-trip at every version",
          "[protocol]") {
  CheckAllVersions<FindCoordinatorRequest>({{.key = "billing", .key_type = 1}});
  FindCoordinatorResponse full{.throttle_time_ms = 3,
                               .error_code = 15,
                               .error_message = "loading",
                               .node_id = 1,
                               .host = "127.0.0.1",
                               .port = 9092};
  FindCoordinatorResponse null_message = full;
  null_message.error_message = std::nullopt;
  CheckAllVersions<FindCoordinatorResponse>({full, null_message});
}

TEST_CASE("FindCoordinator v0 has no key type, v1 adds it", "[protocol]") {
  FindCoordinatorRequest r{.key = "tx-1", .key_type = 1};
  ExpectedBytes v0;
  v0.Str("tx-1");
  CHECK(EncodeToString(r, 0) == v0.bytes());
  ExpectedBytes v1;
  v1.Str("tx-1").I8(1);
  CHECK(EncodeToString(r, 1) == v1.bytes());
  CHECK(EncodeToString(r, 2) == v1.bytes());
}

TEST_CASE("FindCoordinator responses gain throttle and error message in v1",
          "[protocol]") {
  FindCoordinatorResponse r{.throttle_time_ms = 3,
                            .error_code = 0,
                            .error_message = std::nullopt,
                            .node_id = 7,
                            .host = "h",
                            .port = 9092};
  ExpectedBytes v0;
  v0.I16(0).I32(7).Str("h").I32(9092);
  CHECK(EncodeToString(r, 0) == v0.bytes());
  ExpectedBytes v2;
  v2.I32(3).I16(0).NullStr().I32(7).Str("h").I32(9092);
  CHECK(EncodeToString(r, 2) == v2.bytes());
}

}  // namespace
}  // namespace rill::protocol
