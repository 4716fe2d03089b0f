// SaslAuthenticate (key 36): one round of SASL tokens after a v1
// SaslHandshake, client to broker and back, as the mechanism defines them.
// v1 adds the session lifetime, after which the client must
// re-authenticate (KIP-368; 0 means no limit).
#ifndef RILL_PROTOCOL_MESSAGES_SASL_AUTHENTICATE_H_
#define RILL_PROTOCOL_MESSAGES_SASL_AUTHENTICATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct SaslAuthenticateRequest {
  static constexpr ApiKey kApiKey = ApiKey::kSaslAuthenticate;
  static constexpr Versions kVersions = V("0-1");
  static constexpr Versions kFlexibleVersions = V("none");

  Bytes auth_bytes;

  static constexpr auto Fields() {
    using M = SaslAuthenticateRequest;
    return std::tuple{F(&M::auth_bytes, "0+")};
  }
};

struct SaslAuthenticateResponse {
  static constexpr ApiKey kApiKey = ApiKey::kSaslAuthenticate;
  static constexpr Versions kVersions = V("0-1");
  static constexpr Versions kFlexibleVersions = V("none");

  int16_t error_code = 0;
  // Null or empty when there was no error. (The schema gives no default,
  // so it is the empty string, as Kafka's.)
  std::optional<std::string> error_message = std::string();
  Bytes auth_bytes;
  int64_t session_lifetime_ms = 0;

  static constexpr auto Fields() {
    using M = SaslAuthenticateResponse;
    return std::tuple{
        F(&M::error_code, "0+"), F(&M::error_message, "0+", {.nullable = "0+"}),
        F(&M::auth_bytes, "0+"), F(&M::session_lifetime_ms, "1+")};
  }
};

// Encode and Decode for both are compiled once, in sasl_authenticate.cc.
RILL_PROTOCOL_EXTERN_CODEC(SaslAuthenticateRequest);
RILL_PROTOCOL_EXTERN_CODEC(SaslAuthenticateResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_SASL_AUTHENTICATE_H_
