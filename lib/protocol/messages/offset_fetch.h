// OffsetFetch (key 9): read a group's committed offsets. From v2 a null
// topic list asks for every partition the group has committed, and errors
// that concern the whole group come in a top-level error code; v5 returns
// the leader epoch; v6 is the first flexible version; v7 adds
// require_stable (answer UNSTABLE_OFFSET_COMMIT rather than an offset a
// pending transaction may still change). A partition with no commit reads
// as offset -1 and error NONE.
#ifndef RILL_PROTOCOL_MESSAGES_OFFSET_FETCH_H_
#define RILL_PROTOCOL_MESSAGES_OFFSET_FETCH_H_

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct OffsetFetchRequest {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetFetch;
  static constexpr Versions kVersions = V("0-7");
  static constexpr Versions kFlexibleVersions = V("6+");

  struct Topic {
    std::string name;
    std::vector<int32_t> partition_indexes;

    bool operator==(const Topic&) const = default;
    static constexpr auto Fields() {
      using M = Topic;
      return std::tuple{F(&M::name, "0-7"), F(&M::partition_indexes, "0-7")};
    }
  };

  std::string group_id;
  // Null (v2+): every topic the group has offsets for.
  std::optional<std::vector<Topic>> topics = std::vector<Topic>{};
  bool require_stable = false;

  bool operator==(const OffsetFetchRequest&) const = default;
  static constexpr auto Fields() {
    using M = OffsetFetchRequest;
    return std::tuple{F(&M::group_id, "0-7"),
                      F(&M::topics, "0-7", {.nullable = "2-7"}),
                      F(&M::require_stable, "7+")};
  }
};

struct OffsetFetchResponse {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetFetch;
  static constexpr Versions kVersions = V("0-7");
  static constexpr Versions kFlexibleVersions = V("6+");

  struct Partition {
    int32_t partition_index = 0;
    int64_t committed_offset = 0;
    int32_t committed_leader_epoch = -1;
    // Nullable without a schema default: Kafka's default is "", not null.
    std::optional<std::string> metadata = "";
    int16_t error_code = 0;

    bool operator==(const Partition&) const = default;
    static constexpr auto Fields() {
      using M = Partition;
      return std::tuple{F(&M::partition_index, "0-7"),
                        F(&M::committed_offset, "0-7"),
                        F(&M::committed_leader_epoch, "5-7"),
                        F(&M::metadata, "0-7"), F(&M::error_code, "0-7")};
    }
  };

  struct Topic {
    std::string name;
    std::vector<Partition> partitions;

    bool operator==(const Topic&) const = default;
    static constexpr auto Fields() {
      using M = Topic;
      return std::tuple{F(&M::name, "0-7"), F(&M::partitions, "0-7")};
    }
  };

  int32_t throttle_time_ms = 0;
  std::vector<Topic> topics;
  int16_t error_code = 0;

  bool operator==(const OffsetFetchResponse&) const = default;
  static constexpr auto Fields() {
    using M = OffsetFetchResponse;
    return std::tuple{F(&M::throttle_time_ms, "3+"), F(&M::topics, "0-7"),
                      F(&M::error_code, "2-7")};
  }
};

// Encode and Decode for both are compiled once, in offset_fetch.cc.
RILL_PROTOCOL_EXTERN_CODEC(OffsetFetchRequest);
RILL_PROTOCOL_EXTERN_CODEC(OffsetFetchResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_OFFSET_FETCH_H_
