// EmbeddedCluster's faults as Kafka clients see them on the wire: errors
// injected per broker and API, and listeners of killed brokers.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "protocol/messages/api_versions.h"
#include "protocol/messages/metadata.h"
#include "rill/error.h"
#include "rill/testing/embedded_cluster.h"
#include "server/wire_client.h"
#include "status_test_util.h"

namespace rill::testing {
namespace {

using server::testing::WireClient;

constexpr int16_t kMetadataKey = 3;
constexpr int16_t kLeaderNotAvailable = 5;
constexpr int16_t kNotLeaderOrFollower = 6;

// TopicError asks broker `port` for topic "t" and returns the topic's
// error code.
int16_t TopicError(int port) {
  WireClient client(port);
  REQUIRE(client.connected());
  protocol::MetadataRequest request;
  request.topics = std::vector<protocol::MetadataRequest::Topic>{{.name = "t"}};
  request.allow_auto_topic_creation = false;
  auto response = client.RoundTrip<protocol::MetadataResponse>(request, 5);
  REQUIRE_OK(response.status());
  REQUIRE(response->topics.size() == 1);
  return response->topics[0].error_code;
}

int Port(const EmbeddedCluster& cluster, int index) {
  return cluster.server(index)->endpoints().at(0).port;
}

TEST_CASE(
    "errors injected on one broker's listener answer that broker's "
    "requests only, in order, until used up or cleared",
    "[testing][faults][integration]") {
  EmbeddedCluster cluster({.brokers = 3, .in_memory = true, .listen = true});
  REQUIRE_OK(cluster.CreateTopic("t"));
  const int port0 = Port(cluster, 0);
  const int port1 = Port(cluster, 1);

  REQUIRE_OK(cluster.InjectErrors(1, kMetadataKey,
                                  {kLeaderNotAvailable, kNotLeaderOrFollower}));
  CHECK(TopicError(port0) == 0);
  CHECK(TopicError(port1) == kLeaderNotAvailable);
  CHECK(TopicError(port1) == kNotLeaderOrFollower);
  CHECK(TopicError(port1) == 0);

  REQUIRE_OK(cluster.InjectErrors(1, kMetadataKey, {kLeaderNotAvailable}));
  REQUIRE_OK(cluster.ClearInjectedErrors(1));
  CHECK(TopicError(port1) == 0);

  CHECK(absl::IsOutOfRange(cluster.InjectErrors(3, kMetadataKey, {5})));
  CHECK(absl::IsInvalidArgument(cluster.InjectErrors(0, 999, {5})));
}

TEST_CASE("a cluster without listeners cannot inject request errors",
          "[testing][faults]") {
  EmbeddedCluster cluster({.brokers = 2, .in_memory = true});
  CHECK(absl::IsFailedPrecondition(
      cluster.InjectErrors(0, kMetadataKey, {kLeaderNotAvailable})));
  CHECK(absl::IsFailedPrecondition(cluster.ClearInjectedErrors(1)));
}

TEST_CASE(
    "a killed broker's listener is closed, and comes back on the same port "
    "when the broker starts",
    "[testing][faults][integration]") {
  EmbeddedCluster cluster({.brokers = 3, .in_memory = true, .listen = true});
  const std::string bootstrap = cluster.bootstrap_servers();
  const int port = Port(cluster, 2);

  REQUIRE_OK(cluster.KillBroker(2));
  CHECK(cluster.server(2) == nullptr);
  CHECK_FALSE(WireClient(port).connected());
  CHECK(absl::IsFailedPrecondition(
      cluster.InjectErrors(2, kMetadataKey, {kLeaderNotAvailable})));
  CHECK(cluster.bootstrap_servers() == bootstrap);

  REQUIRE_OK(cluster.StartBroker(2));
  CHECK(Port(cluster, 2) == port);
  WireClient client(port);
  REQUIRE(client.connected());
  CHECK_OK(client
               .RoundTrip<protocol::ApiVersionsResponse>(
                   protocol::ApiVersionsRequest{}, 0)
               .status());
}

}  // namespace
}  // namespace rill::testing
