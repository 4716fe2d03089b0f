#include "protocol/messages/init_producer_id.h"

#include <catch2/catch.hpp>
#include <string>

#include "message_check.h"
#include "round_trip.h"
#include "wire_bytes.h"

namespace rill::protocol {
namespace {

using namespace wire_bytes;

TEST_CASE("InitProducerId requests round-trip at every version, null or not",
          "[protocol]") {
  InitProducerIdRequest m{.transactional_id = "txn-1",
                          .transaction_timeout_ms = 60000,
                          .producer_id = 1000,
                          .producer_epoch = 3};
  for (int16_t version = 0; version <= 4; ++version) {
    CAPTURE(version);
    CHECK(Unpopulated(m, version) == "");
    CheckRoundTrip(m, version);
    InitProducerIdRequest idempotent = m;
    idempotent.transactional_id = std::nullopt;
    CheckRoundTrip(idempotent, version);
  }
}

TEST_CASE("InitProducerId responses round-trip at every version",
          "[protocol]") {
  const InitProducerIdResponse m{.throttle_time_ms = 2,
                                 .error_code = 47,
                                 .producer_id = 4000,
                                 .producer_epoch = 7};
  for (int16_t version = 0; version <= 4; ++version) {
    CAPTURE(version);
    CHECK(Unpopulated(m, version) == "");
    CheckRoundTrip(m, version);
  }
}

TEST_CASE("InitProducerId requests match the schema byte for byte",
          "[protocol]") {
  const InitProducerIdRequest txn{.transactional_id = "tx",
                                  .transaction_timeout_ms = 60000,
                                  .producer_id = 5,
                                  .producer_epoch = 2};
  InitProducerIdRequest idempotent = txn;
  idempotent.transactional_id = std::nullopt;
  for (int16_t version = 0; version <= 4; ++version) {
    CAPTURE(version);
    const bool flexible = version >= 2;
    std::string tail = Int32(60000);
    if (version >= 3) tail += Int64(5) + Int16(2);
    if (flexible) tail += NoTaggedFields();
    CheckWireBytes(txn, version,
                   (flexible ? CompactString("tx") : String("tx")) + tail);
    CheckWireBytes(idempotent, version,
                   (flexible ? CompactNullString() : NullString()) + tail);
  }
}

TEST_CASE("InitProducerId responses match the schema byte for byte",
          "[protocol]") {
  const InitProducerIdResponse m{.throttle_time_ms = 0,
                                 .error_code = 0,
                                 .producer_id = 8,
                                 .producer_epoch = 1};
  for (int16_t version = 0; version <= 4; ++version) {
    CAPTURE(version);
    CheckWireBytes(m, version,
                   Int32(0) + Int16(0) + Int64(8) + Int16(1) +
                       (version >= 2 ? NoTaggedFields() : ""));
  }
}

TEST_CASE("a flexible InitProducerId request skips unknown tagged fields",
          "[protocol]") {
  // Tag 5, two bytes, after the fields of v4.
  std::string bytes = CompactNullString() + Int32(1000) + Int64(-1) +
                      Int16(-1) + UnsignedVarint(1) + UnsignedVarint(5) +
                      UnsignedVarint(2) + "zz";
  const auto decoded = DecodeOrFail<InitProducerIdRequest>(bytes, 4);
  CHECK_FALSE(decoded.transactional_id.has_value());
  CHECK(decoded.transaction_timeout_ms == 1000);
}

}  // namespace
}  // namespace rill::protocol
