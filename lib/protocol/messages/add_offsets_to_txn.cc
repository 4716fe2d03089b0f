// Encode and Decode for AddOffsetsToTxn, instantiated once for the whole build
// (add_offsets_to_txn.h declares them extern).
#include "protocol/messages/add_offsets_to_txn.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(AddOffsetsToTxnRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(AddOffsetsToTxnResponse);

}  // namespace rill::protocol
