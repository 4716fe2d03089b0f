// Encode and Decode for JoinGroup, instantiated once for the whole build
// (join_group.h declares them extern).
#include "protocol/messages/join_group.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(JoinGroupRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(JoinGroupResponse);

}  // namespace rill::protocol
