#include "client/murmur2.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rill::client {

int32_t Murmur2(std::string_view data) {
  // Unsigned arithmetic: Java's int overflow wraps, C++'s signed overflow is
  // undefined. The bit patterns are the same.
  constexpr uint32_t kSeed = 0x9747b28c;
  constexpr uint32_t kM = 0x5bd1e995;
  constexpr int kR = 24;
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  const size_t length = data.size();

  // Java takes the length as an int; keys are far below 2^31 bytes.
  uint32_t h = kSeed ^ static_cast<uint32_t>(length);
  const size_t words = length / 4;
  for (size_t i = 0; i < words; ++i) {
    const unsigned char* w = bytes + 4 * i;
    uint32_t k = uint32_t{w[0]} | (uint32_t{w[1]} << 8) |
                 (uint32_t{w[2]} << 16) | (uint32_t{w[3]} << 24);
    k *= kM;
    k ^= k >> kR;
    k *= kM;
    h *= kM;
    h ^= k;
  }

  const unsigned char* tail = bytes + 4 * words;
  switch (length % 4) {
    case 3:
      h ^= uint32_t{tail[2]} << 16;
      [[fallthrough]];
    case 2:
      h ^= uint32_t{tail[1]} << 8;
      [[fallthrough]];
    case 1:
      h ^= uint32_t{tail[0]};
      h *= kM;
      break;
    default:
      break;
  }

  h ^= h >> 13;
  h *= kM;
  h ^= h >> 15;
  return static_cast<int32_t>(h);
}

}  // namespace rill::client
