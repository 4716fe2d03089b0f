// Encode and Decode for any message described with Fields() (field.h).
//
// One generic walk over a message's field table serves every API and every
// version: a field outside the version is skipped (decoding leaves the
// member's default), a flexible version uses compact lengths and a tagged
// field section per struct. A message type names its API and versions:
//
//   struct HeartbeatRequest {
//     static constexpr ApiKey kApiKey = ApiKey::kHeartbeat;
//     static constexpr Versions kVersions = V("0-4");
//     static constexpr Versions kFlexibleVersions = V("4+");
//     std::string group_id;
//     ...
//     static constexpr auto Fields() { return std::tuple{...}; }
//   };
//
//   WireWriter w;
//   Encode(request, /*version=*/3, w);
//   HeartbeatRequest decoded;
//   RETURN_IF_ERROR(Decode(bytes, 3, &decoded));
//
// The walk over a message's fields is compiled once, not in every file that
// encodes or decodes the message: messages/<api>.h declares its request and
// response with RILL_PROTOCOL_EXTERN_CODEC, and messages/<api>.cc
// instantiates them with RILL_PROTOCOL_INSTANTIATE_CODEC.
#ifndef RILL_PROTOCOL_CODEC_H_
#define RILL_PROTOCOL_CODEC_H_

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "protocol/field.h"
#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"
#include "rill/error.h"

