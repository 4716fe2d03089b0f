// DeleteRecords (key 21): advance partitions' log start offsets, making
// the records before them unreadable (offset -1: up to the high
// watermark). Answers each partition's new low watermark. v1 only changes
// throttling behaviour.
#ifndef RILL_PROTOCOL_MESSAGES_DELETE_RECORDS_H_
#define RILL_PROTOCOL_MESSAGES_DELETE_RECORDS_H_

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct DeleteRecordsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kDeleteRecords;
  static constexpr Versions kVersions = V("0-1");
  static constexpr Versions kFlexibleVersions = V("none");

  struct Partition {
    int32_t partition_index = 0;
    // Delete the records before this offset; -1: the high watermark.
    int64_t offset = 0;

    bool operator==(const Partition&) const = default;
    static constexpr auto Fields() {
      using M = Partition;
      return std::tuple{F(&M::partition_index, "0+"), F(&M::offset, "0+")};
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

  std::vector<Topic> topics;
  int32_t timeout_ms = 0;

  bool operator==(const DeleteRecordsRequest&) const = default;
  static constexpr auto Fields() {
    using M = DeleteRecordsRequest;
    return std::tuple{F(&M::topics, "0+"), F(&M::timeout_ms, "0+")};
  }
};

struct DeleteRecordsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kDeleteRecords;
  static constexpr Versions kVersions = V("0-1");
  static constexpr Versions kFlexibleVersions = V("none");

  struct PartitionResult {
    int32_t partition_index = 0;
    int64_t low_watermark = 0;
    int16_t error_code = 0;

    bool operator==(const PartitionResult&) const = default;
    static constexpr auto Fields() {
      using M = PartitionResult;
      return std::tuple{F(&M::partition_index, "0+"),
                        F(&M::low_watermark, "0+"), F(&M::error_code, "0+")};
    }
  };

  struct TopicResult {
    std::string name;
    std::vector<PartitionResult> partitions;

    bool operator==(const TopicResult&) const = default;
    static constexpr auto Fields() {
      using M = TopicResult;
      return std::tuple{F(&M::name, "0+"), F(&M::partitions, "0+")};
    }
  };

  int32_t throttle_time_ms = 0;
  std::vector<TopicResult> topics;

  bool operator==(const DeleteRecordsResponse&) const = default;
  static constexpr auto Fields() {
    using M = DeleteRecordsResponse;
    return std::tuple{F(&M::throttle_time_ms, "0+"), F(&M::topics, "0+")};
  }
};

// Encode and Decode for both are compiled once, in delete_records.cc.
RILL_PROTOCOL_EXTERN_CODEC(DeleteRecordsRequest);
RILL_PROTOCOL_EXTERN_CODEC(DeleteRecordsResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_DELETE_RECORDS_H_
