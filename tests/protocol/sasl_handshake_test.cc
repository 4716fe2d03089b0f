#include "protocol/messages/sasl_handshake.h"

#include <catch2/catch.hpp>
#include <string>

#include "message_check.h"
#include "round_trip.h"
#include "wire_bytes.h"

namespace rill::protocol {
namespace {

using namespace wire_bytes;

TEST_CASE("SaslHandshake messages round-trip at every version", "[protocol]") {
  const SaslHandshakeRequest request{.mechanism = "SCRAM-SHA-256"};
  const SaslHandshakeResponse response{
      .error_code = 33, .mechanisms = {"PLAIN", "SCRAM-SHA-512"}};
  for (int16_t version = 0; version <= 1; ++version) {
    CAPTURE(version);
    CHECK(Unpopulated(request, version) == "");
    CheckRoundTrip(request, version);
    CHECK(Unpopulated(response, version) == "");
    CheckRoundTrip(response, version);
  }
}

TEST_CASE("SaslHandshake messages match the schema byte for byte",
          "[protocol]") {
  for (int16_t version = 0; version <= 1; ++version) {
    CAPTURE(version);
    CheckWireBytes(SaslHandshakeRequest{.mechanism = "PLAIN"}, version,
                   String("PLAIN"));
    CheckWireBytes(
        SaslHandshakeResponse{.error_code = 0,
                              .mechanisms = {"PLAIN", "SCRAM-SHA-256"}},
        version,
        Int16(0) + ArrayLength(2) + String("PLAIN") + String("SCRAM-SHA-256"));
  }
}

}  // namespace
}  // namespace rill::protocol
