// Encode and Decode for Heartbeat, instantiated once for the whole build
// (heartbeat.h declares them extern).
#include "protocol/messages/heartbeat.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(HeartbeatRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(HeartbeatResponse);

}  // namespace rill::protocol
