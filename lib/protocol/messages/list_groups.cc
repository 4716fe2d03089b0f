// Encode and Decode for ListGroups, instantiated once for the whole build
// (list_groups.h declares them extern).
#include "protocol/messages/list_groups.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(ListGroupsRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(ListGroupsResponse);

}  // namespace rill::protocol
