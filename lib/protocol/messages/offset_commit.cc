// Encode and Decode for OffsetCommit, instantiated once for the whole build
// (offset_commit.h declares them extern).
#include "protocol/messages/offset_commit.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(OffsetCommitRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(OffsetCommitResponse);

}  // namespace rill::protocol
