// DeleteGroups (key 42): delete consumer groups and their committed
// offsets. Only empty groups can go (NON_EMPTY_GROUP otherwise); errors
// are per group. v1 only changes throttling behaviour.
#ifndef RILL_PROTOCOL_MESSAGES_DELETE_GROUPS_H_
#define RILL_PROTOCOL_MESSAGES_DELETE_GROUPS_H_

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct DeleteGroupsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kDeleteGroups;
  static constexpr Versions kVersions = V("0-1");
  static constexpr Versions kFlexibleVersions = V("none");

  // Kafka's field name is "GroupsNames".
  std::vector<std::string> groups_names;

  bool operator==(const DeleteGroupsRequest&) const = default;
  static constexpr auto Fields() {
    return std::tuple{F(&DeleteGroupsRequest::groups_names, "0+")};
  }
};

struct DeleteGroupsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kDeleteGroups;
  static constexpr Versions kVersions = V("0-1");
  static constexpr Versions kFlexibleVersions = V("none");

  struct DeletableGroupResult {
    std::string group_id;
    int16_t error_code = 0;

    bool operator==(const DeletableGroupResult&) const = default;
    static constexpr auto Fields() {
      using M = DeletableGroupResult;
      return std::tuple{F(&M::group_id, "0+"), F(&M::error_code, "0+")};
    }
  };

  int32_t throttle_time_ms = 0;
  std::vector<DeletableGroupResult> results;

  bool operator==(const DeleteGroupsResponse&) const = default;
  static constexpr auto Fields() {
    using M = DeleteGroupsResponse;
    return std::tuple{F(&M::throttle_time_ms, "0+"), F(&M::results, "0+")};
  }
};

// Encode and Decode for both are compiled once, in delete_groups.cc.
RILL_PROTOCOL_EXTERN_CODEC(DeleteGroupsRequest);
RILL_PROTOCOL_EXTERN_CODEC(DeleteGroupsResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_DELETE_GROUPS_H_
