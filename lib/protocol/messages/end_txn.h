// EndTxn (key 26): commit or abort a transaction. The coordinator records
// the decision, then writes a COMMIT or ABORT control batch to every
// partition the transaction touched (offsets partitions included).
#ifndef RILL_PROTOCOL_MESSAGES_END_TXN_H_
#define RILL_PROTOCOL_MESSAGES_END_TXN_H_

#include <cstdint>
#include <string>
#include <tuple>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct EndTxnRequest {
  static constexpr ApiKey kApiKey = ApiKey::kEndTxn;
  static constexpr Versions kVersions = V("0-1");
  static constexpr Versions kFlexibleVersions = V("none");

  std::string transactional_id;
  int64_t producer_id = 0;
  int16_t producer_epoch = 0;
  // True to commit, false to abort.
  bool committed = false;

  static constexpr auto Fields() {
    using M = EndTxnRequest;
    return std::tuple{F(&M::transactional_id, "0+"), F(&M::producer_id, "0+"),
                      F(&M::producer_epoch, "0+"), F(&M::committed, "0+")};
  }
};

struct EndTxnResponse {
  static constexpr ApiKey kApiKey = ApiKey::kEndTxn;
  static constexpr Versions kVersions = V("0-1");
  static constexpr Versions kFlexibleVersions = V("none");

  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;

  static constexpr auto Fields() {
    using M = EndTxnResponse;
    return std::tuple{F(&M::throttle_time_ms, "0+"), F(&M::error_code, "0+")};
  }
};

// Encode and Decode for both are compiled once, in end_txn.cc.
RILL_PROTOCOL_EXTERN_CODEC(EndTxnRequest);
RILL_PROTOCOL_EXTERN_CODEC(EndTxnResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_END_TXN_H_
