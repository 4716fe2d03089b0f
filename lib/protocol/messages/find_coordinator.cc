// Encode and Decode for FindCoordinator, instantiated once for the whole build
// (find_coordinator.h declares them extern).
#include "protocol/messages/find_coordinator.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(FindCoordinatorRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(FindCoordinatorResponse);

}  // namespace rill::protocol
