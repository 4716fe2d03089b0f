// Encode and Decode for DescribeConfigs, instantiated once for the whole build
// (describe_configs.h declares them extern).
#include "protocol/messages/describe_configs.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(DescribeConfigsRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(DescribeConfigsResponse);

}  // namespace rill::protocol
