// Encode and Decode for DescribeGroups, instantiated once for the whole build
// (describe_groups.h declares them extern).
#include "protocol/messages/describe_groups.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(DescribeGroupsRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(DescribeGroupsResponse);

}  // namespace rill::protocol
