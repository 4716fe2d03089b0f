// CreateTopics (key 19): create topics with a partition count and
// replication factor, or an explicit replica assignment, and topic configs
// (Kafka's names: "retention.ms", ...). v1 adds validate_only (check, do
// not create) and per-topic error messages; v4 lets partitions and
// replication factor be -1 (the broker's defaults) without an assignment.
// Errors are per topic (TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS, ...).
#ifndef RILL_PROTOCOL_MESSAGES_CREATE_TOPICS_H_
#define RILL_PROTOCOL_MESSAGES_CREATE_TOPICS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct CreateTopicsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kCreateTopics;
  static constexpr Versions kVersions = V("0-4");
  static constexpr Versions kFlexibleVersions = V("none");

  struct CreatableReplicaAssignment {
    int32_t partition_index = 0;
    std::vector<int32_t> broker_ids;

    bool operator==(const CreatableReplicaAssignment&) const = default;
    static constexpr auto Fields() {
      using M = CreatableReplicaAssignment;
      return std::tuple{F(&M::partition_index, "0+"), F(&M::broker_ids, "0+")};
    }
  };

  struct CreatableTopicConfig {
    std::string name;
    // Nullable without a schema default: Kafka's default is "", not null.
    std::optional<std::string> value = "";

    bool operator==(const CreatableTopicConfig&) const = default;
    static constexpr auto Fields() {
      using M = CreatableTopicConfig;
      return std::tuple{F(&M::name, "0+"), F(&M::value, "0+")};
    }
  };

  struct CreatableTopic {
    std::string name;
    // -1: the broker's default (or given by `assignments`).
    int32_t num_partitions = 0;
    // -1: the broker's default (or given by `assignments`).
    int16_t replication_factor = 0;
    std::vector<CreatableReplicaAssignment> assignments;
    std::vector<CreatableTopicConfig> configs;

    bool operator==(const CreatableTopic&) const = default;
    static constexpr auto Fields() {
      using M = CreatableTopic;
      return std::tuple{F(&M::name, "0+"), F(&M::num_partitions, "0+"),
                        F(&M::replication_factor, "0+"),
                        F(&M::assignments, "0+"), F(&M::configs, "0+")};
    }
  };

  std::vector<CreatableTopic> topics;
  int32_t timeout_ms = 60000;
  bool validate_only = false;

  bool operator==(const CreateTopicsRequest&) const = default;
  static constexpr auto Fields() {
    using M = CreateTopicsRequest;
    return std::tuple{F(&M::topics, "0+"), F(&M::timeout_ms, "0+"),
                      F(&M::validate_only, "1+")};
  }
};

struct CreateTopicsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kCreateTopics;
  static constexpr Versions kVersions = V("0-4");
  static constexpr Versions kFlexibleVersions = V("none");

  struct CreatableTopicResult {
    std::string name;
    int16_t error_code = 0;
    // Nullable without a schema default: Kafka's default is "", not null.
    std::optional<std::string> error_message = "";

    bool operator==(const CreatableTopicResult&) const = default;
    static constexpr auto Fields() {
      using M = CreatableTopicResult;
      return std::tuple{F(&M::name, "0+"), F(&M::error_code, "0+"),
                        F(&M::error_message, "1+", {.nullable = "0+"})};
    }
  };

  int32_t throttle_time_ms = 0;
  std::vector<CreatableTopicResult> topics;

  bool operator==(const CreateTopicsResponse&) const = default;
  static constexpr auto Fields() {
    using M = CreateTopicsResponse;
    return std::tuple{F(&M::throttle_time_ms, "2+"), F(&M::topics, "0+")};
  }
};

// Encode and Decode for both are compiled once, in create_topics.cc.
RILL_PROTOCOL_EXTERN_CODEC(CreateTopicsRequest);
RILL_PROTOCOL_EXTERN_CODEC(CreateTopicsResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_CREATE_TOPICS_H_
