// Encode and Decode for OffsetDelete, instantiated once for the whole build
// (offset_delete.h declares them extern).
#include "protocol/messages/offset_delete.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(OffsetDeleteRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(OffsetDeleteResponse);

}  // namespace rill::protocol
