// Encode and Decode for OffsetForLeaderEpoch, instantiated once for the whole
// build (offset_for_leader_epoch.h declares them extern).
#include "protocol/messages/offset_for_leader_epoch.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(OffsetForLeaderEpochRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(OffsetForLeaderEpochResponse);

}  // namespace rill::protocol
