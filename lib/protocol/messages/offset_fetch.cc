// Encode and Decode for OffsetFetch, instantiated once for the whole build
// (offset_fetch.h declares them extern).
#include "protocol/messages/offset_fetch.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(OffsetFetchRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(OffsetFetchResponse);

}  // namespace rill::protocol
