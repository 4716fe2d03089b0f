// Heartbeat (key 12): a member tells the coordinator it is alive. The
// answer is also how members learn of a rebalance (REBALANCE_IN_PROGRESS).
// v3 adds the static member's instance id.
#ifndef RILL_PROTOCOL_MESSAGES_HEARTBEAT_H_
#define RILL_PROTOCOL_MESSAGES_HEARTBEAT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct HeartbeatRequest {
  static constexpr ApiKey kApiKey = ApiKey::kHeartbeat;
  static constexpr Versions kVersions = V("0-3");
  static constexpr Versions kFlexibleVersions = V("none");

  std::string group_id;
  int32_t generation_id = 0;
  std::string member_id;
  std::optional<std::string> group_instance_id;

  bool operator==(const HeartbeatRequest&) const = default;
  static constexpr auto Fields() {
    using M = HeartbeatRequest;
    return std::tuple{F(&M::group_id, "0+"), F(&M::generation_id, "0+"),
                      F(&M::member_id, "0+"), F(&M::group_instance_id, "3+")};
  }
};

struct HeartbeatResponse {
  static constexpr ApiKey kApiKey = ApiKey::kHeartbeat;
  static constexpr Versions kVersions = V("0-3");
  static constexpr Versions kFlexibleVersions = V("none");

  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;

  bool operator==(const HeartbeatResponse&) const = default;
  static constexpr auto Fields() {
    using M = HeartbeatResponse;
    return std::tuple{F(&M::throttle_time_ms, "1+"), F(&M::error_code, "0+")};
  }
};

// Encode and Decode for both are compiled once, in heartbeat.cc.
RILL_PROTOCOL_EXTERN_CODEC(HeartbeatRequest);
RILL_PROTOCOL_EXTERN_CODEC(HeartbeatResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_HEARTBEAT_H_
