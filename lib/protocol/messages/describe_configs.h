// DescribeConfigs (key 32): the configuration of topics (resource type 2)
// or brokers (4), all keys or the ones asked for. v0 says per entry
// whether it is a default (is_default); v1 replaces that with its source
// (config_source: 1 topic, 4 static broker, 5 default, ...) and can list
// synonyms (the other places the same setting comes from, by precedence).
// Errors are per resource, with a message.
#ifndef RILL_PROTOCOL_MESSAGES_DESCRIBE_CONFIGS_H_
#define RILL_PROTOCOL_MESSAGES_DESCRIBE_CONFIGS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct DescribeConfigsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kDescribeConfigs;
  static constexpr Versions kVersions = V("0-2");
  static constexpr Versions kFlexibleVersions = V("none");

  struct Resource {
    int8_t resource_type = 0;
    std::string resource_name;
    // Null: every key.
    std::optional<std::vector<std::string>> configuration_keys =
        std::vector<std::string>{};

    bool operator==(const Resource&) const = default;
    static constexpr auto Fields() {
      using M = Resource;
      return std::tuple{F(&M::resource_type, "0+"), F(&M::resource_name, "0+"),
                        F(&M::configuration_keys, "0+")};
    }
  };

  std::vector<Resource> resources;
  // Kafka spells the field "IncludeSynoyms".
  bool include_synonyms = false;

  bool operator==(const DescribeConfigsRequest&) const = default;
  static constexpr auto Fields() {
    using M = DescribeConfigsRequest;
    return std::tuple{F(&M::resources, "0+"), F(&M::include_synonyms, "1+")};
  }
};

struct DescribeConfigsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kDescribeConfigs;
  static constexpr Versions kVersions = V("0-2");
  static constexpr Versions kFlexibleVersions = V("none");

  struct Synonym {
    std::string name;
    // Nullable without a schema default: Kafka's default is "", not null.
    std::optional<std::string> value = "";
    int8_t source = 0;

    bool operator==(const Synonym&) const = default;
    static constexpr auto Fields() {
      using M = Synonym;
      return std::tuple{F(&M::name, "1+"),
                        F(&M::value, "1+", {.nullable = "0+"}),
                        F(&M::source, "1+")};
    }
  };

  struct ResourceResult {
    std::string name;
    // Nullable without a schema default: Kafka's default is "", not null.
    std::optional<std::string> value = "";
    bool read_only = false;
    bool is_default = false;
    int8_t config_source = -1;
    bool is_sensitive = false;
    std::vector<Synonym> synonyms;

    bool operator==(const ResourceResult&) const = default;
    static constexpr auto Fields() {
      using M = ResourceResult;
      return std::tuple{F(&M::name, "0+"),          F(&M::value, "0+"),
                        F(&M::read_only, "0+"),     F(&M::is_default, "0"),
                        F(&M::config_source, "1+"), F(&M::is_sensitive, "0+"),
                        F(&M::synonyms, "1+")};
    }
  };

  struct Result {
    int16_t error_code = 0;
    // Nullable without a schema default: Kafka's default is "", not null.
    std::optional<std::string> error_message = "";
    int8_t resource_type = 0;
    std::string resource_name;
    std::vector<ResourceResult> configs;

    bool operator==(const Result&) const = default;
    static constexpr auto Fields() {
      using M = Result;
      return std::tuple{F(&M::error_code, "0+"), F(&M::error_message, "0+"),
                        F(&M::resource_type, "0+"), F(&M::resource_name, "0+"),
                        F(&M::configs, "0+")};
    }
  };

  int32_t throttle_time_ms = 0;
  std::vector<Result> results;

  bool operator==(const DescribeConfigsResponse&) const = default;
  static constexpr auto Fields() {
    using M = DescribeConfigsResponse;
    return std::tuple{F(&M::throttle_time_ms, "0+"), F(&M::results, "0+")};
  }
};

// Encode and Decode for both are compiled once, in describe_configs.cc.
RILL_PROTOCOL_EXTERN_CODEC(DescribeConfigsRequest);
RILL_PROTOCOL_EXTERN_CODEC(DescribeConfigsResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_DESCRIBE_CONFIGS_H_
