// FindCoordinator (key 10): which broker coordinates a consumer group
// (key type 0) or a transactional id (key type 1, v1+). A single broker
// answers with itself. librdkafka needs v0 in our range or it has no group
// coordinator at all.
#ifndef RILL_PROTOCOL_MESSAGES_FIND_COORDINATOR_H_
#define RILL_PROTOCOL_MESSAGES_FIND_COORDINATOR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct FindCoordinatorRequest {
  static constexpr ApiKey kApiKey = ApiKey::kFindCoordinator;
  static constexpr Versions kVersions = V("0-2");
  static constexpr Versions kFlexibleVersions = V("none");

  // The group id or transactional id.
  std::string key;
  // 0: group, 1: transaction.
  int8_t key_type = 0;

  bool operator==(const FindCoordinatorRequest&) const = default;
  static constexpr auto Fields() {
    using M = FindCoordinatorRequest;
    return std::tuple{F(&M::key, "0-3"), F(&M::key_type, "1+")};
  }
};

struct FindCoordinatorResponse {
  static constexpr ApiKey kApiKey = ApiKey::kFindCoordinator;
  static constexpr Versions kVersions = V("0-2");
  static constexpr Versions kFlexibleVersions = V("none");

  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  // Nullable without a schema default: Kafka's default is "", not null.
  std::optional<std::string> error_message = "";
  int32_t node_id = 0;
  std::string host;
  int32_t port = 0;

  bool operator==(const FindCoordinatorResponse&) const = default;
  static constexpr auto Fields() {
    using M = FindCoordinatorResponse;
    return std::tuple{F(&M::throttle_time_ms, "1+"),
                      F(&M::error_code, "0+"),
                      F(&M::error_message, "1+"),
                      F(&M::node_id, "0+"),
                      F(&M::host, "0+"),
                      F(&M::port, "0+")};
  }
};

// Encode and Decode for both are compiled once, in find_coordinator.cc.
RILL_PROTOCOL_EXTERN_CODEC(FindCoordinatorRequest);
RILL_PROTOCOL_EXTERN_CODEC(FindCoordinatorResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_FIND_COORDINATOR_H_
