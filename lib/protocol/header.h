// Request and response headers (Kafka's RequestHeader v1/v2 and
// ResponseHeader v0/v1).
//
// Request header: api_key int16, api_version int16, correlation_id int32,
// client_id nullable string — a classic int16-length string even in
// header v2 — and, in v2 (flexible request versions), a tagged-field
// section. Response header: correlation_id, plus tagged fields in v1
// (flexible response versions), except ApiVersions, whose response header
// is always v0 so a client can read it before it knows our versions.
#ifndef RILL_PROTOCOL_HEADER_H_
#define RILL_PROTOCOL_HEADER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"

namespace rill::protocol {

struct RequestHeader {
  int16_t api_key = -1;
  int16_t api_version = -1;
  int32_t correlation_id = 0;
  std::optional<std::string> client_id;
};

// ReadRequestHeader reads the fields every header version shares. A
// flexible request (header v2) then calls SkipTaggedFields.
absl::Status ReadRequestHeader(WireReader& r, RequestHeader* header);

// SkipTaggedFields reads and ignores a tagged-field section (none of the
// header's tags mean anything to a broker).
absl::Status SkipTaggedFields(WireReader& r);

// WriteRequestHeader writes a request header (clients and tests).
void WriteRequestHeader(const RequestHeader& header, bool flexible,
                        WireWriter& w);

// WriteResponseHeader writes correlation_id and, for flexible responses
// other than ApiVersions, an empty tagged-field section.
void WriteResponseHeader(int32_t correlation_id, bool flexible, WireWriter& w);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_HEADER_H_
