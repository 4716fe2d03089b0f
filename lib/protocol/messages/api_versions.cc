// Encode and Decode for ApiVersions, instantiated once for the whole build
// (api_versions.h declares them extern).
#include "protocol/messages/api_versions.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(ApiVersionsRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(ApiVersionsResponse);

}  // namespace rill::protocol
