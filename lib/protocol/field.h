// The vocabulary of message definitions: field descriptors and the wire
// types that have no plain C++ equivalent.
//
// A message is a struct whose data members are its fields, plus a static
// Fields() table that says, per member, in which versions it is on the wire
// and how (Kafka's "versions", "nullableVersions", "tag"). The C++ type
// picks the wire type:
//
//   bool, int8_t .. int64_t, uint16_t, double   BOOLEAN, INT8 .. FLOAT64
//   std::string / std::optional<std::string>    STRING / NULLABLE_STRING
//   Bytes / std::optional<Bytes>                BYTES / NULLABLE_BYTES
//   Records                                     RECORDS (nullable bytes)
//   Uuid                                        UUID
//   std::vector<T> / std::optional<vector<T>>   ARRAY / nullable ARRAY
//   a struct with Fields()                      a nested struct
//
// In flexible versions strings, bytes and arrays take their compact forms
// and every struct ends with a tagged-field section (codec.h).
//
//   struct Topic {
//     std::string name;
//     std::vector<int32_t> partitions;
//     std::optional<std::string> rack;
//     static constexpr auto Fields() {
//       return std::tuple{F(&Topic::name, "0+"),
//                         F(&Topic::partitions, "0+"),
//                         F(&Topic::rack, "2+", {.nullable = "2+"})};
//     }
//   };
#ifndef RILL_PROTOCOL_FIELD_H_
#define RILL_PROTOCOL_FIELD_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "protocol/versions.h"
#include "rill/log/log.h"

namespace rill::protocol {

// Bytes is a BYTES field (distinct from a STRING field's std::string).
struct Bytes {
  std::string data;
  bool operator==(const Bytes&) const = default;
};

// Records is a RECORDS field: record batches. Decoded, `view` points into
// the request frame (which the server keeps alive while the request is
// handled, so Produce can rewrite offsets in place). Encoded, `view` is
// copied and then `slices` are sent by reference (zero copy).
struct Records {
  std::span<char> view;
  std::vector<LogSlice> slices;

  size_t size() const {
    size_t n = view.size();
    for (const LogSlice& s : slices) n += s.size;
    return n;
  }
};

using Uuid = std::array<uint8_t, 16>;

// Field describes one member of message struct S.
template <typename S, typename T>
struct Field {
  T S::*member;
  // The versions in which the field is on the wire.
  Versions versions;
  // The versions in which it may be null (std::optional members only).
  Versions nullable;
  // >= 0: a tagged field with this tag (flexible versions only).
  int32_t tag;
};

// FieldOptions are the rarer attributes of a field.
struct FieldOptions {
  // nullableVersions. Default: every version the field has, for a
  // std::optional member; none otherwise.
  std::string_view nullable = {};
  // The field's tag, making it a tagged field. Default: not tagged.
  int32_t tag = -1;
};

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};

// F declares a field: F(&Topic::name, "0+").
template <typename S, typename T>
constexpr Field<S, T> F(T S::*member, std::string_view versions,
                        FieldOptions options = {}) {
  const Versions present = V(versions);
  Versions nullable = kNoVersions;
  if (!options.nullable.empty()) {
    nullable = V(options.nullable);
  } else if (IsOptional<T>::value) {
    nullable = present;
  }
  return {member, present, nullable, options.tag};
}

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_FIELD_H_
