// The admin, offset and producer-id APIs are advertised with exactly the
// versions of KAFKA-PROTOCOL.md's table.
#include <catch2/catch.hpp>
#include <map>
#include <utility>

#include "protocol/messages/api_versions.h"
#include "server_test_util.h"
#include "status_test_util.h"
#include "wire_client.h"

namespace rill::server::testing {
namespace {

using protocol::ApiVersionsRequest;
using protocol::ApiVersionsResponse;

TEST_CASE("ApiVersions advertises the admin APIs at the documented versions",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  auto response =
      client.RoundTrip<ApiVersionsResponse>(ApiVersionsRequest{}, 0);
  REQUIRE_OK(response.status());
  std::map<int16_t, std::pair<int16_t, int16_t>> advertised;
  for (const auto& api : response->api_keys) {
    advertised[api.api_key] = {api.min_version, api.max_version};
  }
  const std::map<int16_t, std::pair<int16_t, int16_t>> expected = {
      {2, {0, 3}},   // ListOffsets
      {19, {0, 4}},  // CreateTopics
      {20, {0, 3}},  // DeleteTopics
      {21, {0, 1}},  // DeleteRecords
      {22, {0, 4}},  // InitProducerId
      {32, {0, 2}},  // DescribeConfigs
      {33, {0, 1}},  // AlterConfigs
      {37, {0, 1}},  // CreatePartitions
  };
  for (const auto& [key, versions] : expected) {
    CAPTURE(key);
    REQUIRE(advertised.contains(key));
    CHECK(advertised[key] == versions);
  }
}

}  // namespace
}  // namespace rill::server::testing
