#include "protocol/messages/offset_fetch.h"

#include <catch2/catch.hpp>

#include "expected_bytes.h"
#include "message_checks.h"
#include "round_trip.h"

namespace rill::protocol {
namespace {

using testing::CheckAllVersions;
using testing::ExpectedBytes;

OffsetFetchRequest FullRequest() {
  OffsetFetchRequest r;
  r.group_id = "billing";
  r.topics = std::vector<OffsetFetchRequest::Topic>{{"orders", {0, 1, 2}},
                                                    {"payments", {3, 4}}};
  r.require_stable = true;
  return r;
}

OffsetFetchRequest NullsRequest() {
  OffsetFetchRequest r = FullRequest();
  r.topics = std::nullopt;
  return r;
}

OffsetFetchResponse FullResponse() {
  OffsetFetchResponse r;
  r.throttle_time_ms = 5;
  r.topics = {{"orders", {{0, 100, 3, "m0", 0}, {1, -1, 4, std::nullopt, 3}}},
              {"payments", {{3, 7, 1, "", 25}, {4, 8, 2, "x", 0}}}};
  r.error_code = 16;
  return r;
}

TEST_CASE("OffsetFetch request and response round-trip at every version",
          "[protocol]") {
  CheckAllVersions<OffsetFetchRequest>({FullRequest(), NullsRequest()});
  CheckAllVersions<OffsetFetchResponse>({FullResponse()});
}

OffsetFetchRequest SmallRequest() {
  OffsetFetchRequest r;
  r.group_id = "g";
  r.topics = std::vector<OffsetFetchRequest::Topic>{{"t", {1, 2}}};
  r.require_stable = true;
  return r;
}

TEST_CASE("OffsetFetch requests in the classic encoding", "[protocol]") {
  ExpectedBytes b;
  b.Str("g").Array(1).Str("t").Array(2).I32(1).I32(2);
  CHECK(EncodeToString(SmallRequest(), 1) == b.bytes());
  CHECK(EncodeToString(SmallRequest(), 5) == b.bytes());
  OffsetFetchRequest all = SmallRequest();
  all.topics = std::nullopt;
  ExpectedBytes n;
  n.Str("g").NullArray();
  CHECK(EncodeToString(all, 2) == n.bytes());
}

TEST_CASE("OffsetFetch v1 has no null topic list", "[protocol]") {
  ExpectedBytes b;
  b.Str("g").NullArray();
  std::string bytes = b.bytes();
  OffsetFetchRequest out;
  CHECK(GetErrorReason(Decode(std::span<char>(bytes), 1, &out)) ==
        ErrorReason::kInvalidRequest);
  REQUIRE(Decode(std::span<char>(bytes), 2, &out).ok());
  CHECK_FALSE(out.topics.has_value());
}

TEST_CASE("OffsetFetch v6 and v7 requests are flexible", "[protocol]") {
  ExpectedBytes v6;
  v6.CompactStr("g").CompactArray(1).CompactStr("t").CompactArray(2);
  v6.I32(1).I32(2).NoTaggedFields();
  v6.NoTaggedFields();
  CHECK(EncodeToString(SmallRequest(), 6) == v6.bytes());
  ExpectedBytes v7;
  v7.CompactStr("g").CompactArray(1).CompactStr("t").CompactArray(2);
  v7.I32(1).I32(2).NoTaggedFields();
  v7.Bool(true).NoTaggedFields();
  CHECK(EncodeToString(SmallRequest(), 7) == v7.bytes());
  OffsetFetchRequest all = SmallRequest();
  all.topics = std::nullopt;
  ExpectedBytes n;
  n.CompactStr("g").CompactNullArray().Bool(true).NoTaggedFields();
  CHECK(EncodeToString(all, 7) == n.bytes());
}

OffsetFetchResponse SmallResponse() {
  OffsetFetchResponse r;
  r.throttle_time_ms = 9;
  r.topics = {{"t", {{1, 42, 5, "md", 0}}}};
  r.error_code = 15;
  return r;
}

TEST_CASE("OffsetFetch responses gain error code, throttle and epoch",
          "[protocol]") {
  ExpectedBytes v1;
  v1.Array(1).Str("t").Array(1).I32(1).I64(42).Str("md").I16(0);
  CHECK(EncodeToString(SmallResponse(), 1) == v1.bytes());
  ExpectedBytes v2;
  v2.Array(1).Str("t").Array(1).I32(1).I64(42).Str("md").I16(0).I16(15);
  CHECK(EncodeToString(SmallResponse(), 2) == v2.bytes());
  ExpectedBytes v3;
  v3.I32(9).Array(1).Str("t").Array(1).I32(1).I64(42).Str("md").I16(0);
  v3.I16(15);
  CHECK(EncodeToString(SmallResponse(), 3) == v3.bytes());
  ExpectedBytes v5;
  v5.I32(9).Array(1).Str("t").Array(1).I32(1).I64(42).I32(5).Str("md");
  v5.I16(0).I16(15);
  CHECK(EncodeToString(SmallResponse(), 5) == v5.bytes());
}

TEST_CASE("OffsetFetch v6 responses are flexible", "[protocol]") {
  OffsetFetchResponse r = SmallResponse();
  r.topics[0].partitions[0].metadata = std::nullopt;
  ExpectedBytes b;
  b.I32(9).CompactArray(1).CompactStr("t").CompactArray(1);
  b.I32(1).I64(42).I32(5).CompactNullStr().I16(0).NoTaggedFields();
  b.NoTaggedFields();
  b.I16(15).NoTaggedFields();
  CHECK(EncodeToString(r, 6) == b.bytes());
  CHECK(EncodeToString(r, 7) == b.bytes());
}

}  // namespace
}  // namespace rill::protocol
