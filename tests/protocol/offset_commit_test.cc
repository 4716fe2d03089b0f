#include "protocol/messages/offset_commit.h"

#include <catch2/catch.hpp>

#include "expected_bytes.h"
#include "message_checks.h"
#include "round_trip.h"

namespace rill::protocol {
namespace {

using testing::CheckAllVersions;
using testing::ExpectedBytes;

OffsetCommitRequest FullRequest() {
  OffsetCommitRequest r;
  r.group_id = "billing";
  r.generation_id = 7;
  r.member_id = "rdkafka-1";
  r.group_instance_id = "instance-a";
  r.retention_time_ms = 86400000;
  r.topics = {{"orders",
               {{0, 100, 3, 1700000000000, "m0"},
                {1, 200, 4, 1700000000001, std::nullopt}}},
              {"payments", {{5, 7, 1, 1700000000002, ""}, {6, 8, 2, 9, "x"}}}};
  return r;
}

OffsetCommitRequest NullsRequest() {
  OffsetCommitRequest r = FullRequest();
  r.group_instance_id = std::nullopt;
  return r;
}

OffsetCommitResponse FullResponse() {
  OffsetCommitResponse r;
  r.throttle_time_ms = 12;
  r.topics = {{"orders", {{0, 0}, {1, 25}}}, {"payments", {{5, 22}, {6, 3}}}};
  return r;
}

TEST_CASE("OffsetCommit request and response round-trip at every version",
          "[protocol]") {
  CheckAllVersions<OffsetCommitRequest>({FullRequest(), NullsRequest()});
  CheckAllVersions<OffsetCommitResponse>({FullResponse()});
}

OffsetCommitRequest SmallRequest() {
  OffsetCommitRequest r;
  r.group_id = "g";
  r.generation_id = 2;
  r.member_id = "m";
  r.group_instance_id = "i";
  r.retention_time_ms = 60000;
  r.topics = {{"t", {{3, 42, 5, 1000, "md"}}}};
  return r;
}

TEST_CASE("OffsetCommit v1 carries a per-partition commit timestamp",
          "[protocol]") {
  ExpectedBytes b;
  b.Str("g").I32(2).Str("m");
  b.Array(1).Str("t").Array(1).I32(3).I64(42).I64(1000).Str("md");
  CHECK(EncodeToString(SmallRequest(), 1) == b.bytes());
}

TEST_CASE("OffsetCommit v2 to v4 carry a request-wide retention time",
          "[protocol]") {
  ExpectedBytes b;
  b.Str("g").I32(2).Str("m").I64(60000);
  b.Array(1).Str("t").Array(1).I32(3).I64(42).Str("md");
  for (int16_t v : {2, 3, 4})
    CHECK(EncodeToString(SmallRequest(), v) == b.bytes());
}

TEST_CASE(
    "OffsetCommit v7 carries the instance id and leader epoch, no retention",
    "[protocol]") {
  ExpectedBytes b;
  b.Str("g").I32(2).Str("m").Str("i");
  b.Array(1).Str("t").Array(1).I32(3).I64(42).I32(5).Str("md");
  CHECK(EncodeToString(SmallRequest(), 7) == b.bytes());
  OffsetCommitRequest null_metadata = SmallRequest();
  null_metadata.group_instance_id = std::nullopt;
  null_metadata.topics[0].partitions[0].committed_metadata = std::nullopt;
  ExpectedBytes n;
  n.Str("g").I32(2).Str("m").NullStr();
  n.Array(1).Str("t").Array(1).I32(3).I64(42).I32(5).NullStr();
  CHECK(EncodeToString(null_metadata, 7) == n.bytes());
}

TEST_CASE("OffsetCommit responses gain the throttle time in v3", "[protocol]") {
  OffsetCommitResponse r;
  r.throttle_time_ms = 9;
  r.topics = {{"t", {{3, 25}}}};
  ExpectedBytes v0;
  v0.Array(1).Str("t").Array(1).I32(3).I16(25);
  CHECK(EncodeToString(r, 2) == v0.bytes());
  ExpectedBytes v3;
  v3.I32(9).Array(1).Str("t").Array(1).I32(3).I16(25);
  CHECK(EncodeToString(r, 3) == v3.bytes());
}

}  // namespace
}  // namespace rill::protocol
