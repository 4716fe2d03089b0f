// Encode a message to bytes and decode it back, for message tests.
#ifndef RILL_TESTS_PROTOCOL_ROUND_TRIP_H_
#define RILL_TESTS_PROTOCOL_ROUND_TRIP_H_

#include <catch2/catch.hpp>
#include <cstdint>
#include <span>
#include <string>

#include "protocol/codec.h"
#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"

namespace rill::protocol {

// EncodeToString is `message` at `version`, as bytes.
template <class M>
std::string EncodeToString(const M& message, int16_t version) {
  WireWriter w;
  Encode(message, version, w);
  return w.buffer();
}

// DecodeOrFail decodes `bytes` at `version`; the test fails unless decoding
// succeeds and consumes every byte.
template <class M>
M DecodeOrFail(std::string& bytes, int16_t version) {
  M message;
  WireReader r{std::span<char>(bytes)};
  const absl::Status status = Decode(r, version, &message);
  INFO(status.ToString());
  REQUIRE(status.ok());
  REQUIRE(r.remaining() == 0);
  return message;
}

}  // namespace rill::protocol

#endif  // RILL_TESTS_PROTOCOL_ROUND_TRIP_H_
