// Encode and Decode for DeleteRecords, instantiated once for the whole build
// (delete_records.h declares them extern).
#include "protocol/messages/delete_records.h"

#include "protocol/codec.h"

namespace rill::protocol {

RILL_PROTOCOL_INSTANTIATE_CODEC(DeleteRecordsRequest);
RILL_PROTOCOL_INSTANTIATE_CODEC(DeleteRecordsResponse);

}  // namespace rill::protocol
