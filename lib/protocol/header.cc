#include "protocol/header.h"

namespace rill::protocol {

absl::Status ReadRequestHeader(WireReader& r, RequestHeader* header) {
  header->api_key = r.Fixed<int16_t>();
  header->api_version = r.Fixed<int16_t>();
  header->correlation_id = r.Fixed<int32_t>();
  const int16_t length = r.Fixed<int16_t>();
  if (length >= 0) {
    std::span<char> id = r.Take(static_cast<size_t>(length));
    header->client_id.emplace(id.data(), id.size());
  } else if (length == -1) {
    header->client_id.reset();
  } else {
    r.Fail("negative client_id length");
  }
  return r.status();
}

absl::Status SkipTaggedFields(WireReader& r) {
  const uint32_t count = r.UnsignedVarint();
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    (void)r.UnsignedVarint();  // tag
    const uint32_t size = r.UnsignedVarint();
    (void)r.Take(size);
  }
  return r.status();
}

void WriteRequestHeader(const RequestHeader& header, bool flexible,
                        WireWriter& w) {
  w.Fixed<int16_t>(header.api_key);
  w.Fixed<int16_t>(header.api_version);
  w.Fixed<int32_t>(header.correlation_id);
  if (header.client_id.has_value()) {
    w.Fixed<int16_t>(static_cast<int16_t>(header.client_id->size()));
    w.Append(*header.client_id);
  } else {
    w.Fixed<int16_t>(-1);
  }
  if (flexible) w.UnsignedVarint(0);
}

void WriteResponseHeader(int32_t correlation_id, bool flexible, WireWriter& w) {
  w.Fixed<int32_t>(correlation_id);
  if (flexible) w.UnsignedVarint(0);
}

}  // namespace rill::protocol
