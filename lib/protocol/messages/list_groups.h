// ListGroups (key 16): every group the broker coordinates, with its
// protocol type ("consumer" for consumer groups). The request has no
// fields in v0-2 (the state filter arrives in v4).
#ifndef RILL_PROTOCOL_MESSAGES_LIST_GROUPS_H_
#define RILL_PROTOCOL_MESSAGES_LIST_GROUPS_H_

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct ListGroupsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kListGroups;
  static constexpr Versions kVersions = V("0-2");
  static constexpr Versions kFlexibleVersions = V("none");

  bool operator==(const ListGroupsRequest&) const = default;
  static constexpr auto Fields() { return std::tuple{}; }
};

struct ListGroupsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kListGroups;
  static constexpr Versions kVersions = V("0-2");
  static constexpr Versions kFlexibleVersions = V("none");

  struct ListedGroup {
    std::string group_id;
    std::string protocol_type;

    bool operator==(const ListedGroup&) const = default;
    static constexpr auto Fields() {
      using M = ListedGroup;
      return std::tuple{F(&M::group_id, "0+"), F(&M::protocol_type, "0+")};
    }
  };

  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::vector<ListedGroup> groups;

  bool operator==(const ListGroupsResponse&) const = default;
  static constexpr auto Fields() {
    using M = ListGroupsResponse;
    return std::tuple{F(&M::throttle_time_ms, "1+"), F(&M::error_code, "0+"),
                      F(&M::groups, "0+")};
  }
};

// Encode and Decode for both are compiled once, in list_groups.cc.
RILL_PROTOCOL_EXTERN_CODEC(ListGroupsRequest);
RILL_PROTOCOL_EXTERN_CODEC(ListGroupsResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_LIST_GROUPS_H_
