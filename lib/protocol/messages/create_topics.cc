// Encode and Decode for CreateTopics, instantiated once for the whole build
// (create_topics.h declares them extern).
#include "protocol/messages/create_topics.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(CreateTopicsRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(CreateTopicsResponse);

}  // namespace rill::protocol
