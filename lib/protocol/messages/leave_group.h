// LeaveGroup (key 13): members leave a group at once instead of waiting
// for their session to time out, which starts a rebalance. v0-2 name one
// member (the sender); v3 takes a list of member identities (member id
// and/or static instance id, so an admin can remove static members) and
// answers per member as well as overall.
#ifndef RILL_PROTOCOL_MESSAGES_LEAVE_GROUP_H_
#define RILL_PROTOCOL_MESSAGES_LEAVE_GROUP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct LeaveGroupRequest {
  static constexpr ApiKey kApiKey = ApiKey::kLeaveGroup;
  static constexpr Versions kVersions = V("0-3");
  static constexpr Versions kFlexibleVersions = V("none");

  struct MemberIdentity {
    std::string member_id;
    std::optional<std::string> group_instance_id;

    bool operator==(const MemberIdentity&) const = default;
    static constexpr auto Fields() {
      using M = MemberIdentity;
      return std::tuple{F(&M::member_id, "3+"), F(&M::group_instance_id, "3+")};
    }
  };

  std::string group_id;
  // v0-2: the one member leaving.
  std::string member_id;
  // v3+: the members leaving.
  std::vector<MemberIdentity> members;

  bool operator==(const LeaveGroupRequest&) const = default;
  static constexpr auto Fields() {
    using M = LeaveGroupRequest;
    return std::tuple{F(&M::group_id, "0+"), F(&M::member_id, "0-2"),
                      F(&M::members, "3+")};
  }
};

struct LeaveGroupResponse {
  static constexpr ApiKey kApiKey = ApiKey::kLeaveGroup;
  static constexpr Versions kVersions = V("0-3");
  static constexpr Versions kFlexibleVersions = V("none");

  struct MemberResponse {
    std::string member_id;
    // Nullable without a schema default: Kafka's default is "", not null.
    std::optional<std::string> group_instance_id = "";
    int16_t error_code = 0;

    bool operator==(const MemberResponse&) const = default;
    static constexpr auto Fields() {
      using M = MemberResponse;
      return std::tuple{F(&M::member_id, "3+"), F(&M::group_instance_id, "3+"),
                        F(&M::error_code, "3+")};
    }
  };

  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::vector<MemberResponse> members;

  bool operator==(const LeaveGroupResponse&) const = default;
  static constexpr auto Fields() {
    using M = LeaveGroupResponse;
    return std::tuple{F(&M::throttle_time_ms, "1+"), F(&M::error_code, "0+"),
                      F(&M::members, "3+")};
  }
};

// Encode and Decode for both are compiled once, in leave_group.cc.
RILL_PROTOCOL_EXTERN_CODEC(LeaveGroupRequest);
RILL_PROTOCOL_EXTERN_CODEC(LeaveGroupResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_LEAVE_GROUP_H_
