// Encode and Decode for Produce, instantiated once for the whole build
// (produce.h declares them extern).
#include "protocol/messages/produce.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(ProduceRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(ProduceResponse);

}  // namespace rill::protocol
