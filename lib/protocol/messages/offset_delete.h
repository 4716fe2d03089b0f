// OffsetDelete (key 47): delete a group's committed offsets for some
// partitions (GROUP_SUBSCRIBED_TO_TOPIC while an active member consumes the
// topic). Unusually, the response puts the error code before the throttle
// time.
#ifndef RILL_PROTOCOL_MESSAGES_OFFSET_DELETE_H_
#define RILL_PROTOCOL_MESSAGES_OFFSET_DELETE_H_

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct OffsetDeleteRequest {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetDelete;
  static constexpr Versions kVersions = V("0");
  static constexpr Versions kFlexibleVersions = V("none");

  struct Partition {
    int32_t partition_index = 0;

    bool operator==(const Partition&) const = default;
    static constexpr auto Fields() {
      return std::tuple{F(&Partition::partition_index, "0+")};
    }
  };

  struct Topic {
    std::string name;
    std::vector<Partition> partitions;

    bool operator==(const Topic&) const = default;
    static constexpr auto Fields() {
      using M = Topic;
      return std::tuple{F(&M::name, "0+"), F(&M::partitions, "0+")};
    }
  };

  std::string group_id;
  std::vector<Topic> topics;

  bool operator==(const OffsetDeleteRequest&) const = default;
  static constexpr auto Fields() {
    using M = OffsetDeleteRequest;
    return std::tuple{F(&M::group_id, "0+"), F(&M::topics, "0+")};
  }
};

struct OffsetDeleteResponse {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetDelete;
  static constexpr Versions kVersions = V("0");
  static constexpr Versions kFlexibleVersions = V("none");

  struct Partition {
    int32_t partition_index = 0;
    int16_t error_code = 0;

    bool operator==(const Partition&) const = default;
    static constexpr auto Fields() {
      using M = Partition;
      return std::tuple{F(&M::partition_index, "0+"), F(&M::error_code, "0+")};
    }
  };

  struct Topic {
    std::string name;
    std::vector<Partition> partitions;

    bool operator==(const Topic&) const = default;
    static constexpr auto Fields() {
      using M = Topic;
      return std::tuple{F(&M::name, "0+"), F(&M::partitions, "0+")};
    }
  };

  int16_t error_code = 0;
  int32_t throttle_time_ms = 0;
  std::vector<Topic> topics;

  bool operator==(const OffsetDeleteResponse&) const = default;
  static constexpr auto Fields() {
    using M = OffsetDeleteResponse;
    return std::tuple{F(&M::error_code, "0+"), F(&M::throttle_time_ms, "0+"),
                      F(&M::topics, "0+")};
  }
};

// Encode and Decode for both are compiled once, in offset_delete.cc.
RILL_PROTOCOL_EXTERN_CODEC(OffsetDeleteRequest);
RILL_PROTOCOL_EXTERN_CODEC(OffsetDeleteResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_OFFSET_DELETE_H_
