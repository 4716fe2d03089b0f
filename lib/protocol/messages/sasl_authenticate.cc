// Encode and Decode for SaslAuthenticate, instantiated once for the whole build
// (sasl_authenticate.h declares them extern).
#include "protocol/messages/sasl_authenticate.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(SaslAuthenticateRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(SaslAuthenticateResponse);

}  // namespace rill::protocol
