// Round-trip checks for message definitions, driven by their field tables.
//
// A message test writes a few samples with every field of every version
// set (and one with the nullable fields null), then, per version:
//
//   CheckRoundTrips<OffsetCommitRequest>({Full(), Nulls()}, version);
//
// Each sample is first cut down to what `version` carries (ForVersion), then
// encoded, decoded, compared with the cut-down sample and re-encoded to the
// same bytes. The samples must also cover the version: every field it has
// away from its default in some sample, every array of structs with at
// least two elements, every field that may be null both null and not. A
// field that is missed is named by its path of positions in the Fields()
// tables ("/4/1/2": the fifth top-level field, its second, its third).
#ifndef RILL_TESTS_PROTOCOL_MESSAGE_CHECKS_H_
#define RILL_TESTS_PROTOCOL_MESSAGE_CHECKS_H_

#include <catch2/catch.hpp>
#include <cstdint>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/codec.h"
#include "protocol/field.h"
#include "round_trip.h"

namespace rill::protocol::testing {

// --- ForVersion ----------------------------------------------------------

template <typename T>
void CutValue(T& value, int16_t version);

template <Struct S, typename T>
void CutField(S& s, const Field<S, T>& f, int16_t version) {
  static const S kDefaults{};
  T& value = s.*f.member;
  if (!f.versions.Contains(version)) {
    value = kDefaults.*f.member;
    return;
  }
  if constexpr (IsOptional<T>::value) {
    if (!value.has_value()) {
      if (f.nullable.Contains(version)) return;
      value.emplace();
    }
    CutValue(*value, version);
  } else {
    CutValue(value, version);
  }
}

template <typename T>
void CutValue(T& value, int16_t version) {
  if constexpr (Struct<T>) {
    std::apply([&](const auto&... f) { (CutField(value, f, version), ...); },
               T::Fields());
  } else if constexpr (internal::IsVector<T>::value) {
    for (auto& element : value) CutValue(element, version);
  }
}

// ForVersion is `m` as it reads back at `version`: fields the version does
// not have are at their defaults, and a null the version cannot carry is an
// empty value.
template <Struct S>
S ForVersion(S m, int16_t version) {
  CutValue(m, version);
  return m;
}

// --- Coverage ------------------------------------------------------------

// Coverage collects, over samples, which fields a version has and which of
// them the samples exercised.
struct Coverage {
  std::set<std::string> present;
  std::set<std::string> populated;
  std::set<std::string> nullable;
  std::set<std::string> seen_null;
  std::set<std::string> seen_value;

  std::vector<std::string> Missing() const {
    std::vector<std::string> missing;
    for (const std::string& path : present) {
      if (!populated.count(path)) missing.push_back(path + " never populated");
    }
    for (const std::string& path : nullable) {
      if (!seen_null.count(path)) missing.push_back(path + " never null");
      if (!seen_value.count(path)) missing.push_back(path + " never non-null");
    }
    return missing;
  }
};

template <typename T>
struct IsVectorOrOptionalVector : internal::IsVector<T> {};
template <typename T>
struct IsVectorOrOptionalVector<std::optional<T>> : internal::IsVector<T> {};

// Populated: away from the default, and an array has two or more elements.
template <typename T>
bool Populated(const T& value, const T& default_value) {
  if (value == default_value) return false;
  if constexpr (internal::IsVector<T>::value) {
    return value.size() >= 2;
  } else if constexpr (IsVectorOrOptionalVector<T>::value) {
    return !value.has_value() || value->size() >= 2;
  }
  return true;
}

template <typename T>
void WalkValue(const T& value, int16_t version, const std::string& path,
               Coverage& c);

template <Struct S, typename T>
void WalkField(const S& s, const Field<S, T>& f, int16_t version,
               const std::string& path, Coverage& c) {
  static const S kDefaults{};
  if (!f.versions.Contains(version)) return;
  const T& value = s.*f.member;
  c.present.insert(path);
  if (Populated(value, kDefaults.*f.member)) c.populated.insert(path);
  if constexpr (IsOptional<T>::value) {
    if (f.nullable.Contains(version)) {
      c.nullable.insert(path);
      (value.has_value() ? c.seen_value : c.seen_null).insert(path);
    }
  }
  WalkValue(value, version, path, c);
}

template <typename T>
void WalkValue(const T& value, int16_t version, const std::string& path,
               Coverage& c) {
  if constexpr (Struct<T>) {
    int index = 0;
    std::apply(
        [&](const auto&... f) {
          (WalkField(value, f, version, path + "/" + std::to_string(index++),
                     c),
           ...);
        },
        T::Fields());
  } else if constexpr (internal::IsVector<T>::value) {
    for (const auto& element : value) WalkValue(element, version, path, c);
  } else if constexpr (IsOptional<T>::value) {
    if (value.has_value()) WalkValue(*value, version, path, c);
  }
}

// --- CheckRoundTrips -----------------------------------------------------

template <Message M>
void CheckRoundTrips(const std::vector<M>& samples, int16_t version) {
  CAPTURE(version);
  REQUIRE(M::kVersions.Contains(version));
  Coverage coverage;
  for (size_t i = 0; i < samples.size(); ++i) {
    CAPTURE(i);
    const M expected = ForVersion(samples[i], version);
    WalkValue(expected, version, "", coverage);
    std::string bytes = EncodeToString(expected, version);
    const M decoded = DecodeOrFail<M>(bytes, version);
    CHECK(decoded == expected);
    CHECK(EncodeToString(decoded, version) == bytes);
  }
  CHECK(coverage.Missing() == std::vector<std::string>{});
}

// CheckAllVersions runs CheckRoundTrips for every version M supports.
template <Message M>
void CheckAllVersions(const std::vector<M>& samples) {
  for (int16_t v = M::kVersions.min; v <= M::kVersions.max; ++v) {
    CheckRoundTrips(samples, v);
  }
}

}  // namespace rill::protocol::testing

#endif  // RILL_TESTS_PROTOCOL_MESSAGE_CHECKS_H_
