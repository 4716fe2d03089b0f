// SyncGroup (key 14): after a JoinGroup round, the leader sends every
// member's assignment and each member receives its own. Followers send no
// assignments and wait for the leader's. Assignments are opaque bytes (the
// assignors run in the clients). v3 adds the static member's instance id.
#ifndef RILL_PROTOCOL_MESSAGES_SYNC_GROUP_H_
#define RILL_PROTOCOL_MESSAGES_SYNC_GROUP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct SyncGroupRequest {
  static constexpr ApiKey kApiKey = ApiKey::kSyncGroup;
  static constexpr Versions kVersions = V("0-3");
  static constexpr Versions kFlexibleVersions = V("none");

  struct Assignment {
    std::string member_id;
    Bytes assignment;

    bool operator==(const Assignment&) const = default;
    static constexpr auto Fields() {
      using M = Assignment;
      return std::tuple{F(&M::member_id, "0+"), F(&M::assignment, "0+")};
    }
  };

  std::string group_id;
  int32_t generation_id = 0;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  // Only the leader's request has any.
  std::vector<Assignment> assignments;

  bool operator==(const SyncGroupRequest&) const = default;
  static constexpr auto Fields() {
    using M = SyncGroupRequest;
    return std::tuple{F(&M::group_id, "0+"), F(&M::generation_id, "0+"),
                      F(&M::member_id, "0+"), F(&M::group_instance_id, "3+"),
                      F(&M::assignments, "0+")};
  }
};

struct SyncGroupResponse {
  static constexpr ApiKey kApiKey = ApiKey::kSyncGroup;
  static constexpr Versions kVersions = V("0-3");
  static constexpr Versions kFlexibleVersions = V("none");

  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  Bytes assignment;

  bool operator==(const SyncGroupResponse&) const = default;
  static constexpr auto Fields() {
    using M = SyncGroupResponse;
    return std::tuple{F(&M::throttle_time_ms, "1+"), F(&M::error_code, "0+"),
                      F(&M::assignment, "0+")};
  }
};

// Encode and Decode for both are compiled once, in sync_group.cc.
RILL_PROTOCOL_EXTERN_CODEC(SyncGroupRequest);
RILL_PROTOCOL_EXTERN_CODEC(SyncGroupResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_SYNC_GROUP_H_
