// OffsetForLeaderEpoch (key 23): the end offset of a leader epoch, i.e. the
// start offset of the next epoch (or the log end for the current one). A
// follower uses it to find where its log diverges from the leader's before
// truncating; consumers use it (KIP-320) to detect log truncation.
#ifndef RILL_PROTOCOL_MESSAGES_OFFSET_FOR_LEADER_EPOCH_H_
#define RILL_PROTOCOL_MESSAGES_OFFSET_FOR_LEADER_EPOCH_H_

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct OffsetForLeaderEpochRequest {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetForLeaderEpoch;
  static constexpr Versions kVersions = V("0-3");
  static constexpr Versions kFlexibleVersions = V("none");

  struct Partition {
    int32_t partition = 0;
    // For fencing: the requester's idea of the current leader epoch.
    int32_t current_leader_epoch = -1;
    // The epoch to find the end offset of.
    int32_t leader_epoch = 0;
    static constexpr auto Fields() {
      using M = Partition;
      return std::tuple{F(&M::partition, "0+"),
                        F(&M::current_leader_epoch, "2+"),
                        F(&M::leader_epoch, "0+")};
    }
  };

  struct Topic {
    std::string topic;
    std::vector<Partition> partitions;
    static constexpr auto Fields() {
      using M = Topic;
      return std::tuple{F(&M::topic, "0+"), F(&M::partitions, "0+")};
    }
  };

  // A follower's broker id, -1 for a consumer. Before v3 (no field) the
  // requester is taken to be -2, a "debug" consumer allowed to see offsets
  // beyond the high watermark, as followers must.
  int32_t replica_id = -2;
  std::vector<Topic> topics;

  static constexpr auto Fields() {
    using M = OffsetForLeaderEpochRequest;
    return std::tuple{F(&M::replica_id, "3+"), F(&M::topics, "0+")};
  }
};

struct OffsetForLeaderEpochResponse {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetForLeaderEpoch;
  static constexpr Versions kVersions = V("0-3");
  static constexpr Versions kFlexibleVersions = V("none");

  struct Partition {
    int16_t error_code = 0;
    int32_t partition = 0;
    // The largest epoch <= the requested one (it may be earlier).
    int32_t leader_epoch = -1;
    int64_t end_offset = 0;
    static constexpr auto Fields() {
      using M = Partition;
      return std::tuple{F(&M::error_code, "0+"), F(&M::partition, "0+"),
                        F(&M::leader_epoch, "1+"), F(&M::end_offset, "0+")};
    }
  };

  struct Topic {
    std::string topic;
    std::vector<Partition> partitions;
    static constexpr auto Fields() {
      using M = Topic;
      return std::tuple{F(&M::topic, "0+"), F(&M::partitions, "0+")};
    }
  };

  int32_t throttle_time_ms = 0;
  std::vector<Topic> topics;

  static constexpr auto Fields() {
    using M = OffsetForLeaderEpochResponse;
    return std::tuple{F(&M::throttle_time_ms, "2+"), F(&M::topics, "0+")};
  }
};

// Encode and Decode for both are compiled once, in offset_for_leader_epoch.cc.
RILL_PROTOCOL_EXTERN_CODEC(OffsetForLeaderEpochRequest);
RILL_PROTOCOL_EXTERN_CODEC(OffsetForLeaderEpochResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_OFFSET_FOR_LEADER_EPOCH_H_