namespace rill::protocol {

// A message struct: has a field table.
template <typename T>
concept Struct = requires {
  T::Fields();
};

// A top-level message: a struct that also names its versions.
template <typename T>
concept Message = Struct<T> && requires {
  { T::kVersions } -> std::convertible_to<Versions>;
  { T::kFlexibleVersions } -> std::convertible_to<Versions>;
};

namespace internal {

template <typename T>
struct IsVector : std::false_type {};
template <typename T>
struct IsVector<std::vector<T>> : std::true_type {};

// Context is what every nested value needs to know about the message.
struct Context {
  int16_t version;
  bool flexible;
};

// --- lengths -----------------------------------------------------------
// A length of -1 is null. Classic encoding: int16 for strings, int32 for
// bytes and arrays; compact: unsigned varint of length + 1 (0 is null).

inline void WriteLength(WireWriter& w, int64_t length, bool short_length,
                        const Context& c) {
  if (c.flexible) {
    w.UnsignedVarint(static_cast<uint32_t>(length + 1));
  } else if (short_length) {
    w.Fixed<int16_t>(static_cast<int16_t>(length));
  } else {
    w.Fixed<int32_t>(static_cast<int32_t>(length));
  }
}

// ReadLength returns the length, or -1 for null.
inline int64_t ReadLength(WireReader& r, bool short_length, const Context& c) {
  if (c.flexible) return static_cast<int64_t>(r.UnsignedVarint()) - 1;
  if (short_length) return r.Fixed<int16_t>();
  return r.Fixed<int32_t>();
}

// ReadSize reads a non-null length, failing on null or an impossible size
// (longer than what is left: every element is at least one byte).
inline size_t ReadSize(WireReader& r, bool short_length, const Context& c,
                       std::optional<bool>* is_null, bool nullable) {
  const int64_t length = ReadLength(r, short_length, c);
  if (length < 0) {
    if (length == -1 && nullable && is_null != nullptr) {
      *is_null = true;
      return 0;
    }
    r.Fail(length == -1 ? "null where the version does not allow it"
                        : "negative length");
    return 0;
  }
  if (static_cast<uint64_t>(length) > r.remaining()) {
    r.Fail(absl::StrCat("length ", length, " beyond the end"));
    return 0;
  }
  return static_cast<size_t>(length);
}

template <Struct S>
void EncodeStruct(WireWriter& w, const S& s, const Context& c);
template <Struct S>
void DecodeStruct(WireReader& r, S& s, const Context& c);

// --- values ------------------------------------------------------------

template <typename T>
void EncodeValue(WireWriter& w, const T& v, const Context& c) {
  if constexpr (std::is_arithmetic_v<T>) {
    w.Fixed<T>(v);
  } else if constexpr (std::is_same_v<T, std::string>) {
    WriteLength(w, static_cast<int64_t>(v.size()), true, c);
    w.Append(v);
  } else if constexpr (std::is_same_v<T, Bytes>) {
    WriteLength(w, static_cast<int64_t>(v.data.size()), false, c);
    w.Append(v.data);
  } else if constexpr (std::is_same_v<T, Records>) {
    WriteLength(w, static_cast<int64_t>(v.size()), false, c);
    w.Append(v.view.data(), v.view.size());
    w.AppendSlices(v.slices);
  } else if constexpr (std::is_same_v<T, Uuid>) {
    w.Append(reinterpret_cast<const char*>(v.data()), v.size());
  } else if constexpr (IsVector<T>::value) {
    WriteLength(w, static_cast<int64_t>(v.size()), false, c);
    for (const auto& element : v) EncodeValue(w, element, c);
  } else if constexpr (IsOptional<T>::value) {
    if (v.has_value()) {
      EncodeValue(w, *v, c);
    } else {
      using U = typename T::value_type;
      WriteLength(w, -1, std::is_same_v<U, std::string>, c);
    }
  } else {
    static_assert(Struct<T>, "no wire type for this C++ type");
    EncodeStruct(w, v, c);
  }
}

template <typename T>
void DecodeValue(WireReader& r, T& v, const Context& c, bool nullable) {
  if constexpr (std::is_arithmetic_v<T>) {
    v = r.Fixed<T>();
  } else if constexpr (std::is_same_v<T, std::string>) {
    const size_t n = ReadSize(r, true, c, nullptr, false);
    std::span<char> bytes = r.Take(n);
    v.assign(bytes.data(), bytes.size());
  } else if constexpr (std::is_same_v<T, Bytes>) {
    const size_t n = ReadSize(r, false, c, nullptr, false);
    std::span<char> bytes = r.Take(n);
    v.data.assign(bytes.data(), bytes.size());
  } else if constexpr (std::is_same_v<T, Records>) {
    // RECORDS is nullable in every schema that has it; null reads as empty.
    std::optional<bool> is_null;
    const size_t n = ReadSize(r, false, c, &is_null, true);
    v.view = r.Take(n);
  } else if constexpr (std::is_same_v<T, Uuid>) {
    std::span<char> bytes = r.Take(v.size());
    if (!bytes.empty()) __builtin_memcpy(v.data(), bytes.data(), v.size());
  } else if constexpr (IsVector<T>::value) {
    const size_t n = ReadSize(r, false, c, nullptr, false);
    v.clear();
    // n is bounded by the bytes left, not by memory: an element can be far
    // larger in memory than on the wire, so reserve at most the input's
    // size and let a longer (valid) array grow.
    v.reserve(std::min(n, r.remaining() / sizeof(typename T::value_type)));
    for (size_t i = 0; i < n && r.ok(); ++i) {
      DecodeValue(r, v.emplace_back(), c, false);
    }
  } else if constexpr (IsOptional<T>::value) {
    using U = typename T::value_type;
    // Peek at the length: null, or the value read normally.
    WireReader peek = r;
    std::optional<bool> is_null;
    (void)ReadSize(peek, std::is_same_v<U, std::string>, c, &is_null, nullable);
    if (is_null.has_value()) {
      r = peek;
      v.reset();
    } else {
      DecodeValue(r, v.emplace(), c, false);
    }
  } else {
    static_assert(Struct<T>, "no wire type for this C++ type");
    DecodeStruct(r, v, c);
  }
}

// --- structs -----------------------------------------------------------

template <Struct S, typename T>
void EncodeField(WireWriter& w, const S& s, const Field<S, T>& f,
                 const Context& c) {
  if (f.tag >= 0 || !f.versions.Contains(c.version)) return;
  EncodeValue(w, s.*f.member, c);
}

template <Struct S, typename T>
void DecodeField(WireReader& r, S& s, const Field<S, T>& f, const Context& c) {
  if (f.tag >= 0 || !f.versions.Contains(c.version)) return;
  DecodeValue(r, s.*f.member, c, f.nullable.Contains(c.version));
}

// IsDefault: does a tagged field hold its default (and so go unsent)?
// Arrays default to empty; structs without == are always sent.
template <typename T>
bool IsDefault(const T& value, const T& default_value) {
  if constexpr (IsVector<T>::value) {
    return value.empty();
  } else if constexpr (IsOptional<T>::value) {
    if (!value.has_value() || !default_value.has_value()) {
      return value.has_value() == default_value.has_value();
    }
    return IsDefault(*value, *default_value);
  } else if constexpr (std::is_same_v<T, Records>) {
    return value.size() == 0;
  } else if constexpr (std::equality_comparable<T>) {
    return value == default_value;
  } else {
    return false;
  }
}

// A tagged field is written only when it differs from its default.
template <Struct S, typename T>
void EncodeTaggedField(std::vector<std::pair<int32_t, std::string>>& out,
                       const S& s, const Field<S, T>& f, const Context& c) {
  if (f.tag < 0 || !f.versions.Contains(c.version)) return;
  static const S kDefaults{};
  if (IsDefault(s.*f.member, kDefaults.*f.member)) return;
  WireWriter value;
  EncodeValue(value, s.*f.member, c);
  out.emplace_back(f.tag, value.buffer());
}

template <Struct S>
void EncodeStruct(WireWriter& w, const S& s, const Context& c) {
  constexpr auto fields = S::Fields();
  std::apply([&](const auto&... f) { (EncodeField(w, s, f, c), ...); }, fields);
  if (!c.flexible) return;
  std::vector<std::pair<int32_t, std::string>> tagged;
  std::apply(
      [&](const auto&... f) { (EncodeTaggedField(tagged, s, f, c), ...); },
      fields);
  std::sort(tagged.begin(), tagged.end());
  w.UnsignedVarint(static_cast<uint32_t>(tagged.size()));
  for (const auto& [tag, bytes] : tagged) {
    w.UnsignedVarint(static_cast<uint32_t>(tag));
    w.UnsignedVarint(static_cast<uint32_t>(bytes.size()));
    w.Append(bytes);
  }
}

// DecodeTaggedFields reads a struct's tagged section; unknown tags are
// skipped (that is what makes them compatible additions).
template <Struct S>
void DecodeTaggedFields(WireReader& r, S& s, const Context& c) {
  constexpr auto fields = S::Fields();
  const uint32_t count = r.UnsignedVarint();
  int64_t previous_tag = -1;
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    const uint32_t tag = r.UnsignedVarint();
    const uint32_t size = r.UnsignedVarint();
    if (!r.ok()) return;
    if (static_cast<int64_t>(tag) <= previous_tag) {
      r.Fail("tagged fields out of order");
      return;
    }
    previous_tag = tag;
    if (size > r.remaining()) {
      r.Fail("tagged field beyond the end");
      return;
    }
    WireReader value = r.Sub(size);
    std::apply(
        [&](const auto&... f) {
          ((f.tag >= 0 && static_cast<uint32_t>(f.tag) == tag &&
                    f.versions.Contains(c.version)
                ? DecodeValue(value, s.*f.member, c,
                              f.nullable.Contains(c.version))
                : void()),
           ...);
        },
        fields);
    if (!value.ok()) r.Fail(std::string(value.status().message()));
  }
}

template <Struct S>
void DecodeStruct(WireReader& r, S& s, const Context& c) {
  constexpr auto fields = S::Fields();
  std::apply([&](const auto&... f) { (DecodeField(r, s, f, c), ...); }, fields);
  if (c.flexible) DecodeTaggedFields(r, s, c);
}

}  // namespace internal

