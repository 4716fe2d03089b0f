// ApiVersions (key 18): which APIs and versions the broker speaks.
// Every client's first request on a connection. The response header is
// always v0, and an unsupported request version is answered with a v0 body
// (UNSUPPORTED_VERSION plus our ApiVersions range) so the client can retry.
#ifndef RILL_PROTOCOL_MESSAGES_API_VERSIONS_H_
#define RILL_PROTOCOL_MESSAGES_API_VERSIONS_H_

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct ApiVersionsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kApiVersions;
  static constexpr Versions kVersions = V("0-3");
  static constexpr Versions kFlexibleVersions = V("3+");

  std::string client_software_name;
  std::string client_software_version;

  static constexpr auto Fields() {
    using M = ApiVersionsRequest;
    return std::tuple{F(&M::client_software_name, "3+"),
                      F(&M::client_software_version, "3+")};
  }
};

struct ApiVersionsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kApiVersions;
  static constexpr Versions kVersions = V("0-3");
  static constexpr Versions kFlexibleVersions = V("3+");

  struct ApiVersion {
    int16_t api_key = 0;
    int16_t min_version = 0;
    int16_t max_version = 0;
    static constexpr auto Fields() {
      using M = ApiVersion;
      return std::tuple{F(&M::api_key, "0+"), F(&M::min_version, "0+"),
                        F(&M::max_version, "0+")};
    }
  };

  int16_t error_code = 0;
  std::vector<ApiVersion> api_keys;
  int32_t throttle_time_ms = 0;
  // Feature flags (KIP-584): none here, so only the epoch's "no features"
  // default would be sent, and defaults are not sent.
  int64_t finalized_features_epoch = -1;

  static constexpr auto Fields() {
    using M = ApiVersionsResponse;
    return std::tuple{F(&M::error_code, "0+"), F(&M::api_keys, "0+"),
                      F(&M::throttle_time_ms, "1+"),
                      F(&M::finalized_features_epoch, "3+", {.tag = 1})};
  }
};

// Encode and Decode for both are compiled once, in api_versions.cc.
RILL_PROTOCOL_EXTERN_CODEC(ApiVersionsRequest);
RILL_PROTOCOL_EXTERN_CODEC(ApiVersionsResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_API_VERSIONS_H_
