// Checks for message definitions that walk a message's Fields() table, so
// one check serves every message (Records included, which has no
// operator==):
//
//   Unpopulated(m, v)         a field of version v left at its default, an
//                             array with fewer than two elements, a null
//   FieldMismatch(a, b, v)    a field that differs after decoding at v
//   CheckRoundTrip(m, v)      encode, decode, compare, re-encode
//   CheckWireBytes(m, v, b)   m encodes to b, b decodes to m
//
// Paths in messages name fields by their index in Fields(): ".#3[1].#0".
#ifndef RILL_TESTS_PROTOCOL_MESSAGE_CHECK_H_
#define RILL_TESTS_PROTOCOL_MESSAGE_CHECK_H_

#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "protocol/codec.h"
#include "protocol/field.h"
#include "round_trip.h"
#include "wire_bytes.h"

namespace rill::protocol {
namespace mismatch_internal {

template <typename T>
std::string Show(const T& v) {
  if constexpr (std::is_same_v<T, double>) {
    return std::to_string(v);
  } else if constexpr (std::is_arithmetic_v<T>) {
    return std::to_string(static_cast<long long>(v));
  } else if constexpr (std::is_same_v<T, std::string>) {
    return "\"" + v + "\"";
  } else if constexpr (std::is_same_v<T, Bytes>) {
    return "bytes \"" + v.data + "\"";
  } else {
    return "(value)";
  }
}

inline std::string_view RecordBytes(const Records& r) {
  return {r.view.data(), r.view.size()};
}

}  // namespace mismatch_internal

// FieldMismatch returns "" when `actual` (decoded at `version`) matches
// `expected` (encoded at `version`), else the path of the first difference:
// ".#3[1].#0: 5 != 7" (field indexes in Fields() order, array indexes).
template <typename T>
std::string FieldMismatch(const T& expected, const T& actual, int16_t version,
                          const std::string& path = "") {
  using namespace mismatch_internal;
  if constexpr (std::is_same_v<T, Records>) {
    if (RecordBytes(expected) == RecordBytes(actual) &&
        expected.slices.empty() && actual.slices.empty()) {
      return "";
    }
    return path + ": records differ";
  } else if constexpr (internal::IsVector<T>::value) {
    if (expected.size() != actual.size()) {
      return path + ": " + std::to_string(expected.size()) +
             " elements != " + std::to_string(actual.size());
    }
    for (size_t i = 0; i < expected.size(); ++i) {
      std::string m = FieldMismatch(expected[i], actual[i], version,
                                    path + "[" + std::to_string(i) + "]");
      if (!m.empty()) return m;
    }
    return "";
  } else if constexpr (IsOptional<T>::value) {
    if (expected.has_value() != actual.has_value()) {
      return path + (expected.has_value() ? ": null, expected a value"
                                          : ": a value, expected null");
    }
    return expected.has_value()
               ? FieldMismatch(*expected, *actual, version, path)
               : "";
  } else if constexpr (Struct<T>) {
    static const T kDefaults{};
    std::string out;
    size_t index = 0;
    auto check = [&](const auto& f) {
      const std::string here = path + ".#" + std::to_string(index++);
      if (!out.empty()) return;
      out = f.versions.Contains(version)
                ? FieldMismatch(expected.*f.member, actual.*f.member, version,
                                here)
                : FieldMismatch(kDefaults.*f.member, actual.*f.member, version,
                                here + " (absent, so default)");
    };
    std::apply([&](const auto&... f) { (check(f), ...); }, T::Fields());
    return out;
  } else {
    if (expected == actual) return "";
    return path + ": " + Show(expected) + " != " + Show(actual);
  }
}

// Unpopulated returns "" when every field `m` has at `version` is set to a
// value other than its default, every array has at least two elements and
// nothing is null; else the path of the first field that is not.
template <typename T>
std::string Unpopulated(const T& value, const T& default_value, int16_t version,
                        const std::string& path = "") {
  using namespace mismatch_internal;
  if constexpr (std::is_same_v<T, Records>) {
    return value.size() > 0 ? "" : path + ": no records";
  } else if constexpr (internal::IsVector<T>::value) {
    if (value.size() < 2) return path + ": fewer than two elements";
    for (size_t i = 0; i < value.size(); ++i) {
      std::string m = Unpopulated(value[i], typename T::value_type{}, version,
                                  path + "[" + std::to_string(i) + "]");
      if (!m.empty()) return m;
    }
    return "";
  } else if constexpr (IsOptional<T>::value) {
    if (!value.has_value()) return path + ": null";
    return Unpopulated(*value, default_value.value_or(typename T::value_type{}),
                       version, path);
  } else if constexpr (Struct<T>) {
    std::string out;
    size_t index = 0;
    auto check = [&](const auto& f) {
      const std::string here = path + ".#" + std::to_string(index++);
      if (!out.empty() || !f.versions.Contains(version)) return;
      out =
          Unpopulated(value.*f.member, default_value.*f.member, version, here);
    };
    std::apply([&](const auto&... f) { (check(f), ...); }, T::Fields());
    return out;
  } else {
    return value == default_value ? path + ": default " + Show(value) : "";
  }
}

template <Struct T>
std::string Unpopulated(const T& message, int16_t version) {
  return Unpopulated(message, T{}, version);
}

// CheckRoundTrip encodes `sent` at `version`, decodes it, and checks the
// decoded message matches and encodes to the same bytes.
template <Message M>
void CheckRoundTrip(const M& sent, int16_t version) {
  std::string bytes = EncodeToString(sent, version);
  const M decoded = DecodeOrFail<M>(bytes, version);
  CHECK(FieldMismatch(sent, decoded, version) == "");
  CHECK(wire_bytes::Hex(EncodeToString(decoded, version)) ==
        wire_bytes::Hex(bytes));
}

// CheckWireBytes checks that `m` encodes at `version` to `expected` (bytes
// built by hand from the schema) and that `expected` decodes back to `m`.
template <Message M>
void CheckWireBytes(const M& m, int16_t version, std::string expected) {
  CHECK(wire_bytes::Hex(EncodeToString(m, version)) ==
        wire_bytes::Hex(expected));
  const M decoded = DecodeOrFail<M>(expected, version);
  CHECK(FieldMismatch(m, decoded, version) == "");
}

}  // namespace rill::protocol

#endif  // RILL_TESTS_PROTOCOL_MESSAGE_CHECK_H_
