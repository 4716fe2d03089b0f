#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "admin_test_util.h"
#include "protocol/messages/init_producer_id.h"
#include "server_test_util.h"
#include "status_test_util.h"
#include "wire_client.h"

namespace rill::server::testing {
namespace {

using protocol::InitProducerIdRequest;
using protocol::InitProducerIdResponse;

InitProducerIdResponse Init(WireClient& client, int16_t version,
                            std::optional<std::string> transactional_id,
                            int64_t producer_id = -1,
                            int16_t producer_epoch = -1) {
  InitProducerIdRequest request;
  request.transactional_id = std::move(transactional_id);
  request.transaction_timeout_ms = 60000;
  request.producer_id = producer_id;
  request.producer_epoch = producer_epoch;
  auto response = client.RoundTrip<InitProducerIdResponse>(request, version);
  REQUIRE_OK(response.status());
  return *std::move(response);
}

TEST_CASE("InitProducerId gives an idempotent producer a new id at epoch 0",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  InitProducerIdResponse first = Init(client, 0, std::nullopt);
  CHECK(first.error_code == 0);
  CHECK(first.producer_id >= 0);
  CHECK(first.producer_epoch == 0);
  // v4 is flexible.
  InitProducerIdResponse second = Init(client, 4, std::nullopt);
  CHECK(second.error_code == 0);
  CHECK(second.producer_id >= 0);
  CHECK(second.producer_id != first.producer_id);
  CHECK(second.producer_epoch == 0);
}

TEST_CASE(
    "InitProducerId v3+ answers a producer naming its id and epoch with a "
    "new id, as Kafka does without a transactional id",
    "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  InitProducerIdResponse first = Init(client, 3, std::nullopt);
  REQUIRE(first.error_code == 0);
  InitProducerIdResponse again =
      Init(client, 4, std::nullopt, first.producer_id, first.producer_epoch);
  CHECK(again.error_code == 0);
  CHECK(again.producer_id > first.producer_id);
  CHECK(again.producer_epoch == 0);
}

TEST_CASE("InitProducerId v3+ refuses an id without an epoch",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  for (auto [id, epoch] : {std::pair<int64_t, int16_t>{5, -1}, {-1, 2}}) {
    CAPTURE(id, epoch);
    InitProducerIdResponse response = Init(client, 3, std::nullopt, id, epoch);
    CHECK(response.error_code == Code(ErrorReason::kInvalidRequest));
    CHECK(response.producer_id == -1);
    CHECK(response.producer_epoch == -1);
  }
}

TEST_CASE(
    "InitProducerId with a transactional id fails as a refused "
    "transactional id would",
    "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  for (int16_t version : {0, 4}) {
    CAPTURE(version);
    InitProducerIdResponse response = Init(client, version, "txn-1");
    CHECK(response.error_code == 53);
    CHECK(response.error_code ==
          Code(ErrorReason::kTransactionalIdAuthorizationFailed));
    CHECK(response.producer_id == -1);
    CHECK(response.producer_epoch == -1);
    // An empty transactional id is a malformed request, as in Kafka.
    InitProducerIdResponse empty = Init(client, version, "");
    CHECK(empty.error_code == Code(ErrorReason::kInvalidRequest));
  }
}

}  // namespace
}  // namespace rill::server::testing
