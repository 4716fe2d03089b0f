// Encode and Decode for AddPartitionsToTxn, instantiated once for the whole
// build (add_partitions_to_txn.h declares them extern).
#include "protocol/messages/add_partitions_to_txn.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(AddPartitionsToTxnRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(AddPartitionsToTxnResponse);

}  // namespace rill::protocol
