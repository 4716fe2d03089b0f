// Encode and Decode for SaslHandshake, instantiated once for the whole build
// (sasl_handshake.h declares them extern).
#include "protocol/messages/sasl_handshake.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(SaslHandshakeRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(SaslHandshakeResponse);

}  // namespace rill::protocol