// Encode appends `message` at `version` to `w`. The caller picks a version
// in M::kVersions (the server only answers in the request's version).
template <Message M>
void Encode(const M& message, int16_t version, WireWriter& w) {
  internal::EncodeStruct(w, message,
                         {version, M::kFlexibleVersions.Contains(version)});
}

// Decode reads `message` at `version` from `r`. Bytes after the message
// are left in `r`. kUnsupportedVersion outside M::kVersions;
// kInvalidRequest (with the position) for malformed input.
template <Message M>
absl::Status Decode(WireReader& r, int16_t version, M* message) {
  if (!M::kVersions.Contains(version)) {
    return MakeError(ErrorReason::kUnsupportedVersion,
                     absl::StrCat("version ", version, " is not supported"));
  }
  internal::DecodeStruct(r, *message,
                         {version, M::kFlexibleVersions.Contains(version)});
  return r.status();
}

template <Message M>
absl::Status Decode(std::span<char> bytes, int16_t version, M* message) {
  WireReader r(bytes);
  return Decode(r, version, message);
}

// RILL_PROTOCOL_EXTERN_CODEC(M) says Encode and Decode for message M are
// instantiated in one .cc (with RILL_PROTOCOL_INSTANTIATE_CODEC(M)), so
// files that use them only call them. Both go inside namespace
// rill::protocol.
#define RILL_PROTOCOL_EXTERN_CODEC(M)                             \
  extern template void Encode<M>(const M&, int16_t, WireWriter&); \
  extern template absl::Status Decode<M>(WireReader&, int16_t, M*)
#define RILL_PROTOCOL_INSTANTIATE_CODEC(M)                 \
  template void Encode<M>(const M&, int16_t, WireWriter&); \
  template absl::Status Decode<M>(WireReader&, int16_t, M*)

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_CODEC_H_
