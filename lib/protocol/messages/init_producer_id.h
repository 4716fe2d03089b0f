// InitProducerId (key 22): a producer id and epoch for an idempotent or
// transactional producer. With a transactional id it fences older instances
// (bumping the epoch) and aborts their open transaction; v3 lets a producer
// name its current id and epoch to resume after INVALID_PRODUCER_EPOCH.
// librdkafka enables idempotence only when the range includes v0. v2+ is
// flexible.
#ifndef RILL_PROTOCOL_MESSAGES_INIT_PRODUCER_ID_H_
#define RILL_PROTOCOL_MESSAGES_INIT_PRODUCER_ID_H_

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct InitProducerIdRequest {
  static constexpr ApiKey kApiKey = ApiKey::kInitProducerId;
  static constexpr Versions kVersions = V("0-4");
  static constexpr Versions kFlexibleVersions = V("2+");

  // Null for an idempotent, non-transactional producer. (The schema gives
  // no default, so it is the empty string, as Kafka's own.)
  std::optional<std::string> transactional_id = std::string();
  int32_t transaction_timeout_ms = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;

  static constexpr auto Fields() {
    using M = InitProducerIdRequest;
    return std::tuple{F(&M::transactional_id, "0+", {.nullable = "0+"}),
                      F(&M::transaction_timeout_ms, "0+"),
                      F(&M::producer_id, "3+"), F(&M::producer_epoch, "3+")};
  }
};

struct InitProducerIdResponse {
  static constexpr ApiKey kApiKey = ApiKey::kInitProducerId;
  static constexpr Versions kVersions = V("0-4");
  static constexpr Versions kFlexibleVersions = V("2+");

  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = 0;

  static constexpr auto Fields() {
    using M = InitProducerIdResponse;
    return std::tuple{F(&M::throttle_time_ms, "0+"), F(&M::error_code, "0+"),
                      F(&M::producer_id, "0+"), F(&M::producer_epoch, "0+")};
  }
};

// Encode and Decode for both are compiled once, in init_producer_id.cc.
RILL_PROTOCOL_EXTERN_CODEC(InitProducerIdRequest);
RILL_PROTOCOL_EXTERN_CODEC(InitProducerIdResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_INIT_PRODUCER_ID_H_
