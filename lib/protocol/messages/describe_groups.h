// DescribeGroups (key 15): state, protocol and members of consumer groups,
// with each member's metadata and assignment as opaque bytes (filled in
// when the group is stable). v3 can ask for the caller's authorized
// operations (a bit field; INT32_MIN when not asked); v4 reports members'
// static instance ids.
#ifndef RILL_PROTOCOL_MESSAGES_DESCRIBE_GROUPS_H_
#define RILL_PROTOCOL_MESSAGES_DESCRIBE_GROUPS_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct DescribeGroupsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kDescribeGroups;
  static constexpr Versions kVersions = V("0-4");
  static constexpr Versions kFlexibleVersions = V("none");

  std::vector<std::string> groups;
  bool include_authorized_operations = false;

  bool operator==(const DescribeGroupsRequest&) const = default;
  static constexpr auto Fields() {
    using M = DescribeGroupsRequest;
    return std::tuple{F(&M::groups, "0+"),
                      F(&M::include_authorized_operations, "3+")};
  }
};

struct DescribeGroupsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kDescribeGroups;
  static constexpr Versions kVersions = V("0-4");
  static constexpr Versions kFlexibleVersions = V("none");

  struct DescribedGroupMember {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::string client_id;
    std::string client_host;
    Bytes member_metadata;
    Bytes member_assignment;

    bool operator==(const DescribedGroupMember&) const = default;
    static constexpr auto Fields() {
      using M = DescribedGroupMember;
      return std::tuple{
          F(&M::member_id, "0+"),       F(&M::group_instance_id, "4+"),
          F(&M::client_id, "0+"),       F(&M::client_host, "0+"),
          F(&M::member_metadata, "0+"), F(&M::member_assignment, "0+")};
    }
  };

  struct DescribedGroup {
    int16_t error_code = 0;
    std::string group_id;
    // "Stable", "PreparingRebalance", ..., or "Dead" for an unknown group.
    std::string group_state;
    std::string protocol_type;
    // The chosen protocol (assignor) name, when stable.
    std::string protocol_data;
    std::vector<DescribedGroupMember> members;
    int32_t authorized_operations = std::numeric_limits<int32_t>::min();

    bool operator==(const DescribedGroup&) const = default;
    static constexpr auto Fields() {
      using M = DescribedGroup;
      return std::tuple{
          F(&M::error_code, "0+"),           F(&M::group_id, "0+"),
          F(&M::group_state, "0+"),          F(&M::protocol_type, "0+"),
          F(&M::protocol_data, "0+"),        F(&M::members, "0+"),
          F(&M::authorized_operations, "3+")};
    }
  };

  int32_t throttle_time_ms = 0;
  std::vector<DescribedGroup> groups;

  bool operator==(const DescribeGroupsResponse&) const = default;
  static constexpr auto Fields() {
    using M = DescribeGroupsResponse;
    return std::tuple{F(&M::throttle_time_ms, "1+"), F(&M::groups, "0+")};
  }
};

// Encode and Decode for both are compiled once, in describe_groups.cc.
RILL_PROTOCOL_EXTERN_CODEC(DescribeGroupsRequest);
RILL_PROTOCOL_EXTERN_CODEC(DescribeGroupsResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_DESCRIBE_GROUPS_H_
