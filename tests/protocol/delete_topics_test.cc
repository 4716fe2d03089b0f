#include "protocol/messages/delete_topics.h"

#include <catch2/catch.hpp>

#include "expected_bytes.h"
#include "message_checks.h"
#include "round_trip.h"

namespace rill::protocol {
namespace {

using testing::CheckAllVersions;
using testing::ExpectedBytes;

TEST_CASE("DeleteTopics request and response round-trip at every version",
          "[protocol]") {
  CheckAllVersions<DeleteTopicsRequest>(
      {{.topic_names = {"orders", "payments"}, .timeout_ms = 30000}});
  CheckAllVersions<DeleteTopicsResponse>(
      {{.throttle_time_ms = 3, .responses = {{"orders", 0}, {"nope", 3}}}});
}

TEST_CASE("DeleteTopics requests are names then a timeout", "[protocol]") {
  DeleteTopicsRequest r{.topic_names = {"a", "b"}, .timeout_ms = 1000};
  ExpectedBytes b;
  b.Array(2).Str("a").Str("b").I32(1000);
  for (int16_t v = 0; v <= 3; ++v) CHECK(EncodeToString(r, v) == b.bytes());
}

TEST_CASE("DeleteTopics responses carry the throttle time from v1",
          "[protocol]") {
  DeleteTopicsResponse r{.throttle_time_ms = 3, .responses = {{"a", 3}}};
  ExpectedBytes v0;
  v0.Array(1).Str("a").I16(3);
  CHECK(EncodeToString(r, 0) == v0.bytes());
  ExpectedBytes v1;
  v1.I32(3).Array(1).Str("a").I16(3);
  CHECK(EncodeToString(r, 1) == v1.bytes());
  CHECK(EncodeToString(r, 3) == v1.bytes());
}

}  // namespace
}  // namespace rill::protocol
