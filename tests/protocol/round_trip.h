// Round-trip helpers for message tests: encode a message to one flat string,
// and decode one that must parse completely.
#ifndef RILL_TESTS_PROTOCOL_ROUND_TRIP_H_
#define RILL_TESTS_PROTOCOL_ROUND_TRIP_H_

#include <catch2/catch.hpp>
#include <cstdint>
#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "protocol/codec.h"
#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"

namespace rill::protocol {

// EncodeToString encodes `message` at `version`, referenced slices included.
template <class M>
std::string EncodeToString(const M& message, int16_t version) {
  WireWriter w;
  Encode(message, version, w);
  absl::StatusOr<std::string> flat = w.Flatten();
  REQUIRE(flat.ok());
  return *std::move(flat);
}

// DecodeOrFail decodes a whole message from `bytes` (which must outlive the
// result: decoded Records point into it) and fails the test on an error or
// on bytes left over.
template <class M>
M DecodeOrFail(std::string& bytes, int16_t version) {
  M message;
  WireReader r{std::span<char>(bytes)};
  const absl::Status status = Decode(r, version, &message);
  INFO(status.ToString());
  REQUIRE(status.ok());
  CHECK(r.remaining() == 0);
  return message;
}

}  // namespace rill::protocol

#endif  // RILL_TESTS_PROTOCOL_ROUND_TRIP_H_
