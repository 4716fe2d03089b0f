#include "protocol/messages/add_partitions_to_txn.h"

#include <catch2/catch.hpp>
#include <string>

#include "message_check.h"
#include "round_trip.h"
#include "wire_bytes.h"

namespace rill::protocol {
namespace {

using namespace wire_bytes;

TEST_CASE("AddPartitionsToTxn messages round-trip at every version",
          "[protocol]") {
  AddPartitionsToTxnRequest request{.transactional_id = "txn-1",
                                    .producer_id = 1000,
                                    .producer_epoch = 2,
                                    .topics = {}};
  request.topics = {{.name = "orders", .partitions = {1, 2}},
                    {.name = "payments", .partitions = {3, 4}}};
  AddPartitionsToTxnResponse response;
  response.throttle_time_ms = 3;
  for (const char* name : {"orders", "payments"}) {
    response.results.push_back(
        {.name = name,
         .results = {{.partition_index = 1, .error_code = 48},
                     {.partition_index = 2, .error_code = 53}}});
  }
  for (int16_t version = 0; version <= 1; ++version) {
    CAPTURE(version);
    CHECK(Unpopulated(request, version) == "");
    CheckRoundTrip(request, version);
    CHECK(Unpopulated(response, version) == "");
    CheckRoundTrip(response, version);
  }
}

TEST_CASE("AddPartitionsToTxn messages match the schema byte for byte",
          "[protocol]") {
  AddPartitionsToTxnRequest request{.transactional_id = "tx",
                                    .producer_id = 5,
                                    .producer_epoch = 1,
                                    .topics = {}};
  request.topics = {{.name = "t", .partitions = {0, 1}}};
  AddPartitionsToTxnResponse response;
  response.throttle_time_ms = 4;
  response.results = {
      {.name = "t", .results = {{.partition_index = 1, .error_code = 51}}}};
  for (int16_t version = 0; version <= 1; ++version) {
    CAPTURE(version);
    CheckWireBytes(request, version,
                   String("tx") + Int64(5) + Int16(1) + ArrayLength(1) +
                       String("t") + ArrayLength(2) + Int32(0) + Int32(1));
    CheckWireBytes(response, version,
                   Int32(4) + ArrayLength(1) + String("t") + ArrayLength(1) +
                       Int32(1) + Int16(51));
  }
}

}  // namespace
}  // namespace rill::protocol
