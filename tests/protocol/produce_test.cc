#include "protocol/messages/produce.h"

#include <catch2/catch.hpp>
#include <span>
#include <string>

#include "message_check.h"
#include "round_trip.h"
#include "wire_bytes.h"

namespace rill::protocol {
namespace {

using namespace wire_bytes;

Records RecordsOf(std::string& bytes) {
  return {.view = std::span(bytes), .slices = {}};
}

TEST_CASE("Produce requests round-trip at every version, null or not",
          "[protocol]") {
  std::string batch_a = "batch-a bytes";
  std::string batch_b = "batch-b";
  ProduceRequest m;
  m.transactional_id = "txn-1";
  m.acks = -1;
  m.timeout_ms = 30000;
  for (const char* name : {"orders", "payments"}) {
    m.topic_data.push_back(
        {.name = name,
         .partition_data = {{.index = 1, .records = RecordsOf(batch_a)},
                            {.index = 4, .records = RecordsOf(batch_b)}}});
  }
  for (int16_t version = 3; version <= 7; ++version) {
    CAPTURE(version);
    CHECK(Unpopulated(m, version) == "");
    CheckRoundTrip(m, version);
    ProduceRequest nulls = m;
    nulls.transactional_id = std::nullopt;
    CheckRoundTrip(nulls, version);
  }
}

TEST_CASE("Produce responses round-trip at every version", "[protocol]") {
  ProduceResponse m;
  m.throttle_time_ms = 12;
  for (const char* name : {"orders", "payments"}) {
    ProduceResponse::TopicResponse topic{.name = name,
                                         .partition_responses = {}};
    for (int32_t index : {0, 3}) {
      topic.partition_responses.push_back({.index = index + 1,
                                           .error_code = 6,
                                           .base_offset = 1000 + index,
                                           .log_append_time_ms = 1700000000000,
                                           .log_start_offset = 17});
    }
    m.responses.push_back(topic);
  }
  for (int16_t version = 3; version <= 7; ++version) {
    CAPTURE(version);
    CHECK(Unpopulated(m, version) == "");
    CheckRoundTrip(m, version);
  }
}

TEST_CASE("Produce requests match the schema byte for byte", "[protocol]") {
  std::string batch = "RB";
  ProduceRequest m{.transactional_id = "tx",
                   .acks = -1,
                   .timeout_ms = 1500,
                   .topic_data = {}};
  m.topic_data.push_back(
      {.name = "t",
       .partition_data = {{.index = 2, .records = RecordsOf(batch)}}});
  // Every supported version has the same layout.
  for (int16_t version = 3; version <= 7; ++version) {
    CAPTURE(version);
    CheckWireBytes(m, version,
                   String("tx") + Int16(-1) + Int32(1500) + ArrayLength(1) +
                       String("t") + ArrayLength(1) + Int32(2) + BytesOf("RB"));
  }
  // The records are a view into the request bytes, not a copy.
  std::string bytes = EncodeToString(m, 3);
  const ProduceRequest decoded = DecodeOrFail<ProduceRequest>(bytes, 3);
  const Records& records = decoded.topic_data[0].partition_data[0].records;
  CHECK(records.view.data() == bytes.data() + bytes.size() - 2);
}

TEST_CASE("a null transactional id and null records decode as absent",
          "[protocol]") {
  std::string bytes = NullString() + Int16(1) + Int32(0) + ArrayLength(1) +
                      String("t") + ArrayLength(1) + Int32(0) + Int32(-1);
  const ProduceRequest decoded = DecodeOrFail<ProduceRequest>(bytes, 7);
  CHECK_FALSE(decoded.transactional_id.has_value());
  CHECK(decoded.topic_data[0].partition_data[0].records.size() == 0);
}

TEST_CASE("Produce responses match the schema byte for byte", "[protocol]") {
  ProduceResponse m;
  m.throttle_time_ms = 10;
  m.responses.push_back({.name = "t",
                         .partition_responses = {{.index = 2,
                                                  .error_code = 0,
                                                  .base_offset = 100,
                                                  .log_append_time_ms = -1,
                                                  .log_start_offset = 5}}});
  for (int16_t version = 3; version <= 7; ++version) {
    CAPTURE(version);
    CheckWireBytes(m, version,
                   ArrayLength(1) + String("t") + ArrayLength(1) + Int32(2) +
                       Int16(0) + Int64(100) + Int64(-1) +
                       (version >= 5 ? Int64(5) : "") + Int32(10));
  }
}

}  // namespace
}  // namespace rill::protocol
