#include "rill/uuid.h"

#include <cstring>
#include <random>

#include "absl/strings/escaping.h"

namespace rill {
namespace {

// The id Kafka reserves for the metadata topic: zero but for the last bit.
constexpr Uuid kMetadataTopicId = [] {
  Uuid id;
  id.bytes[15] = 1;
  return id;
}();

Uuid Draw() {
  // One generator per thread: no lock, and ids differ across threads.
  thread_local std::mt19937_64 rng{std::random_device{}()};
  Uuid id;
  const uint64_t high = rng();
  const uint64_t low = rng();
  std::memcpy(id.bytes.data(), &high, sizeof(high));
  std::memcpy(id.bytes.data() + sizeof(high), &low, sizeof(low));
  id.bytes[6] = static_cast<uint8_t>((id.bytes[6] & 0x0f) | 0x40);  // v4
  id.bytes[8] = static_cast<uint8_t>((id.bytes[8] & 0x3f) | 0x80);  // RFC 4122
  return id;
}

}  // namespace

Uuid Uuid::Random() {
  for (;;) {
    Uuid id = Draw();
    if (id.IsZero() || id == kMetadataTopicId) continue;
    if (id.ToString().front() == '-') continue;
    return id;
  }
}

std::string Uuid::ToString() const {
  return absl::WebSafeBase64Escape(absl::string_view(
      reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace rill
