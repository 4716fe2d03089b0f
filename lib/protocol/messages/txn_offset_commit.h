// TxnOffsetCommit (key 28): a transactional producer commits consumer
// offsets to the group coordinator as part of its transaction; they become
// visible only when the transaction commits. v2 adds the committed leader
// epoch; v3 (flexible) adds the member's generation, id and instance id so
// the coordinator can fence zombie group members (KIP-447).
#ifndef RILL_PROTOCOL_MESSAGES_TXN_OFFSET_COMMIT_H_
#define RILL_PROTOCOL_MESSAGES_TXN_OFFSET_COMMIT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct TxnOffsetCommitRequest {
  static constexpr ApiKey kApiKey = ApiKey::kTxnOffsetCommit;
  static constexpr Versions kVersions = V("0-3");
  static constexpr Versions kFlexibleVersions = V("3+");

  struct Partition {
    int32_t partition_index = 0;
    int64_t committed_offset = 0;
    int32_t committed_leader_epoch = -1;
    // The schema gives no default, so it is the empty string, as Kafka's.
    std::optional<std::string> committed_metadata = std::string();
    static constexpr auto Fields() {
      using M = Partition;
      return std::tuple{F(&M::partition_index, "0+"),
                        F(&M::committed_offset, "0+"),
                        F(&M::committed_leader_epoch, "2+"),
                        F(&M::committed_metadata, "0+", {.nullable = "0+"})};
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

  std::string transactional_id;
  std::string group_id;
  int64_t producer_id = 0;
  int16_t producer_epoch = 0;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id = std::nullopt;
  std::vector<Topic> topics;

  static constexpr auto Fields() {
    using M = TxnOffsetCommitRequest;
    return std::tuple{F(&M::transactional_id, "0+"),
                      F(&M::group_id, "0+"),
                      F(&M::producer_id, "0+"),
                      F(&M::producer_epoch, "0+"),
                      F(&M::generation_id, "3+"),
                      F(&M::member_id, "3+"),
                      F(&M::group_instance_id, "3+", {.nullable = "3+"}),
                      F(&M::topics, "0+")};
  }
};

struct TxnOffsetCommitResponse {
  static constexpr ApiKey kApiKey = ApiKey::kTxnOffsetCommit;
  static constexpr Versions kVersions = V("0-3");
  static constexpr Versions kFlexibleVersions = V("3+");

  struct Partition {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    static constexpr auto Fields() {
      using M = Partition;
      return std::tuple{F(&M::partition_index, "0+"), F(&M::error_code, "0+")};
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
    using M = TxnOffsetCommitResponse;
    return std::tuple{F(&M::throttle_time_ms, "0+"), F(&M::topics, "0+")};
  }
};

// Encode and Decode for both are compiled once, in txn_offset_commit.cc.
RILL_PROTOCOL_EXTERN_CODEC(TxnOffsetCommitRequest);
RILL_PROTOCOL_EXTERN_CODEC(TxnOffsetCommitResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_TXN_OFFSET_COMMIT_H_
