// CreatePartitions (key 37): raise topics' partition counts (never lower
// them: INVALID_PARTITIONS), optionally placing the new partitions' replicas
// (one broker list per new partition; null lets the broker choose).
// validate_only checks without creating. v1 only changes throttling
// behaviour.
#ifndef RILL_PROTOCOL_MESSAGES_CREATE_PARTITIONS_H_
#define RILL_PROTOCOL_MESSAGES_CREATE_PARTITIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct CreatePartitionsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kCreatePartitions;
  static constexpr Versions kVersions = V("0-1");
  static constexpr Versions kFlexibleVersions = V("none");

  struct Assignment {
    std::vector<int32_t> broker_ids;

    bool operator==(const Assignment&) const = default;
    static constexpr auto Fields() {
      return std::tuple{F(&Assignment::broker_ids, "0+")};
    }
  };

  struct Topic {
    std::string name;
    // The new total number of partitions.
    int32_t count = 0;
    // One per new partition; null: the broker places them.
    std::optional<std::vector<Assignment>> assignments =
        std::vector<Assignment>{};

    bool operator==(const Topic&) const = default;
    static constexpr auto Fields() {
      using M = Topic;
      return std::tuple{F(&M::name, "0+"), F(&M::count, "0+"),
                        F(&M::assignments, "0+")};
    }
  };

  std::vector<Topic> topics;
  int32_t timeout_ms = 0;
  bool validate_only = false;

  bool operator==(const CreatePartitionsRequest&) const = default;
  static constexpr auto Fields() {
    using M = CreatePartitionsRequest;
    return std::tuple{F(&M::topics, "0+"), F(&M::timeout_ms, "0+"),
                      F(&M::validate_only, "0+")};
  }
};

struct CreatePartitionsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kCreatePartitions;
  static constexpr Versions kVersions = V("0-1");
  static constexpr Versions kFlexibleVersions = V("none");

  struct TopicResult {
    std::string name;
    int16_t error_code = 0;
    // Nullable without a schema default: Kafka's default is "", not null.
    std::optional<std::string> error_message = "";

    bool operator==(const TopicResult&) const = default;
    static constexpr auto Fields() {
      using M = TopicResult;
      return std::tuple{F(&M::name, "0+"), F(&M::error_code, "0+"),
                        F(&M::error_message, "0+")};
    }
  };

  int32_t throttle_time_ms = 0;
  std::vector<TopicResult> results;

  bool operator==(const CreatePartitionsResponse&) const = default;
  static constexpr auto Fields() {
    using M = CreatePartitionsResponse;
    return std::tuple{F(&M::throttle_time_ms, "0+"), F(&M::results, "0+")};
  }
};

// Encode and Decode for both are compiled once, in create_partitions.cc.
RILL_PROTOCOL_EXTERN_CODEC(CreatePartitionsRequest);
RILL_PROTOCOL_EXTERN_CODEC(CreatePartitionsResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_CREATE_PARTITIONS_H_
