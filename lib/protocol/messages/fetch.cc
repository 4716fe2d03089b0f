// Encode and Decode for Fetch, instantiated once for the whole build
// (fetch.h declares them extern).
#include "protocol/messages/fetch.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(FetchRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(FetchResponse);

}  // namespace rill::protocol
