// Version ranges, written as Kafka's message schemas write them.
//
// A field's presence, nullability and taggedness each hold for a range of
// message versions: "3+" (3 and later), "0-2", "5" (only 5), "none".
// Ranges are parsed at compile time, so a message's field table reads like
// its schema and a typo is a compile error, not a wire bug.
#ifndef RILL_PROTOCOL_VERSIONS_H_
#define RILL_PROTOCOL_VERSIONS_H_

#include <cstdint>
#include <string_view>

namespace rill::protocol {

inline constexpr int16_t kMaxVersion = INT16_MAX;

// Versions is an inclusive range [min, max]; empty when min > max.
struct Versions {
  int16_t min = 0;
  int16_t max = kMaxVersion;

  constexpr bool Contains(int16_t v) const { return v >= min && v <= max; }
  constexpr bool empty() const { return min > max; }
  // Intersect is the range both cover.
  constexpr Versions Intersect(Versions other) const {
    return {min > other.min ? min : other.min,
            max < other.max ? max : other.max};
  }
  constexpr bool operator==(const Versions&) const = default;
};

inline constexpr Versions kNoVersions = {1, 0};

namespace internal {
constexpr int16_t ParseVersionNumber(std::string_view s) {
  if (s.empty()) throw "empty version number";
  int value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') throw "bad character in version range";
    value = value * 10 + (c - '0');
    if (value > kMaxVersion) throw "version number too large";
  }
  return static_cast<int16_t>(value);
}
}  // namespace internal

// V parses "N+", "N-M", "N" or "none". In a constant expression (every
// field table), a malformed range fails to compile.
constexpr Versions V(std::string_view spec) {
  if (spec == "none") return kNoVersions;
  if (!spec.empty() && spec.back() == '+') {
    return {internal::ParseVersionNumber(spec.substr(0, spec.size() - 1)),
            kMaxVersion};
  }
  const size_t dash = spec.find('-');
  if (dash == std::string_view::npos) {
    const int16_t v = internal::ParseVersionNumber(spec);
    return {v, v};
  }
  return {internal::ParseVersionNumber(spec.substr(0, dash)),
          internal::ParseVersionNumber(spec.substr(dash + 1))};
}

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_VERSIONS_H_
