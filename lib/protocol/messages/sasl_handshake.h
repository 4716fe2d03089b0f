// SaslHandshake (key 17): the client names a SASL mechanism; the response
// lists those the broker enables. In v0 the SASL tokens then follow as raw
// length-prefixed frames outside the Kafka protocol; from v1 they travel
// in SaslAuthenticate requests. Kafka never bumped this API past v1 (old
// clients negotiate it wrongly, KAFKA-9577).
#ifndef RILL_PROTOCOL_MESSAGES_SASL_HANDSHAKE_H_
#define RILL_PROTOCOL_MESSAGES_SASL_HANDSHAKE_H_

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct SaslHandshakeRequest {
  static constexpr ApiKey kApiKey = ApiKey::kSaslHandshake;
  static constexpr Versions kVersions = V("0-1");
  static constexpr Versions kFlexibleVersions = V("none");

  // "PLAIN", "SCRAM-SHA-256", ...
  std::string mechanism;

  static constexpr auto Fields() {
    using M = SaslHandshakeRequest;
    return std::tuple{F(&M::mechanism, "0+")};
  }
};

struct SaslHandshakeResponse {
  static constexpr ApiKey kApiKey = ApiKey::kSaslHandshake;
  static constexpr Versions kVersions = V("0-1");
  static constexpr Versions kFlexibleVersions = V("none");

  int16_t error_code = 0;
  std::vector<std::string> mechanisms;

  static constexpr auto Fields() {
    using M = SaslHandshakeResponse;
    return std::tuple{F(&M::error_code, "0+"), F(&M::mechanisms, "0+")};
  }
};

// Encode and Decode for both are compiled once, in sasl_handshake.cc.
RILL_PROTOCOL_EXTERN_CODEC(SaslHandshakeRequest);
RILL_PROTOCOL_EXTERN_CODEC(SaslHandshakeResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_SASL_HANDSHAKE_H_
