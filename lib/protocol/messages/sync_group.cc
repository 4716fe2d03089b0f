// Encode and Decode for SyncGroup, instantiated once for the whole build
// (sync_group.h declares them extern).
#include "protocol/messages/sync_group.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(SyncGroupRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(SyncGroupResponse);

}  // namespace rill::protocol
