// OffsetCommit (key 8): a group member stores consumed offsets, per
// partition, with the group coordinator. v1 adds the generation and member
// id (fencing zombie members) and a per-partition commit timestamp, which
// v2 replaces with a request-wide retention time; v5 drops retention (a
// broker setting since), v6 adds the leader epoch, v7 the static member's
// instance id. Generation -1 with an empty member id is a commit from
// outside the group (only allowed while the group is empty).
#ifndef RILL_PROTOCOL_MESSAGES_OFFSET_COMMIT_H_
#define RILL_PROTOCOL_MESSAGES_OFFSET_COMMIT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct OffsetCommitRequest {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetCommit;
  static constexpr Versions kVersions = V("0-7");
  static constexpr Versions kFlexibleVersions = V("none");

  struct Partition {
    int32_t partition_index = 0;
    int64_t committed_offset = 0;
    int32_t committed_leader_epoch = -1;
    int64_t commit_timestamp = -1;
    // Nullable without a schema default: Kafka's default is "", not null.
    std::optional<std::string> committed_metadata = "";

    bool operator==(const Partition&) const = default;
    static constexpr auto Fields() {
      using M = Partition;
      return std::tuple{
          F(&M::partition_index, "0+"), F(&M::committed_offset, "0+"),
          F(&M::committed_leader_epoch, "6+"), F(&M::commit_timestamp, "1"),
          F(&M::committed_metadata, "0+")};
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
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  int64_t retention_time_ms = -1;
  std::vector<Topic> topics;

  bool operator==(const OffsetCommitRequest&) const = default;
  static constexpr auto Fields() {
    using M = OffsetCommitRequest;
    return std::tuple{
        F(&M::group_id, "0+"),           F(&M::generation_id, "1+"),
        F(&M::member_id, "1+"),          F(&M::group_instance_id, "7+"),
        F(&M::retention_time_ms, "2-4"), F(&M::topics, "0+")};
  }
};

struct OffsetCommitResponse {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetCommit;
  static constexpr Versions kVersions = V("0-7");
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

  int32_t throttle_time_ms = 0;
  std::vector<Topic> topics;

  bool operator==(const OffsetCommitResponse&) const = default;
  static constexpr auto Fields() {
    using M = OffsetCommitResponse;
    return std::tuple{F(&M::throttle_time_ms, "3+"), F(&M::topics, "0+")};
  }
};

// Encode and Decode for both are compiled once, in offset_commit.cc.
RILL_PROTOCOL_EXTERN_CODEC(OffsetCommitRequest);
RILL_PROTOCOL_EXTERN_CODEC(OffsetCommitResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_OFFSET_COMMIT_H_
