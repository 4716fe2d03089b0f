// The proxy the idempotence tests put between librdkafka and the broker.
#include "interop/fault_proxy.h"

#include <catch2/catch.hpp>

#include "protocol/messages/api_versions.h"
#include "rill/testing/embedded_cluster.h"
#include "server/wire_client.h"
#include "status_test_util.h"

namespace rill::interop {
namespace {

using server::testing::WireClient;

absl::Status AskApiVersions(WireClient& client) {
  auto response = client.RoundTrip<protocol::ApiVersionsResponse>(
      protocol::ApiVersionsRequest{}, 0);
  if (!response.ok()) return response.status();
  if (response->error_code != 0) return absl::InternalError("error code");
  return absl::OkStatus();
}

TEST_CASE("the fault proxy relays to its upstream and cuts on demand",
          "[interop]") {
  testing::EmbeddedCluster cluster({.in_memory = true, .listen = true});
  FaultProxy proxy;
  proxy.SetUpstream(cluster.server()->endpoints().at(0).port);

  WireClient client(proxy.port());
  REQUIRE(client.connected());
  REQUIRE_OK(AskApiVersions(client));
  REQUIRE_OK(AskApiVersions(client));
  CHECK(proxy.connections() == 1);

  proxy.CutAll();
  CHECK_OK(client.WaitForClose());
  CHECK_FALSE(AskApiVersions(client).ok());
  CHECK(proxy.cuts() == 1);

  WireClient again(proxy.port());
  CHECK_OK(AskApiVersions(again));
  CHECK(proxy.connections() == 2);
}

TEST_CASE("the fault proxy cuts every connection when a byte budget is spent",
          "[interop]") {
  testing::EmbeddedCluster cluster({.in_memory = true, .listen = true});
  // 10 bytes: the first request is cut short; then a budget that a few
  // round trips do not spend.
  FaultProxy proxy({.cut_after_request_bytes = {10, 100'000}});
  proxy.SetUpstream(cluster.server()->endpoints().at(0).port);

  WireClient first(proxy.port());
  CHECK_FALSE(AskApiVersions(first).ok());
  CHECK(proxy.cuts() == 1);
  CHECK(proxy.cuts_in_responses() == 0);

  WireClient second(proxy.port());
  for (int i = 0; i < 3; ++i) CHECK_OK(AskApiVersions(second));
  CHECK(proxy.cuts() == 1);
}

TEST_CASE("the fault proxy can cut a connection in the middle of a response",
          "[interop]") {
  testing::EmbeddedCluster cluster({.in_memory = true, .listen = true});
  // The ApiVersions response is far longer than 20 bytes.
  FaultProxy proxy({.cut_after_response_bytes = {20}});
  proxy.SetUpstream(cluster.server()->endpoints().at(0).port);
  WireClient client(proxy.port());
  CHECK_FALSE(AskApiVersions(client).ok());
  CHECK(proxy.cuts() == 1);
  CHECK(proxy.cuts_in_responses() == 1);
}

TEST_CASE("the fault proxy refuses connections until it has an upstream",
          "[interop]") {
  FaultProxy proxy;
  WireClient client(proxy.port());
  CHECK_FALSE(AskApiVersions(client).ok());
  CHECK(proxy.connections() == 0);
}

}  // namespace
}  // namespace rill::interop
