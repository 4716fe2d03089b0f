#include "protocol/messages/describe_configs.h"

#include <catch2/catch.hpp>

#include "expected_bytes.h"
#include "message_checks.h"
#include "round_trip.h"

namespace rill::protocol {
namespace {

using testing::CheckAllVersions;
using testing::ExpectedBytes;

using Response = DescribeConfigsResponse;

DescribeConfigsRequest FullRequest() {
  DescribeConfigsRequest r;
  r.resources = {
      {2, "orders", std::vector<std::string>{"retention.ms", "cleanup.policy"}},
      {4, "1", std::nullopt}};
  r.include_synonyms = true;
  return r;
}

Response FullResponse() {
  Response r;
  r.throttle_time_ms = 1;
  Response::ResourceResult retention;
  retention.name = "retention.ms";
  retention.value = "3600000";
  retention.read_only = true;
  retention.is_default = true;
  retention.config_source = 1;
  retention.is_sensitive = true;
  retention.synonyms = {{"retention.ms", "3600000", 1},
                        {"log.retention.ms", std::nullopt, 4}};
  Response::ResourceResult password = retention;
  password.name = "ssl.key.password";
  password.value = std::nullopt;
  password.config_source = 4;
  Response::Result topic{.error_code = 0,
                         .error_message = std::nullopt,
                         .resource_type = 2,
                         .resource_name = "orders",
                         .configs = {retention, password}};
  Response::Result broker{.error_code = 40,
                          .error_message = "unknown broker",
                          .resource_type = 4,
                          .resource_name = "9",
                          .configs = {}};
  r.results = {topic, broker};
  return r;
}

TEST_CASE("DescribeConfigs request and response round-trip at every version",
          "[protocol]") {
  CheckAllVersions<DescribeConfigsRequest>({FullRequest()});
  CheckAllVersions<Response>({FullResponse()});
}

TEST_CASE("DescribeConfigs requests ask for synonyms from v1", "[protocol]") {
  ExpectedBytes v0;
  v0.Array(2).I8(2).Str("orders").Array(2).Str("retention.ms");
  v0.Str("cleanup.policy").I8(4).Str("1").NullArray();
  CHECK(EncodeToString(FullRequest(), 0) == v0.bytes());
  ExpectedBytes v1;
  v1.Array(2).I8(2).Str("orders").Array(2).Str("retention.ms");
  v1.Str("cleanup.policy").I8(4).Str("1").NullArray().Bool(true);
  CHECK(EncodeToString(FullRequest(), 1) == v1.bytes());
  CHECK(EncodeToString(FullRequest(), 2) == v1.bytes());
}

Response SmallResponse() {
  Response::ResourceResult entry{.name = "k",
                                 .value = "v",
                                 .read_only = false,
                                 .is_default = true,
                                 .config_source = 5,
                                 .is_sensitive = false,
                                 .synonyms = {{"k", std::nullopt, 5}}};
  Response r;
  r.throttle_time_ms = 7;
  r.results = {{.error_code = 0,
                .error_message = std::nullopt,
                .resource_type = 2,
                .resource_name = "t",
                .configs = {entry}}};
  return r;
}

TEST_CASE("DescribeConfigs v0 responses say is_default, v1 the source",
          "[protocol]") {
  ExpectedBytes v0;
  v0.I32(7).Array(1).I16(0).NullStr().I8(2).Str("t");
  v0.Array(1).Str("k").Str("v").Bool(false).Bool(true).Bool(false);
  CHECK(EncodeToString(SmallResponse(), 0) == v0.bytes());
  ExpectedBytes v1;
  v1.I32(7).Array(1).I16(0).NullStr().I8(2).Str("t");
  v1.Array(1).Str("k").Str("v").Bool(false).I8(5).Bool(false);
  v1.Array(1).Str("k").NullStr().I8(5);
  CHECK(EncodeToString(SmallResponse(), 1) == v1.bytes());
  CHECK(EncodeToString(SmallResponse(), 2) == v1.bytes());
}

TEST_CASE("DescribeConfigs v0 responses read back source -1, no synonyms",
          "[protocol]") {
  std::string bytes = EncodeToString(SmallResponse(), 0);
  Response out = DecodeOrFail<Response>(bytes, 0);
  REQUIRE(out.results.size() == 1);
  REQUIRE(out.results[0].configs.size() == 1);
  CHECK(out.results[0].configs[0].config_source == -1);
  CHECK(out.results[0].configs[0].synonyms.empty());
  CHECK(out.results[0].configs[0].is_default);
}

}  // namespace
}  // namespace rill::protocol
