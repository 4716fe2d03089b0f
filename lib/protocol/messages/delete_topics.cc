// Encode and Decode for DeleteTopics, instantiated once for the whole build
// (delete_topics.h declares them extern).
#include "protocol/messages/delete_topics.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(DeleteTopicsRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(DeleteTopicsResponse);

}  // namespace rill::protocol
