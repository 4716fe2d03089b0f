#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "admin_test_util.h"
#include "protocol/messages/delete_topics.h"
#include "server_test_util.h"
#include "status_test_util.h"
#include "wire_client.h"

namespace rill::server::testing {
namespace {

using protocol::DeleteTopicsRequest;
using protocol::DeleteTopicsResponse;

DeleteTopicsResponse Delete(WireClient& client, std::vector<std::string> names,
                            int16_t version) {
  DeleteTopicsRequest request;
  request.topic_names = std::move(names);
  request.timeout_ms = 1000;
  auto response = client.RoundTrip<DeleteTopicsResponse>(request, version);
  REQUIRE_OK(response.status());
  return *std::move(response);
}

TEST_CASE("DeleteTopics deletes topics and reports unknown ones",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  for (int16_t version : {0, 3}) {
    CAPTURE(version);
    REQUIRE_OK(served.broker->CreateTopic({.name = "gone"}));
    REQUIRE_OK(served.broker->CreateTopic({.name = "kept"}));
    DeleteTopicsResponse response =
        Delete(client, {"gone", "never-was"}, version);
    REQUIRE(response.responses.size() == 2);
    CHECK(response.responses[0].name == "gone");
    CHECK(response.responses[0].error_code == 0);
    CHECK(response.responses[1].name == "never-was");
    CHECK(response.responses[1].error_code == 3);
    CHECK(response.responses[1].error_code ==
          Code(ErrorReason::kUnknownTopicOrPartition));
    CHECK(served.broker->ListTopics(false) == std::vector<std::string>{"kept"});
    REQUIRE_OK(served.broker->DeleteTopic("kept"));
  }
}

TEST_CASE("DeleteTopics deletes a topic named twice once and answers both",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  REQUIRE_OK(served.broker->CreateTopic({.name = "twice"}));
  DeleteTopicsResponse response = Delete(client, {"twice", "twice"}, 3);
  REQUIRE(response.responses.size() == 2);
  CHECK(response.responses[0].error_code == 0);
  CHECK(response.responses[1].error_code == 0);
  CHECK(served.broker->ListTopics(false).empty());
}

TEST_CASE("DeleteTopics refuses the internal offsets topic",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  DeleteTopicsResponse response = Delete(client, {"__consumer_offsets"}, 1);
  REQUIRE(response.responses.size() == 1);
  CHECK(response.responses[0].error_code == Code(ErrorReason::kInvalidTopic));
}

}  // namespace
}  // namespace rill::server::testing
