// JoinGroup (key 11): a member joins (or rejoins, starting a rebalance) a
// consumer group, listing the assignment protocols it supports with their
// metadata. The coordinator answers when the rebalance completes: the
// generation, the chosen protocol, the leader, the member's id — and, to
// the leader only, every member with its metadata. Protocol metadata is
// opaque bytes (the assignors run in the clients). v1 adds the rebalance
// timeout; v4 the MEMBER_ID_REQUIRED round trip for a member without an
// id; v5 static membership (group_instance_id).
#ifndef RILL_PROTOCOL_MESSAGES_JOIN_GROUP_H_
#define RILL_PROTOCOL_MESSAGES_JOIN_GROUP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct JoinGroupRequest {
  static constexpr ApiKey kApiKey = ApiKey::kJoinGroup;
  static constexpr Versions kVersions = V("0-5");
  static constexpr Versions kFlexibleVersions = V("none");

  struct Protocol {
    std::string name;
    Bytes metadata;

    bool operator==(const Protocol&) const = default;
    static constexpr auto Fields() {
      using M = Protocol;
      return std::tuple{F(&M::name, "0+"), F(&M::metadata, "0+")};
    }
  };

  std::string group_id;
  int32_t session_timeout_ms = 0;
  // -1 (v0, where the field is absent): use the session timeout.
  int32_t rebalance_timeout_ms = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string protocol_type;
  std::vector<Protocol> protocols;

  bool operator==(const JoinGroupRequest&) const = default;
  static constexpr auto Fields() {
    using M = JoinGroupRequest;
    return std::tuple{F(&M::group_id, "0+"),
                      F(&M::session_timeout_ms, "0+"),
                      F(&M::rebalance_timeout_ms, "1+"),
                      F(&M::member_id, "0+"),
                      F(&M::group_instance_id, "5+"),
                      F(&M::protocol_type, "0+"),
                      F(&M::protocols, "0+")};
  }
};

struct JoinGroupResponse {
  static constexpr ApiKey kApiKey = ApiKey::kJoinGroup;
  static constexpr Versions kVersions = V("0-5");
  static constexpr Versions kFlexibleVersions = V("none");

  struct Member {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    Bytes metadata;

    bool operator==(const Member&) const = default;
    static constexpr auto Fields() {
      using M = Member;
      return std::tuple{F(&M::member_id, "0+"), F(&M::group_instance_id, "5+"),
                        F(&M::metadata, "0+")};
    }
  };

  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  int32_t generation_id = -1;
  std::string protocol_name;
  std::string leader;
  std::string member_id;
  // Empty for everyone but the leader.
  std::vector<Member> members;

  bool operator==(const JoinGroupResponse&) const = default;
  static constexpr auto Fields() {
    using M = JoinGroupResponse;
    return std::tuple{F(&M::throttle_time_ms, "2+"), F(&M::error_code, "0+"),
                      F(&M::generation_id, "0+"),    F(&M::protocol_name, "0+"),
                      F(&M::leader, "0+"),           F(&M::member_id, "0+"),
                      F(&M::members, "0+")};
  }
};

// Encode and Decode for both are compiled once, in join_group.cc.
RILL_PROTOCOL_EXTERN_CODEC(JoinGroupRequest);
RILL_PROTOCOL_EXTERN_CODEC(JoinGroupResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_JOIN_GROUP_H_
