// ListOffsets (key 2): the offset for a timestamp per partition, with -1
// meaning the latest offset (the high watermark, or the LSO for
// read_committed) and -2 the earliest. v0 is different: it asks for up to
// max_num_offsets offsets before the timestamp and gets them back as an
// array (old_style_offsets); v1 returns one offset with its timestamp.
#ifndef RILL_PROTOCOL_MESSAGES_LIST_OFFSETS_H_
#define RILL_PROTOCOL_MESSAGES_LIST_OFFSETS_H_

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct ListOffsetsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kListOffsets;
  static constexpr Versions kVersions = V("0-3");
  static constexpr Versions kFlexibleVersions = V("none");

  struct Partition {
    int32_t partition_index = 0;
    // A time in ms, or -1 (latest) / -2 (earliest).
    int64_t timestamp = 0;
    int32_t max_num_offsets = 1;
    static constexpr auto Fields() {
      using M = Partition;
      return std::tuple{F(&M::partition_index, "0+"), F(&M::timestamp, "0+"),
                        F(&M::max_num_offsets, "0")};
    }
  };

  struct Topic {
    std::string name;
    std::vector<Partition> partitions;
    static constexpr auto Fields() {
      using M = Topic;
      return std::tuple{F(&M::name, "0+"), F(&M::partitions, "0+")};
    }
  };

  // -1 for a consumer; a follower sends its broker id.
  int32_t replica_id = 0;
  // 0 read_uncommitted, 1 read_committed.
  int8_t isolation_level = 0;
  std::vector<Topic> topics;

  static constexpr auto Fields() {
    using M = ListOffsetsRequest;
    return std::tuple{F(&M::replica_id, "0+"), F(&M::isolation_level, "2+"),
                      F(&M::topics, "0+")};
  }
};

struct ListOffsetsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kListOffsets;
  static constexpr Versions kVersions = V("0-3");
  static constexpr Versions kFlexibleVersions = V("none");

  struct Partition {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    // v0 only: offsets in descending order.
    std::vector<int64_t> old_style_offsets;
    int64_t timestamp = -1;
    int64_t offset = -1;
    static constexpr auto Fields() {
      using M = Partition;
      return std::tuple{F(&M::partition_index, "0+"), F(&M::error_code, "0+"),
                        F(&M::old_style_offsets, "0"), F(&M::timestamp, "1+"),
                        F(&M::offset, "1+")};
    }
  };

  struct Topic {
    std::string name;
    std::vector<Partition> partitions;
    static constexpr auto Fields() {
      using M = Topic;
      return std::tuple{F(&M::name, "0+"), F(&M::partitions, "0+")};
    }
  };

  int32_t throttle_time_ms = 0;
  std::vector<Topic> topics;

  static constexpr auto Fields() {
    using M = ListOffsetsResponse;
    return std::tuple{F(&M::throttle_time_ms, "2+"), F(&M::topics, "0+")};
  }
};

// Encode and Decode for both are compiled once, in list_offsets.cc.
RILL_PROTOCOL_EXTERN_CODEC(ListOffsetsRequest);
RILL_PROTOCOL_EXTERN_CODEC(ListOffsetsResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_LIST_OFFSETS_H_
