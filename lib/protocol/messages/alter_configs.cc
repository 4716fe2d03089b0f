// Encode and Decode for AlterConfigs, instantiated once for the whole build
// (alter_configs.h declares them extern).
#include "protocol/messages/alter_configs.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(AlterConfigsRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(AlterConfigsResponse);

}  // namespace rill::protocol
