// AddOffsetsToTxn (key 25): a transactional producer tells its transaction
// coordinator that the transaction will commit offsets for a consumer
// group (sent before TxnOffsetCommit to the group's coordinator), so the
// group's offsets partition gets the transaction's markers too.
#ifndef RILL_PROTOCOL_MESSAGES_ADD_OFFSETS_TO_TXN_H_
#define RILL_PROTOCOL_MESSAGES_ADD_OFFSETS_TO_TXN_H_

#include <cstdint>
#include <string>
#include <tuple>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct AddOffsetsToTxnRequest {
  static constexpr ApiKey kApiKey = ApiKey::kAddOffsetsToTxn;
  static constexpr Versions kVersions = V("0-1");
  static constexpr Versions kFlexibleVersions = V("none");

  std::string transactional_id;
  int64_t producer_id = 0;
  int16_t producer_epoch = 0;
  std::string group_id;

  static constexpr auto Fields() {
    using M = AddOffsetsToTxnRequest;
    return std::tuple{F(&M::transactional_id, "0+"), F(&M::producer_id, "0+"),
                      F(&M::producer_epoch, "0+"), F(&M::group_id, "0+")};
  }
};

struct AddOffsetsToTxnResponse {
  static constexpr ApiKey kApiKey = ApiKey::kAddOffsetsToTxn;
  static constexpr Versions kVersions = V("0-1");
  static constexpr Versions kFlexibleVersions = V("none");

  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;

  static constexpr auto Fields() {
    using M = AddOffsetsToTxnResponse;
    return std::tuple{F(&M::throttle_time_ms, "0+"), F(&M::error_code, "0+")};
  }
};

// Encode and Decode for both are compiled once, in add_offsets_to_txn.cc.
RILL_PROTOCOL_EXTERN_CODEC(AddOffsetsToTxnRequest);
RILL_PROTOCOL_EXTERN_CODEC(AddOffsetsToTxnResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_ADD_OFFSETS_TO_TXN_H_
