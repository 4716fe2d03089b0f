#include "protocol/messages/txn_offset_commit.h"

#include <catch2/catch.hpp>
#include <string>

#include "message_check.h"
#include "round_trip.h"
#include "wire_bytes.h"

namespace rill::protocol {
namespace {

using namespace wire_bytes;

TEST_CASE("TxnOffsetCommit requests round-trip at every version, null or not",
          "[protocol]") {
  TxnOffsetCommitRequest m;
  m.transactional_id = "txn-1";
  m.group_id = "group-a";
  m.producer_id = 1000;
  m.producer_epoch = 2;
  m.generation_id = 5;
  m.member_id = "member-1";
  m.group_instance_id = "instance-1";
  for (const char* name : {"orders", "payments"}) {
    TxnOffsetCommitRequest::Topic topic{.name = name, .partitions = {}};
    for (int32_t p : {1, 2}) {
      topic.partitions.push_back({.partition_index = p,
                                  .committed_offset = 100 + p,
                                  .committed_leader_epoch = 3,
                                  .committed_metadata = "meta"});
    }
    m.topics.push_back(topic);
  }
  for (int16_t version = 0; version <= 3; ++version) {
    CAPTURE(version);
    CHECK(Unpopulated(m, version) == "");
    CheckRoundTrip(m, version);
    TxnOffsetCommitRequest nulls = m;
    nulls.group_instance_id = std::nullopt;
    nulls.topics[0].partitions[1].committed_metadata = std::nullopt;
    CheckRoundTrip(nulls, version);
  }
}

TEST_CASE("TxnOffsetCommit responses round-trip at every version",
          "[protocol]") {
  TxnOffsetCommitResponse m;
  m.throttle_time_ms = 3;
  for (const char* name : {"orders", "payments"}) {
    m.topics.push_back(
        {.name = name,
         .partitions = {{.partition_index = 1, .error_code = 22},
                        {.partition_index = 2, .error_code = 82}}});
  }
  for (int16_t version = 0; version <= 3; ++version) {
    CAPTURE(version);
    CHECK(Unpopulated(m, version) == "");
    CheckRoundTrip(m, version);
  }
}

TEST_CASE("TxnOffsetCommit requests match the schema byte for byte",
          "[protocol]") {
  TxnOffsetCommitRequest m;
  m.transactional_id = "tx";
  m.group_id = "g";
  m.producer_id = 5;
  m.producer_epoch = 1;
  m.generation_id = 7;
  m.member_id = "m";
  m.group_instance_id = std::nullopt;
  m.topics = {{.name = "t",
               .partitions = {{.partition_index = 0,
                               .committed_offset = 10,
                               .committed_leader_epoch = 4,
                               .committed_metadata = "x"}}}};
  for (int16_t version = 0; version <= 2; ++version) {
    CAPTURE(version);
    std::string expected = String("tx") + String("g") + Int64(5) + Int16(1) +
                           ArrayLength(1) + String("t") + ArrayLength(1) +
                           Int32(0) + Int64(10);
    if (version >= 2) expected += Int32(4);
    expected += String("x");
    CheckWireBytes(m, version, expected);
  }
  // v3 is flexible: compact strings and arrays, a tagged-field section
  // ending every struct (partition, topic, message).
  CheckWireBytes(m, 3,
                 CompactString("tx") + CompactString("g") + Int64(5) +
                     Int16(1) + Int32(7) + CompactString("m") +
                     CompactNullString() + CompactArrayLength(1) +
                     CompactString("t") + CompactArrayLength(1) + Int32(0) +
                     Int64(10) + Int32(4) + CompactString("x") +
                     NoTaggedFields() + NoTaggedFields() + NoTaggedFields());
}

TEST_CASE("TxnOffsetCommit responses match the schema byte for byte",
          "[protocol]") {
  TxnOffsetCommitResponse m;
  m.throttle_time_ms = 2;
  m.topics = {
      {.name = "t", .partitions = {{.partition_index = 0, .error_code = 25}}}};
  for (int16_t version = 0; version <= 2; ++version) {
    CAPTURE(version);
    CheckWireBytes(m, version,
                   Int32(2) + ArrayLength(1) + String("t") + ArrayLength(1) +
                       Int32(0) + Int16(25));
  }
  CheckWireBytes(m, 3,
                 Int32(2) + CompactArrayLength(1) + CompactString("t") +
                     CompactArrayLength(1) + Int32(0) + Int16(25) +
                     NoTaggedFields() + NoTaggedFields() + NoTaggedFields());
}

}  // namespace
}  // namespace rill::protocol
