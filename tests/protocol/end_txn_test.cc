#include "protocol/messages/end_txn.h"

#include <catch2/catch.hpp>
#include <string>

#include "message_check.h"
#include "round_trip.h"
#include "wire_bytes.h"

namespace rill::protocol {
namespace {

using namespace wire_bytes;

TEST_CASE("EndTxn messages round-trip at every version", "[protocol]") {
  const EndTxnRequest request{.transactional_id = "txn-1",
                              .producer_id = 1000,
                              .producer_epoch = 2,
                              .committed = true};
  const EndTxnResponse response{.throttle_time_ms = 3, .error_code = 48};
  for (int16_t version = 0; version <= 1; ++version) {
    CAPTURE(version);
    CHECK(Unpopulated(request, version) == "");
    CheckRoundTrip(request, version);
    CHECK(Unpopulated(response, version) == "");
    CheckRoundTrip(response, version);
  }
}

TEST_CASE("EndTxn messages match the schema byte for byte", "[protocol]") {
  for (int16_t version = 0; version <= 1; ++version) {
    CAPTURE(version);
    for (bool committed : {false, true}) {
      const EndTxnRequest request{.transactional_id = "tx",
                                  .producer_id = 5,
                                  .producer_epoch = 1,
                                  .committed = committed};
      CheckWireBytes(request, version,
                     String("tx") + Int64(5) + Int16(1) + Boolean(committed));
    }
    CheckWireBytes(EndTxnResponse{.throttle_time_ms = 0, .error_code = 47},
                   version, Int32(0) + Int16(47));
  }
}

}  // namespace
}  // namespace rill::protocol
