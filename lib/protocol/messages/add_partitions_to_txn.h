// AddPartitionsToTxn (key 24): a transactional producer registers the
// partitions it is about to write, before its first produce to each, so the
// coordinator knows where to write the COMMIT/ABORT markers. v0 and v1 are
// the same (v1 responses come before throttling). Kafka's later versions
// (4+, broker-to-broker batches) rename these fields; we speak 0-1 only.
#ifndef RILL_PROTOCOL_MESSAGES_ADD_PARTITIONS_TO_TXN_H_
#define RILL_PROTOCOL_MESSAGES_ADD_PARTITIONS_TO_TXN_H_

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct AddPartitionsToTxnRequest {
  static constexpr ApiKey kApiKey = ApiKey::kAddPartitionsToTxn;
  static constexpr Versions kVersions = V("0-1");
  static constexpr Versions kFlexibleVersions = V("none");

  struct Topic {
    std::string name;
    std::vector<int32_t> partitions;
    static constexpr auto Fields() {
      using M = Topic;
      return std::tuple{F(&M::name, "0+"), F(&M::partitions, "0+")};
    }
  };

  std::string transactional_id;
  int64_t producer_id = 0;
  int16_t producer_epoch = 0;
  std::vector<Topic> topics;

  static constexpr auto Fields() {
    using M = AddPartitionsToTxnRequest;
    return std::tuple{F(&M::transactional_id, "0+"), F(&M::producer_id, "0+"),
                      F(&M::producer_epoch, "0+"), F(&M::topics, "0+")};
  }
};

struct AddPartitionsToTxnResponse {
  static constexpr ApiKey kApiKey = ApiKey::kAddPartitionsToTxn;
  static constexpr Versions kVersions = V("0-1");
  static constexpr Versions kFlexibleVersions = V("none");

  struct PartitionResult {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    static constexpr auto Fields() {
      using M = PartitionResult;
      return std::tuple{F(&M::partition_index, "0+"), F(&M::error_code, "0+")};
    }
  };

  struct TopicResult {
    std::string name;
    std::vector<PartitionResult> results;
    static constexpr auto Fields() {
      using M = TopicResult;
      return std::tuple{F(&M::name, "0+"), F(&M::results, "0+")};
    }
  };

  int32_t throttle_time_ms = 0;
  std::vector<TopicResult> results;

  static constexpr auto Fields() {
    using M = AddPartitionsToTxnResponse;
    return std::tuple{F(&M::throttle_time_ms, "0+"), F(&M::results, "0+")};
  }
};

// Encode and Decode for both are compiled once, in add_partitions_to_txn.cc.
RILL_PROTOCOL_EXTERN_CODEC(AddPartitionsToTxnRequest);
RILL_PROTOCOL_EXTERN_CODEC(AddPartitionsToTxnResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_ADD_PARTITIONS_TO_TXN_H_
