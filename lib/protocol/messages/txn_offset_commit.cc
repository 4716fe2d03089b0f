// Encode and Decode for TxnOffsetCommit, instantiated once for the whole build
// (txn_offset_commit.h declares them extern).
#include "protocol/messages/txn_offset_commit.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(TxnOffsetCommitRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(TxnOffsetCommitResponse);

}  // namespace rill::protocol
