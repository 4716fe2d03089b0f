// Encode and Decode for DeleteGroups, instantiated once for the whole build
// (delete_groups.h declares them extern).
#include "protocol/messages/delete_groups.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(DeleteGroupsRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(DeleteGroupsResponse);

}  // namespace rill::protocol
