// Fetch (key 1): read record batches from partitions, from consumers and
// (replica_id >= 0) from follower brokers. The broker may hold the request
// until min_bytes are available or max_wait_ms passes. v7 adds fetch
// sessions (KIP-227; we answer sessionless, id 0), v11 the client's rack and
// the preferred read replica (KIP-392). Response records are sent from the
// stored batches by reference (Records::slices), never re-encoded.
#ifndef RILL_PROTOCOL_MESSAGES_FETCH_H_
#define RILL_PROTOCOL_MESSAGES_FETCH_H_

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct FetchRequest {
  static constexpr ApiKey kApiKey = ApiKey::kFetch;
  static constexpr Versions kVersions = V("4-11");
  static constexpr Versions kFlexibleVersions = V("none");

  struct FetchPartition {
    int32_t partition = 0;
    int32_t current_leader_epoch = -1;
    int64_t fetch_offset = 0;
    // Only followers send a log start offset.
    int64_t log_start_offset = -1;
    int32_t partition_max_bytes = 0;
    static constexpr auto Fields() {
      using M = FetchPartition;
      return std::tuple{
          F(&M::partition, "0+"), F(&M::current_leader_epoch, "9+"),
          F(&M::fetch_offset, "0+"), F(&M::log_start_offset, "5+"),
          F(&M::partition_max_bytes, "0+")};
    }
  };

  struct FetchTopic {
    std::string topic;
    std::vector<FetchPartition> partitions;
    static constexpr auto Fields() {
      using M = FetchTopic;
      return std::tuple{F(&M::topic, "0+"), F(&M::partitions, "0+")};
    }
  };

  // In an incremental fetch, partitions to drop from the session.
  struct ForgottenTopic {
    std::string topic;
    std::vector<int32_t> partitions;
    static constexpr auto Fields() {
      using M = ForgottenTopic;
      return std::tuple{F(&M::topic, "7+"), F(&M::partitions, "7+")};
    }
  };

  // -1 for a consumer; a follower sends its broker id.
  int32_t replica_id = -1;
  int32_t max_wait_ms = 0;
  int32_t min_bytes = 0;
  int32_t max_bytes = 0x7fffffff;
  // 0 read_uncommitted, 1 read_committed (only below the LSO).
  int8_t isolation_level = 0;
  int32_t session_id = 0;
  int32_t session_epoch = -1;
  std::vector<FetchTopic> topics;
  std::vector<ForgottenTopic> forgotten_topics_data;
  std::string rack_id;

  static constexpr auto Fields() {
    using M = FetchRequest;
    return std::tuple{F(&M::replica_id, "0+"),
                      F(&M::max_wait_ms, "0+"),
                      F(&M::min_bytes, "0+"),
                      F(&M::max_bytes, "3+"),
                      F(&M::isolation_level, "4+"),
                      F(&M::session_id, "7+"),
                      F(&M::session_epoch, "7+"),
                      F(&M::topics, "0+"),
                      F(&M::forgotten_topics_data, "7+"),
                      F(&M::rack_id, "11+")};
  }
};

struct FetchResponse {
  static constexpr ApiKey kApiKey = ApiKey::kFetch;
  static constexpr Versions kVersions = V("4-11");
  static constexpr Versions kFlexibleVersions = V("none");

  struct AbortedTransaction {
    int64_t producer_id = 0;
    int64_t first_offset = 0;
    static constexpr auto Fields() {
      using M = AbortedTransaction;
      return std::tuple{F(&M::producer_id, "4+"), F(&M::first_offset, "4+")};
    }
  };

  struct PartitionData {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    int64_t high_watermark = 0;
    int64_t last_stable_offset = -1;
    int64_t log_start_offset = -1;
    // Null or empty when there are none (read_uncommitted fetches).
    std::optional<std::vector<AbortedTransaction>> aborted_transactions =
        std::vector<AbortedTransaction>{};
    int32_t preferred_read_replica = -1;
    Records records;
    static constexpr auto Fields() {
      using M = PartitionData;
      return std::tuple{F(&M::partition_index, "0+"),
                        F(&M::error_code, "0+"),
                        F(&M::high_watermark, "0+"),
                        F(&M::last_stable_offset, "4+"),
                        F(&M::log_start_offset, "5+"),
                        F(&M::aborted_transactions, "4+", {.nullable = "4+"}),
                        F(&M::preferred_read_replica, "11+"),
                        F(&M::records, "0+", {.nullable = "0+"})};
    }
  };

  struct FetchableTopic {
    std::string topic;
    std::vector<PartitionData> partitions;
    static constexpr auto Fields() {
      using M = FetchableTopic;
      return std::tuple{F(&M::topic, "0+"), F(&M::partitions, "0+")};
    }
  };

  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  int32_t session_id = 0;
  std::vector<FetchableTopic> responses;

  static constexpr auto Fields() {
    using M = FetchResponse;
    return std::tuple{F(&M::throttle_time_ms, "1+"), F(&M::error_code, "7+"),
                      F(&M::session_id, "7+"), F(&M::responses, "0+")};
  }
};

// Encode and Decode for both are compiled once, in fetch.cc.
RILL_PROTOCOL_EXTERN_CODEC(FetchRequest);
RILL_PROTOCOL_EXTERN_CODEC(FetchResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_FETCH_H_
