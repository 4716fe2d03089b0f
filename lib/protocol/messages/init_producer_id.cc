// Encode and Decode for InitProducerId, instantiated once for the whole build
// (init_producer_id.h declares them extern).
#include "protocol/messages/init_producer_id.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(InitProducerIdRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(InitProducerIdResponse);

}  // namespace rill::protocol
