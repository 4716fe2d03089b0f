// AlterConfigs (key 33): replace the whole dynamic configuration of topics
// or brokers with the given set — keys left out revert to their defaults
// (unlike IncrementalAlterConfigs). validate_only checks without applying.
// Errors are per resource, with a message.
#ifndef RILL_PROTOCOL_MESSAGES_ALTER_CONFIGS_H_
#define RILL_PROTOCOL_MESSAGES_ALTER_CONFIGS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct AlterConfigsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kAlterConfigs;
  static constexpr Versions kVersions = V("0-1");
  static constexpr Versions kFlexibleVersions = V("none");

  struct AlterableConfig {
    std::string name;
    // Nullable without a schema default: Kafka's default is "", not null.
    std::optional<std::string> value = "";

    bool operator==(const AlterableConfig&) const = default;
    static constexpr auto Fields() {
      using M = AlterableConfig;
      return std::tuple{F(&M::name, "0+"), F(&M::value, "0+")};
    }
  };

  struct Resource {
    int8_t resource_type = 0;
    std::string resource_name;
    std::vector<AlterableConfig> configs;

    bool operator==(const Resource&) const = default;
    static constexpr auto Fields() {
      using M = Resource;
      return std::tuple{F(&M::resource_type, "0+"), F(&M::resource_name, "0+"),
                        F(&M::configs, "0+")};
    }
  };

  std::vector<Resource> resources;
  bool validate_only = false;

  bool operator==(const AlterConfigsRequest&) const = default;
  static constexpr auto Fields() {
    using M = AlterConfigsRequest;
    return std::tuple{F(&M::resources, "0+"), F(&M::validate_only, "0+")};
  }
};

struct AlterConfigsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kAlterConfigs;
  static constexpr Versions kVersions = V("0-1");
  static constexpr Versions kFlexibleVersions = V("none");

  struct ResourceResponse {
    int16_t error_code = 0;
    // Nullable without a schema default: Kafka's default is "", not null.
    std::optional<std::string> error_message = "";
    int8_t resource_type = 0;
    std::string resource_name;

    bool operator==(const ResourceResponse&) const = default;
    static constexpr auto Fields() {
      using M = ResourceResponse;
      return std::tuple{F(&M::error_code, "0+"), F(&M::error_message, "0+"),
                        F(&M::resource_type, "0+"), F(&M::resource_name, "0+")};
    }
  };

  int32_t throttle_time_ms = 0;
  std::vector<ResourceResponse> responses;

  bool operator==(const AlterConfigsResponse&) const = default;
  static constexpr auto Fields() {
    using M = AlterConfigsResponse;
    return std::tuple{F(&M::throttle_time_ms, "0+"), F(&M::responses, "0+")};
  }
};

// Encode and Decode for both are compiled once, in alter_configs.cc.
RILL_PROTOCOL_EXTERN_CODEC(AlterConfigsRequest);
RILL_PROTOCOL_EXTERN_CODEC(AlterConfigsResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_ALTER_CONFIGS_H_
