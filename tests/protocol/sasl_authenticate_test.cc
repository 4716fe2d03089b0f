#include "protocol/messages/sasl_authenticate.h"

#include <catch2/catch.hpp>
#include <string>

#include "message_check.h"
#include "round_trip.h"
#include "wire_bytes.h"

namespace rill::protocol {
namespace {

using namespace wire_bytes;

// A PLAIN token: authzid NUL authcid NUL password.
const std::string kPlainToken("\0alice\0secret", 13);

TEST_CASE("SaslAuthenticate messages round-trip at every version, null or not",
          "[protocol]") {
  const SaslAuthenticateRequest request{.auth_bytes = {kPlainToken}};
  const SaslAuthenticateResponse response{.error_code = 58,
                                          .error_message = "bad password",
                                          .auth_bytes = {"server-final"},
                                          .session_lifetime_ms = 3600000};
  for (int16_t version = 0; version <= 1; ++version) {
    CAPTURE(version);
    CHECK(Unpopulated(request, version) == "");
    CheckRoundTrip(request, version);
    CHECK(Unpopulated(response, version) == "");
    CheckRoundTrip(response, version);
    SaslAuthenticateResponse success = response;
    success.error_message = std::nullopt;
    CheckRoundTrip(success, version);
  }
}

TEST_CASE("SaslAuthenticate messages match the schema byte for byte",
          "[protocol]") {
  for (int16_t version = 0; version <= 1; ++version) {
    CAPTURE(version);
    CheckWireBytes(SaslAuthenticateRequest{.auth_bytes = {kPlainToken}},
                   version, BytesOf(kPlainToken));
    const std::string lifetime = version >= 1 ? Int64(60000) : "";
    CheckWireBytes(SaslAuthenticateResponse{.error_code = 0,
                                            .error_message = std::nullopt,
                                            .auth_bytes = {""},
                                            .session_lifetime_ms = 60000},
                   version, Int16(0) + NullString() + BytesOf("") + lifetime);
    CheckWireBytes(SaslAuthenticateResponse{.error_code = 58,
                                            .error_message = "no",
                                            .auth_bytes = {"x"},
                                            .session_lifetime_ms = 60000},
                   version, Int16(58) + String("no") + BytesOf("x") + lifetime);
  }
}

}  // namespace
}  // namespace rill::protocol
