// DeleteTopics (key 20): delete topics by name. Errors are per topic
// (UNKNOWN_TOPIC_OR_PARTITION; TOPIC_DELETION_DISABLED from v3).
#ifndef RILL_PROTOCOL_MESSAGES_DELETE_TOPICS_H_
#define RILL_PROTOCOL_MESSAGES_DELETE_TOPICS_H_

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct DeleteTopicsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kDeleteTopics;
  static constexpr Versions kVersions = V("0-3");
  static constexpr Versions kFlexibleVersions = V("none");

  std::vector<std::string> topic_names;
  int32_t timeout_ms = 0;

  bool operator==(const DeleteTopicsRequest&) const = default;
  static constexpr auto Fields() {
    using M = DeleteTopicsRequest;
    return std::tuple{F(&M::topic_names, "0-5"), F(&M::timeout_ms, "0+")};
  }
};

struct DeleteTopicsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kDeleteTopics;
  static constexpr Versions kVersions = V("0-3");
  static constexpr Versions kFlexibleVersions = V("none");

  struct DeletableTopicResult {
    std::string name;
    int16_t error_code = 0;

    bool operator==(const DeletableTopicResult&) const = default;
    static constexpr auto Fields() {
      using M = DeletableTopicResult;
      return std::tuple{F(&M::name, "0+"), F(&M::error_code, "0+")};
    }
  };

  int32_t throttle_time_ms = 0;
  std::vector<DeletableTopicResult> responses;

  bool operator==(const DeleteTopicsResponse&) const = default;
  static constexpr auto Fields() {
    using M = DeleteTopicsResponse;
    return std::tuple{F(&M::throttle_time_ms, "1+"), F(&M::responses, "0+")};
  }
};

// Encode and Decode for both are compiled once, in delete_topics.cc.
RILL_PROTOCOL_EXTERN_CODEC(DeleteTopicsRequest);
RILL_PROTOCOL_EXTERN_CODEC(DeleteTopicsResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_DELETE_TOPICS_H_
