#include "protocol/messages/fetch.h"

#include <catch2/catch.hpp>
#include <memory>
#include <span>
#include <string>

#include "io/mem_file_system.h"
#include "message_check.h"
#include "round_trip.h"
#include "wire_bytes.h"

namespace rill::protocol {
namespace {

using namespace wire_bytes;

Records RecordsOf(std::string& bytes) {
  return {.view = std::span(bytes), .slices = {}};
}

FetchRequest PopulatedRequest() {
  FetchRequest m;
  m.replica_id = 2;
  m.max_wait_ms = 500;
  m.min_bytes = 1;
  m.max_bytes = 52428800;
  m.isolation_level = 1;
  m.session_id = 77;
  m.session_epoch = 3;
  for (const char* topic : {"orders", "payments"}) {
    FetchRequest::FetchTopic t{.topic = topic, .partitions = {}};
    for (int32_t p : {1, 5}) {
      t.partitions.push_back({.partition = p,
                              .current_leader_epoch = 4,
                              .fetch_offset = 1000 + p,
                              .log_start_offset = 10,
                              .partition_max_bytes = 1048576});
    }
    m.topics.push_back(t);
  }
  m.forgotten_topics_data = {{.topic = "old", .partitions = {1, 2}},
                             {.topic = "older", .partitions = {3, 4}}};
  m.rack_id = "rack-a";
  return m;
}

TEST_CASE("Fetch requests round-trip at every version", "[protocol]") {
  const FetchRequest m = PopulatedRequest();
  for (int16_t version = 4; version <= 11; ++version) {
    CAPTURE(version);
    CHECK(Unpopulated(m, version) == "");
    CheckRoundTrip(m, version);
  }
}

TEST_CASE("Fetch responses round-trip at every version, null or not",
          "[protocol]") {
  std::string batch_a = "batch-a";
  std::string batch_b = "batch-b bytes";
  FetchResponse m;
  m.throttle_time_ms = 5;
  m.error_code = 70;
  m.session_id = 12;
  for (const char* topic : {"orders", "payments"}) {
    FetchResponse::FetchableTopic t{.topic = topic, .partitions = {}};
    for (int32_t p : {1, 5}) {
      t.partitions.push_back(
          {.partition_index = p,
           .error_code = 1,
           .high_watermark = 200,
           .last_stable_offset = 150,
           .log_start_offset = 7,
           .aborted_transactions =
               std::vector<FetchResponse::AbortedTransaction>{
                   {.producer_id = 9, .first_offset = 100},
                   {.producer_id = 11, .first_offset = 120}},
           .preferred_read_replica = 3,
           .records = RecordsOf(p == 1 ? batch_a : batch_b)});
    }
    m.responses.push_back(t);
  }
  for (int16_t version = 4; version <= 11; ++version) {
    CAPTURE(version);
    CHECK(Unpopulated(m, version) == "");
    CheckRoundTrip(m, version);
    FetchResponse nulls = m;
    nulls.responses[1].partitions[0].aborted_transactions = std::nullopt;
    CheckRoundTrip(nulls, version);
  }
}

TEST_CASE("Fetch requests match the schema byte for byte", "[protocol]") {
  FetchRequest m;
  m.replica_id = -1;
  m.max_wait_ms = 500;
  m.min_bytes = 1;
  m.max_bytes = 1000;
  m.isolation_level = 1;
  m.session_id = 0;
  m.session_epoch = -1;
  m.topics = {{.topic = "t",
               .partitions = {{.partition = 2,
                               .current_leader_epoch = 6,
                               .fetch_offset = 42,
                               .log_start_offset = -1,
                               .partition_max_bytes = 100}}}};
  m.forgotten_topics_data = {{.topic = "gone", .partitions = {3, 4}}};
  m.rack_id = "r1";
  for (int16_t version = 4; version <= 11; ++version) {
    CAPTURE(version);
    std::string expected =
        Int32(-1) + Int32(500) + Int32(1) + Int32(1000) + Int8(1);
    if (version >= 7) expected += Int32(0) + Int32(-1);
    expected += ArrayLength(1) + String("t") + ArrayLength(1) + Int32(2);
    if (version >= 9) expected += Int32(6);
    expected += Int64(42);
    if (version >= 5) expected += Int64(-1);
    expected += Int32(100);
    if (version >= 7) {
      expected += ArrayLength(1) + String("gone") + ArrayLength(2) + Int32(3) +
                  Int32(4);
    }
    if (version >= 11) expected += String("r1");
    CheckWireBytes(m, version, expected);
  }
}

TEST_CASE("Fetch responses match the schema byte for byte", "[protocol]") {
  std::string batch = "RB";
  FetchResponse m;
  m.throttle_time_ms = 3;
  m.error_code = 0;
  m.session_id = 0;
  FetchResponse::PartitionData p{
      .partition_index = 2,
      .error_code = 0,
      .high_watermark = 50,
      .last_stable_offset = 40,
      .log_start_offset = 1,
      .aborted_transactions =
          std::vector<FetchResponse::AbortedTransaction>{
              {.producer_id = 7, .first_offset = 41}},
      .preferred_read_replica = -1,
      .records = RecordsOf(batch)};
  m.responses = {{.topic = "t", .partitions = {p}}};
  for (int16_t version = 4; version <= 11; ++version) {
    CAPTURE(version);
    for (bool null_aborted : {false, true}) {
      CAPTURE(null_aborted);
      FetchResponse sent = m;
      std::string expected = Int32(3);
      if (version >= 7) expected += Int16(0) + Int32(0);
      expected += ArrayLength(1) + String("t") + ArrayLength(1) + Int32(2) +
                  Int16(0) + Int64(50) + Int64(40);
      if (version >= 5) expected += Int64(1);
      if (null_aborted) {
        sent.responses[0].partitions[0].aborted_transactions = std::nullopt;
        expected += ArrayLength(-1);
      } else {
        expected += ArrayLength(1) + Int64(7) + Int64(41);
      }
      if (version >= 11) expected += Int32(-1);
      expected += BytesOf("RB");
      CheckWireBytes(sent, version, expected);
    }
  }
}

TEST_CASE("Fetch response records are sent from stored slices uncopied",
          "[protocol]") {
  io::MemFileSystem fs;
  auto file = fs.OpenFile(
      "/segment", {.create = true, .exclusive = false, .truncate = false});
  REQUIRE(file.ok());
  REQUIRE((*file)->Append("xxSTOREDyy").ok());
  std::shared_ptr<const io::File> shared = *std::move(file);
  FetchResponse m;
  FetchResponse::PartitionData p;
  p.records.slices = {{.file = shared, .position = 2, .size = 6}};
  m.responses = {{.topic = "t", .partitions = {p}}};
  WireWriter w;
  Encode(m, 11, w);
  CHECK(w.buffer().find("STORED") == std::string::npos);
  CHECK(w.size() == w.buffer().size() + 6);
  std::string flat = EncodeToString(m, 11);
  CHECK(flat.substr(flat.size() - 10) == BytesOf("STORED"));
  const FetchResponse decoded = DecodeOrFail<FetchResponse>(flat, 11);
  const Records& records = decoded.responses[0].partitions[0].records;
  CHECK(std::string(records.view.data(), records.view.size()) == "STORED");
}

}  // namespace
}  // namespace rill::protocol
