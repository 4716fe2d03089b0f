// RequestCodecs: a table from API key to its request decoder, built from
// protocol::RequestTypes, for code that gets a request of any API — the
// request fuzzer (tests/fuzz) and the captured-requests test.
//
//   const RequestCodec* codec = FindRequestCodec(header.api_key);
//   if (codec != nullptr && codec->flexible_versions.Contains(version)) ...
//   absl::StatusOr<std::string> bytes = codec->round_trip(body, version);
//
// No Catch2 here: the fuzzer includes it too.
#ifndef RILL_TESTS_PROTOCOL_REQUEST_CODECS_H_
#define RILL_TESTS_PROTOCOL_REQUEST_CODECS_H_

#include <array>
#include <concepts>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "protocol/codec.h"
#include "protocol/request_types.h"
#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"

namespace rill::protocol::testing {

// RoundTripRequest decodes `body` as an M at `version`, encodes it, decodes
// that and encodes it again, and returns the first encoding. A body that
// does not decode gets Decode's error (kInvalidRequest or
// kUnsupportedVersion). An asymmetric codec is kInternal: the encoding does
// not decode, decodes with bytes left over, decodes to a different message
// or encodes differently the second time.
template <Message M>
absl::StatusOr<std::string> RoundTripRequest(std::span<char> body,
                                             int16_t version) {
  M first;
  if (absl::Status s = Decode(body, version, &first); !s.ok()) return s;
  WireWriter first_writer;
  Encode(first, version, first_writer);
  // Decoded records are views into the body, never file slices, so the
  // buffer is the whole encoding.
  std::string encoded = first_writer.buffer();

  M second;
  WireReader reader{std::span<char>(encoded)};
  if (absl::Status s = Decode(reader, version, &second); !s.ok()) {
    return absl::InternalError(
        absl::StrCat("re-encoded request does not decode: ", s.message()));
  }
  if (reader.remaining() != 0) {
    return absl::InternalError(absl::StrCat("re-encoded request decodes with ",
                                            reader.remaining(),
                                            " bytes left over"));
  }
  if constexpr (std::equality_comparable<M>) {
    if (!(first == second)) {
      return absl::InternalError("re-encoded request decodes differently");
    }
  }
  WireWriter second_writer;
  Encode(second, version, second_writer);
  if (second_writer.buffer() != encoded) {
    return absl::InternalError(absl::StrCat(
        "request encodes to ", encoded.size(), " bytes, then to ",
        second_writer.buffer().size(), " different bytes after a round trip"));
  }
  return encoded;
}

// RequestCodec is one API's request decoding.
struct RequestCodec {
  int16_t api_key = -1;
  Versions versions = kNoVersions;
  // Versions with request header v2 and compact encodings.
  Versions flexible_versions = kNoVersions;
  absl::StatusOr<std::string> (*round_trip)(std::span<char> body,
                                            int16_t version) = nullptr;
};

inline constexpr size_t kMaxRequestApiKey = 128;

// RequestCodecs is indexed by API key; keys without a request have a null
// round_trip.
inline const std::array<RequestCodec, kMaxRequestApiKey>& RequestCodecs() {
  // Trivially destructible, so a function-local static is safe.
  static const std::array<RequestCodec, kMaxRequestApiKey> kTable = [] {
    std::array<RequestCodec, kMaxRequestApiKey> table{};
    ForEachRequestType([&]<typename R>(std::type_identity<R>) {
      table[static_cast<size_t>(R::kApiKey)] = {
          .api_key = static_cast<int16_t>(R::kApiKey),
          .versions = R::kVersions,
          .flexible_versions = R::kFlexibleVersions,
          .round_trip = &RoundTripRequest<R>};
    });
    return table;
  }();
  return kTable;
}

// FindRequestCodec returns the codec for `api_key`, or null.
inline const RequestCodec* FindRequestCodec(int16_t api_key) {
  if (api_key < 0 || static_cast<size_t>(api_key) >= kMaxRequestApiKey) {
    return nullptr;
  }
  const RequestCodec& codec = RequestCodecs()[static_cast<size_t>(api_key)];
  return codec.round_trip != nullptr ? &codec : nullptr;
}

}  // namespace rill::protocol::testing

#endif  // RILL_TESTS_PROTOCOL_REQUEST_CODECS_H_
