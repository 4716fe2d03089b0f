#include "protocol/messages/add_offsets_to_txn.h"

#include <catch2/catch.hpp>
#include <string>

#include "message_check.h"
#include "round_trip.h"
#include "wire_bytes.h"

namespace rill::protocol {
namespace {

using namespace wire_bytes;

TEST_CASE("AddOffsetsToTxn messages round-trip at every version",
          "[protocol]") {
  const AddOffsetsToTxnRequest request{.transactional_id = "txn-1",
                                       .producer_id = 1000,
                                       .producer_epoch = 2,
                                       .group_id = "group-a"};
  const AddOffsetsToTxnResponse response{.throttle_time_ms = 3,
                                         .error_code = 49};
  for (int16_t version = 0; version <= 1; ++version) {
    CAPTURE(version);
    CHECK(Unpopulated(request, version) == "");
    CheckRoundTrip(request, version);
    CHECK(Unpopulated(response, version) == "");
    CheckRoundTrip(response, version);
  }
}

TEST_CASE("AddOffsetsToTxn messages match the schema byte for byte",
          "[protocol]") {
  const AddOffsetsToTxnRequest request{.transactional_id = "tx",
                                       .producer_id = 5,
                                       .producer_epoch = 1,
                                       .group_id = "g"};
  const AddOffsetsToTxnResponse response{.throttle_time_ms = 2,
                                         .error_code = 15};
  for (int16_t version = 0; version <= 1; ++version) {
    CAPTURE(version);
    CheckWireBytes(request, version,
                   String("tx") + Int64(5) + Int16(1) + String("g"));
    CheckWireBytes(response, version, Int32(2) + Int16(15));
  }
}

}  // namespace
}  // namespace rill::protocol
