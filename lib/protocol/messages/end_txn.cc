// Encode and Decode for EndTxn, instantiated once for the whole build
// (end_txn.h declares them extern).
#include "protocol/messages/end_txn.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(EndTxnRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(EndTxnResponse);

}  // namespace rill::protocol
