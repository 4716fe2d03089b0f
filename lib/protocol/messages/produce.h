// Produce (key 0): append record batches to partitions. From v3 each
// partition carries exactly one RecordBatch v2 (magic 2); v7 allows zstd.
// The records are a view into the request frame, so the broker can assign
// offsets in place. With acks = 0 the broker sends no response at all.
#ifndef RILL_PROTOCOL_MESSAGES_PRODUCE_H_
#define RILL_PROTOCOL_MESSAGES_PRODUCE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct ProduceRequest {
  static constexpr ApiKey kApiKey = ApiKey::kProduce;
  // v0-2 carry the old message formats, which the broker refuses; they are
  // advertised because librdkafka 2.0 only compresses when the broker
  // claims Produce v0 (it checks support for the old formats by it).
  static constexpr Versions kVersions = V("0-7");
  static constexpr Versions kFlexibleVersions = V("none");

  struct PartitionData {
    int32_t index = 0;
    Records records;
    static constexpr auto Fields() {
      using M = PartitionData;
      return std::tuple{F(&M::index, "0+"),
                        F(&M::records, "0+", {.nullable = "0+"})};
    }
  };

  struct TopicData {
    std::string name;
    std::vector<PartitionData> partition_data;
    static constexpr auto Fields() {
      using M = TopicData;
      return std::tuple{F(&M::name, "0+"), F(&M::partition_data, "0+")};
    }
  };

  // Null unless the producer is transactional.
  std::optional<std::string> transactional_id = std::nullopt;
  // 0: no response; 1: the leader's write; -1: the full ISR.
  int16_t acks = 0;
  int32_t timeout_ms = 0;
  std::vector<TopicData> topic_data;

  static constexpr auto Fields() {
    using M = ProduceRequest;
    return std::tuple{F(&M::transactional_id, "3+", {.nullable = "3+"}),
                      F(&M::acks, "0+"), F(&M::timeout_ms, "0+"),
                      F(&M::topic_data, "0+")};
  }
};

struct ProduceResponse {
  static constexpr ApiKey kApiKey = ApiKey::kProduce;
  static constexpr Versions kVersions = V("0-7");
  static constexpr Versions kFlexibleVersions = V("none");

  struct PartitionResponse {
    int32_t index = 0;
    int16_t error_code = 0;
    int64_t base_offset = 0;
    // -1 unless the topic uses LogAppendTime.
    int64_t log_append_time_ms = -1;
    int64_t log_start_offset = -1;
    static constexpr auto Fields() {
      using M = PartitionResponse;
      return std::tuple{
          F(&M::index, "0+"), F(&M::error_code, "0+"), F(&M::base_offset, "0+"),
          F(&M::log_append_time_ms, "2+"), F(&M::log_start_offset, "5+")};
    }
  };

  struct TopicResponse {
    std::string name;
    std::vector<PartitionResponse> partition_responses;
    static constexpr auto Fields() {
      using M = TopicResponse;
      return std::tuple{F(&M::name, "0+"), F(&M::partition_responses, "0+")};
    }
  };

  std::vector<TopicResponse> responses;
  int32_t throttle_time_ms = 0;

  static constexpr auto Fields() {
    using M = ProduceResponse;
    return std::tuple{F(&M::responses, "0+"), F(&M::throttle_time_ms, "1+")};
  }
};

// Encode and Decode for both are compiled once, in produce.cc.
RILL_PROTOCOL_EXTERN_CODEC(ProduceRequest);
RILL_PROTOCOL_EXTERN_CODEC(ProduceResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_PRODUCE_H_
