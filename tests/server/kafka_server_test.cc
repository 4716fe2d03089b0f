#include "rill/server/kafka_server.h"

#include <catch2/catch.hpp>
#include <string>

#include "protocol/messages/api_versions.h"
#include "protocol/messages/fetch.h"
#include "server/error_codes.h"
#include "server_test_util.h"
#include "status_test_util.h"
#include "util/endian.h"
#include "wire_client.h"

namespace rill::server::testing {
namespace {

using protocol::ApiVersionsRequest;
using protocol::ApiVersionsResponse;

bool Advertises(const ApiVersionsResponse& response, int16_t key, int16_t min,
                int16_t max) {
  for (const auto& api : response.api_keys) {
    if (api.api_key == key) {
      return api.min_version == min && api.max_version == max;
    }
  }
  return false;
}

TEST_CASE("ApiVersions lists the served APIs at every version",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  REQUIRE(client.connected());
  for (int16_t version = 0; version <= 3; ++version) {
    CAPTURE(version);
    ApiVersionsRequest request;
    request.client_software_name = "rill-test";
    request.client_software_version = "1.0";
    auto response = client.RoundTrip<ApiVersionsResponse>(request, version);
    REQUIRE_OK(response.status());
    CHECK(response->error_code == 0);
    CHECK(Advertises(*response, 18, 0, 3));
  }
}

TEST_CASE(
    "an ApiVersions version newer than ours gets a v0 answer with "
    "UNSUPPORTED_VERSION and our versions",
    "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  // Header v1 (the v0 body parse does not depend on the request body).
  protocol::WireWriter w;
  w.Fixed<int32_t>(0);
  protocol::WriteRequestHeader({.api_key = 18,
                                .api_version = 9,
                                .correlation_id = 41,
                                .client_id = "future"},
                               /*flexible=*/true, w);
  w.Append(std::string("\x00\x00\x00", 3));
  w.PatchFixed<int32_t>(0, static_cast<int32_t>(w.size() - 4));
  REQUIRE_OK(client.SendRaw(w.buffer()));
  auto response = client.ReadResponse<ApiVersionsResponse>(0, 41);
  REQUIRE_OK(response.status());
  CHECK(response->error_code == kErrorUnsupportedVersion);
  CHECK(Advertises(*response, 18, 0, 3));
}

TEST_CASE("pipelined requests are answered in order", "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  std::string burst;
  for (int32_t id = 100; id < 140; ++id) {
    burst += WireClient::FrameRequest(ApiVersionsRequest{}, id % 4, id);
  }
  REQUIRE_OK(client.SendRaw(burst));
  for (int32_t id = 100; id < 140; ++id) {
    auto response = client.ReadResponse<ApiVersionsResponse>(id % 4, id);
    REQUIRE_OK(response.status());
  }
}

TEST_CASE("bad frames close the connection and the server keeps serving",
          "[server][integration]") {
  ServedBroker served({.listeners = {"PLAINTEXT://127.0.0.1:0"},
                       .socket_request_max_bytes = 1024});
  auto frame_of = [](std::string body) {
    std::string out(4, '\0');
    util::StoreBigEndian(out.data(), static_cast<int32_t>(body.size()));
    return out + body;
  };
  std::string bad;
  SECTION("a request larger than socket.request.max.bytes") {
    bad = std::string("\x00\x00\x10\x00", 4);  // 4096 bytes announced
  }
  SECTION("a negative frame size") { bad = std::string("\xff\xff\xff\xfe", 4); }
  SECTION("an unknown API key") {
    bad = frame_of(std::string("\x00\x63\x00\x00\x00\x00\x00\x01\xff\xff", 10));
  }
  SECTION("a truncated header") {
    bad = frame_of(std::string("\x00\x12\x00", 3));
  }
  SECTION("a malformed body (compact string longer than the frame)") {
    std::string frame = WireClient::FrameRequest(ApiVersionsRequest{}, 3, 1);
    frame.back() = '\0';
    frame[frame.size() - 2] = '\x7f';  // client_software_version length
    bad = frame;
  }
  WireClient client(served.port());
  REQUIRE_OK(client.SendRaw(bad));
  CHECK_OK(client.WaitForClose());

  WireClient next(served.port());
  auto response = next.RoundTrip<ApiVersionsResponse>(ApiVersionsRequest{}, 3);
  CHECK_OK(response.status());
}

TEST_CASE("an idle connection is closed after connections.max.idle.ms",
          "[server][integration]") {
  ServedBroker served({.listeners = {"PLAINTEXT://127.0.0.1:0"},
                       .connections_max_idle_ms = 50});
  WireClient client(served.port());
  REQUIRE_OK(
      client.RoundTrip<ApiVersionsResponse>(ApiVersionsRequest{}, 3).status());
  CHECK_OK(client.WaitForClose(5'000));
}

TEST_CASE("Shutdown closes open connections and returns",
          "[server][integration]") {
  auto served = std::make_unique<ServedBroker>();
  WireClient client(served->port());
  REQUIRE_OK(
      client.RoundTrip<ApiVersionsResponse>(ApiVersionsRequest{}, 3).status());
  served->server->Shutdown();
  CHECK_OK(client.WaitForClose(5'000));
  WireClient refused(served->port());
  CHECK_FALSE(refused.connected());
}

TEST_CASE("Bind names the address it could not listen on",
          "[server][integration]") {
  ServedBroker served;
  const std::string taken =
      "PLAINTEXT://127.0.0.1:" + std::to_string(served.port());
  auto second =
      KafkaServer::Bind({.listeners = {taken}, .logger = NullLogger()});
  REQUIRE_FALSE(second.ok());
  CHECK_THAT(std::string(second.status().message()),
             Catch::Contains(std::to_string(served.port())));
}

TEST_CASE("listeners on port 0 report the ports the OS chose",
          "[server][integration]") {
  auto server = KafkaServer::Bind(
      {.listeners = {"PLAINTEXT://127.0.0.1:0", "PLAINTEXT://127.0.0.1:0"},
       .logger = NullLogger()});
  REQUIRE_OK(server.status());
  auto endpoints = (*server)->endpoints();
  REQUIRE(endpoints.size() == 2);
  CHECK(endpoints[0].port != 0);
  CHECK(endpoints[1].port != 0);
  CHECK(endpoints[0].port != endpoints[1].port);
  CHECK((*server)->bootstrap_servers() ==
        endpoints[0].HostPort() + "," + endpoints[1].HostPort());
  CHECK((*server)->advertised_endpoints()[0].port == endpoints[0].port);
}

}  // namespace
}  // namespace rill::server::testing

namespace rill::server::testing {
namespace {

TEST_CASE("Shutdown answers a request in flight before closing",
          "[server][integration]") {
  auto served = std::make_unique<ServedBroker>();
  REQUIRE_OK(served->broker->CreateTopic({.name = "t", .num_partitions = 1}));
  WireClient client(served->port());
  protocol::FetchRequest fetch;
  fetch.max_wait_ms = 300;  // parked until then: nothing will be appended
  fetch.min_bytes = 1;
  auto& topic = fetch.topics.emplace_back();
  topic.topic = "t";
  topic.partitions.push_back({});
  topic.partitions[0].partition_max_bytes = 1024;
  // A first round trip makes sure the server has taken the connection.
  REQUIRE_OK(
      client.RoundTrip<ApiVersionsResponse>(ApiVersionsRequest{}, 3).status());
  // Both are sent (on loopback: in the server's socket buffer) before
  // Shutdown; requests a client has sent are answered.
  REQUIRE_OK(client.SendRequest(fetch, 11, 5));
  REQUIRE_OK(client.SendRequest(ApiVersionsRequest{}, 3, 6));
  served->server->Shutdown();
  auto answered = client.ReadResponse<protocol::FetchResponse>(11, 5);
  REQUIRE_OK(answered.status());
  CHECK(answered->responses.at(0).partitions.at(0).error_code == 0);
  CHECK_OK(client.ReadResponse<ApiVersionsResponse>(3, 6).status());
  CHECK_OK(client.WaitForClose(5'000));
}

}  // namespace
}  // namespace rill::server::testing
