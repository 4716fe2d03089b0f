#include "group/java_hash.h"

namespace rill::group {
namespace {

constexpr uint32_t kReplacement = 0xFFFD;

// DecodeOne reads one code point from the front of `s` (advancing it).
uint32_t DecodeOne(std::string_view* s) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>((*s)[i]); };
  const uint8_t b0 = byte(0);
  size_t len = 0;
  uint32_t cp = 0;
  uint32_t min = 0;
  if (b0 < 0x80) {
    s->remove_prefix(1);
    return b0;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    s->remove_prefix(1);
    return kReplacement;
  }
  if (s->size() < len) {
    s->remove_prefix(1);
    return kReplacement;
  }
  for (size_t i = 1; i < len; ++i) {
    if ((byte(i) & 0xC0) != 0x80) {
      s->remove_prefix(1);
      return kReplacement;
    }
    cp = (cp << 6) | (byte(i) & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are malformed too.
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    s->remove_prefix(1);
    return kReplacement;
  }
  s->remove_prefix(len);
  return cp;
}

}  // namespace

int32_t JavaStringHashCode(std::string_view utf8) {
  uint32_t h = 0;  // unsigned: Java's int overflow wraps, C++'s would be UB
  const auto mix = [&h](uint32_t unit) { h = h * 31 + unit; };
  while (!utf8.empty()) {
    const uint32_t cp = DecodeOne(&utf8);
    if (cp >= 0x10000) {
      const uint32_t v = cp - 0x10000;
      mix(0xD800 + (v >> 10));
      mix(0xDC00 + (v & 0x3FF));
    } else {
      mix(cp);
    }
  }
  return static_cast<int32_t>(h);
}

}  // namespace rill::group
