// rill/uuid.h — Kafka's 128-bit ids (topic ids, and later cluster and
// directory ids).
//
//   rill::Uuid id = rill::Uuid::Random();
//   std::string text = id.ToString();   // "pLnKzW3TR-u7x0ZyJ0aVZw"
#ifndef RILL_UUID_H_
#define RILL_UUID_H_

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <utility>

namespace rill {

// Uuid is 16 bytes, compared and hashed by value. The zero Uuid means
// "none", as Kafka's Uuid.ZERO_UUID does. Plain value.
struct Uuid {
  std::array<uint8_t, 16> bytes = {};

  // Random returns a random (version 4) Uuid that is usable as an id: not
  // zero, not Kafka's reserved METADATA_TOPIC_ID (1), and not one whose text
  // starts with '-' (Kafka avoids those so command lines don't read them as
  // flags). Thread-safe.
  static Uuid Random();

  bool IsZero() const { return *this == Uuid{}; }

  // ToString gives Kafka's text form: URL-safe base64, no padding.
  std::string ToString() const;

  friend bool operator==(const Uuid&, const Uuid&) = default;
  friend auto operator<=>(const Uuid&, const Uuid&) = default;

  template <typename H>
  friend H AbslHashValue(H h, const Uuid& id) {
    return H::combine(std::move(h), id.bytes);
  }
};

}  // namespace rill

#endif  // RILL_UUID_H_
