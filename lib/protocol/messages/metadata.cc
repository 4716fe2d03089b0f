// Encode and Decode for Metadata, instantiated once for the whole build
// (metadata.h declares them extern).
#include "protocol/messages/metadata.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(MetadataRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(MetadataResponse);

}  // namespace rill::protocol
