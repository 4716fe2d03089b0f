// Encode and Decode for ListOffsets, instantiated once for the whole build
// (list_offsets.h declares them extern).
#include "protocol/messages/list_offsets.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(ListOffsetsRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(ListOffsetsResponse);

}  // namespace rill::protocol
