// Encode and Decode for CreatePartitions, instantiated once for the whole build
// (create_partitions.h declares them extern).
#include "protocol/messages/create_partitions.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(CreatePartitionsRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(CreatePartitionsResponse);

}  // namespace rill::protocol
