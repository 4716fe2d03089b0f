// Encode and Decode for LeaveGroup, instantiated once for the whole build
// (leave_group.h declares them extern).
#include "protocol/messages/leave_group.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(LeaveGroupRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(LeaveGroupResponse);

}  // namespace rill::protocol
