// The __consumer_offsets record formats: Kafka's bytes, every readable
// version, and what malformed input gives.
#include "group/group_records.h"

#include <catch2/catch.hpp>
#include <string>

#include "group/group_test_util.h"
#include "rill/record/record_batch.h"
#include "util/endian.h"

namespace rill::group {
namespace {

// Be builds big-endian bytes field by field.
struct Be {
  std::string out;
  Be& I16(int16_t v) {
    util::AppendBigEndian(&out, v);
    return *this;
  }
  Be& I32(int32_t v) {
    util::AppendBigEndian(&out, v);
    return *this;
  }
  Be& I64(int64_t v) {
    util::AppendBigEndian(&out, v);
    return *this;
  }
  Be& Str(const std::string& s) {
    I16(static_cast<int16_t>(s.size()));
    out += s;
    return *this;
  }
  Be& Bytes(const std::string& s) {
    I32(static_cast<int32_t>(s.size()));
    out += s;
    return *this;
  }
};

TEST_CASE(
    "offset commit records are Kafka's OffsetCommitKey v1 and "
    "OffsetCommitValue v3",
    "[group]") {
  const TopicPartition tp{"orders", PartitionId(3)};
  ASSIGN_OR_REQUIRE(std::string key, EncodeOffsetCommitKey("g", tp));
  CHECK(key == Be().I16(1).Str("g").Str("orders").I32(3).out);
  ASSIGN_OR_REQUIRE(std::string value,
                    EncodeOffsetCommitValue({.offset = 42,
                                             .leader_epoch = 7,
                                             .metadata = "m",
                                             .commit_timestamp_ms = 1000}));
  CHECK(value == Be().I16(3).I64(42).I32(7).Str("m").I64(1000).out);

  ASSIGN_OR_REQUIRE(RecordKey k, DecodeRecordKey(key));
  CHECK(k.type == RecordKey::Type::kOffsetCommit);
  CHECK(k.group == "g");
  CHECK(k.tp == tp);
  ASSIGN_OR_REQUIRE(OffsetCommitValue v, DecodeOffsetCommitValue(value));
  CHECK(v.offset == 42);
  CHECK(v.leader_epoch == 7);
  CHECK(v.metadata == "m");
  CHECK(v.commit_timestamp_ms == 1000);
  CHECK(v.expire_timestamp_ms == -1);
}

TEST_CASE(
    "group metadata records are GroupMetadataKey v2 and "
    "GroupMetadataValue v3",
    "[group]") {
  ASSIGN_OR_REQUIRE(std::string key, EncodeGroupMetadataKey("grp"));
  CHECK(key == Be().I16(2).Str("grp").out);
  GroupMetadataValue value{.protocol_type = "consumer",
                           .generation = 5,
                           .protocol = "range",
                           .leader = "m-1",
                           .current_state_timestamp_ms = 123,
                           .members = {{.member_id = "m-1",
                                        .group_instance_id = "inst",
                                        .client_id = "c",
                                        .client_host = "/h",
                                        .rebalance_timeout_ms = 300,
                                        .session_timeout_ms = 100,
                                        .subscription = "sub",
                                        .assignment = "asg"}}};
  ASSIGN_OR_REQUIRE(std::string bytes, EncodeGroupMetadataValue(value));
  CHECK(bytes == Be().I16(3)
                     .Str("consumer")
                     .I32(5)
                     .Str("range")
                     .Str("m-1")
                     .I64(123)
                     .I32(1)
                     .Str("m-1")
                     .Str("inst")
                     .Str("c")
                     .Str("/h")
                     .I32(300)
                     .I32(100)
                     .Bytes("sub")
                     .Bytes("asg")
                     .out);
  ASSIGN_OR_REQUIRE(GroupMetadataValue back, DecodeGroupMetadataValue(bytes));
  REQUIRE(back.members.size() == 1);
  CHECK(back.members[0].group_instance_id == "inst");
  CHECK(back.members[0].assignment == "asg");
  CHECK(back.leader == "m-1");

  // An empty group: null protocol and leader.
  ASSIGN_OR_REQUIRE(
      std::string empty,
      EncodeGroupMetadataValue({.protocol_type = "consumer", .generation = 6}));
  CHECK(empty ==
        Be().I16(3).Str("consumer").I32(6).I16(-1).I16(-1).I64(-1).I32(0).out);
  ASSIGN_OR_REQUIRE(GroupMetadataValue e, DecodeGroupMetadataValue(empty));
  CHECK(!e.protocol.has_value());
  CHECK(!e.leader.has_value());
}

TEST_CASE("an offset with an expiry is written as a version 1 value",
          "[group]") {
  ASSIGN_OR_REQUIRE(std::string bytes,
                    EncodeOffsetCommitValue({.offset = 9,
                                             .leader_epoch = -1,
                                             .metadata = "x",
                                             .commit_timestamp_ms = 10,
                                             .expire_timestamp_ms = 20}));
  CHECK(bytes == Be().I16(1).I64(9).Str("x").I64(10).I64(20).out);
  ASSIGN_OR_REQUIRE(OffsetCommitValue back, DecodeOffsetCommitValue(bytes));
  CHECK(back.expire_timestamp_ms == 20);
  CHECK(back.commit_timestamp_ms == 10);
}

TEST_CASE("older record versions are read", "[group]") {
  // OffsetCommitValue v1 carries an explicit expiry; v0 has no leader epoch.
  ASSIGN_OR_REQUIRE(
      OffsetCommitValue v1,
      DecodeOffsetCommitValue(Be().I16(1).I64(9).Str("x").I64(10).I64(20).out));
  CHECK(v1.offset == 9);
  CHECK(v1.leader_epoch == -1);
  CHECK(v1.expire_timestamp_ms == 20);
  ASSIGN_OR_REQUIRE(
      OffsetCommitValue v0,
      DecodeOffsetCommitValue(Be().I16(0).I64(9).Str("").I64(10).out));
  CHECK(v0.commit_timestamp_ms == 10);
  // A legacy (version 0) offset key.
  ASSIGN_OR_REQUIRE(RecordKey k0,
                    DecodeRecordKey(Be().I16(0).Str("g").Str("t").I32(1).out));
  CHECK(k0.type == RecordKey::Type::kOffsetCommit);

  // GroupMetadataValue v0: no state timestamp, instance id or rebalance
  // timeout (which then equals the session timeout).
  ASSIGN_OR_REQUIRE(GroupMetadataValue g0,
                    DecodeGroupMetadataValue(Be().I16(0)
                                                 .Str("consumer")
                                                 .I32(2)
                                                 .Str("range")
                                                 .Str("m")
                                                 .I32(1)
                                                 .Str("m")
                                                 .Str("c")
                                                 .Str("h")
                                                 .I32(100)
                                                 .Bytes("s")
                                                 .Bytes("a")
                                                 .out));
  CHECK(g0.current_state_timestamp_ms == -1);
  REQUIRE(g0.members.size() == 1);
  CHECK(g0.members[0].rebalance_timeout_ms == 100);
  CHECK(!g0.members[0].group_instance_id.has_value());
}

TEST_CASE("malformed, newer or foreign records are told apart", "[group]") {
  CHECK(DecodeRecordKey(std::string("\x00", 1)).status().code() ==
        absl::StatusCode::kDataLoss);
  CHECK(DecodeRecordKey(Be().I16(1).Str("g").out).status().code() ==
        absl::StatusCode::kDataLoss);
  CHECK(DecodeOffsetCommitValue(Be().I16(4).I64(1).out).status().code() ==
        absl::StatusCode::kDataLoss);
  CHECK(DecodeGroupMetadataValue(Be().I16(3)
                                     .Str("consumer")
                                     .I32(1)
                                     .I16(-1)
                                     .I16(-1)
                                     .I64(0)
                                     .I32(1000000)
                                     .out)
            .status()
            .code() == absl::StatusCode::kDataLoss);
  // Keys of Kafka's newer group protocol are someone else's: skipped.
  ASSIGN_OR_REQUIRE(RecordKey other, DecodeRecordKey(Be().I16(3).Str("g").out));
  CHECK(other.type == RecordKey::Type::kUnknown);
}

TEST_CASE(
    "a commit lands as one batch of offset records in the group's "
    "partition",
    "[group]") {
  group_test::CoordinatorFixture f;
  const std::vector<absl::Status> statuses =
      f.Commit("g", -1, "",
               {group_test::At(group_test::Tp("t", 0), 5, "meta"),
                group_test::At(group_test::Tp("t", 1), 6)});
  REQUIRE_OK(statuses[0]);
  const int32_t p = GroupCoordinator::PartitionFor("g", f.partitions);
  ASSIGN_OR_REQUIRE(LogReadResult read,
                    f.log->log(p).Read(Offset(0), ReadOptions{}));
  ASSIGN_OR_REQUIRE(std::string bytes, read.ReadAll());
  record::BatchIterator it(bytes);
  REQUIRE(it.Next());
  ASSIGN_OR_REQUIRE(record::DecodedRecords records, it.batch().DecodeRecords());
  REQUIRE(records.size() == 2);
  ASSIGN_OR_REQUIRE(RecordKey k, DecodeRecordKey(*records.records()[1].key));
  CHECK(k.group == "g");
  CHECK(k.tp == group_test::Tp("t", 1));
  ASSIGN_OR_REQUIRE(OffsetCommitValue v,
                    DecodeOffsetCommitValue(*records.records()[0].value));
  CHECK(v.offset == 5);
  CHECK(v.metadata == "meta");
  CHECK(v.commit_timestamp_ms == group_test::kStartMs);
  CHECK(!it.Next());
}

TEST_CASE(
    "a partition whose records do not decode fails to load and stays "
    "unowned",
    "[group]") {
  group_test::CoordinatorFixture f;
  CHECK_OK(
      f.Commit("g", -1, "", {group_test::At(group_test::Tp("t", 0), 1)}).at(0));
  const int32_t p = GroupCoordinator::PartitionFor("g", f.partitions);
  // A record whose value claims a newer format than this coordinator reads.
  const std::string key = Be().I16(1).Str("g").Str("t").I32(1).out;
  const std::string value = Be().I16(9).I64(1).out;
  record::RecordBatchBuilder builder;
  builder.Append({.timestamp_ms = 0, .key = key, .value = value});
  ASSIGN_OR_REQUIRE(std::string batch, builder.Build());
  REQUIRE_OK(f.log->log(p).Append(batch));

  REQUIRE_OK(f.coordinator->Close());
  f.coordinator.reset();
  ASSIGN_OR_REQUIRE(
      f.coordinator,
      GroupCoordinator::Open(
          {.log = f.log.get(), .clock = f.clock, .config = f.config}));
  absl::Status load = f.coordinator->LoadPartition(p);
  CHECK(load.code() == absl::StatusCode::kDataLoss);
  CHECK(group_test::ReasonOf(
            f.coordinator->FetchOffsets("g", std::nullopt).status()) ==
        "NOT_COORDINATOR");
}

}  // namespace
}  // namespace rill::group
