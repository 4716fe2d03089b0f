#include <catch2/catch.hpp>
#include <string>

#include "record/compression.h"
#include "record/format.h"
#include "record/record_test_util.h"
#include "rill/record/record_batch.h"
#include "util/endian.h"

namespace rill::record {
namespace {

using testing::Hex;
using testing::OwnedRecord;
using testing::Unhex;
using util::LoadBigEndian;

// The golden bytes below were laid out by hand from the format description;
// the CRCs were computed independently with kafka-python's calc_crc32c.

TEST_CASE("a one-record batch is encoded byte for byte as Kafka lays it out",
          "[record]") {
  RecordBatchBuilder builder;
  builder.Append({.timestamp_ms = 1000, .key = "k", .value = "v"});
  absl::StatusOr<std::string> batch = builder.Build();
  REQUIRE(batch.ok());
  const std::string expected = Unhex(
      "0000000000000000"  // baseOffset 0
      "0000003a"          // batchLength 58 = 49 + 9 bytes of records
      "ffffffff"          // partitionLeaderEpoch -1 (a producer's value)
      "02"                // magic
      "716a6189"          // crc
      "0000"              // attributes: no codec, CreateTime
      "00000000"          // lastOffsetDelta 0
      "00000000000003e8"  // baseTimestamp 1000
      "00000000000003e8"  // maxTimestamp 1000
      "ffffffffffffffff"  // producerId -1
      "ffff"              // producerEpoch -1
      "ffffffff"          // baseSequence -1
      "00000001"          // recordsCount 1
      // record: length 8, attributes 0, timestampDelta 0, offsetDelta 0,
      // key "k", value "v", no headers
      "10 00 00 00 02 6b 02 76 00");
  CHECK(Hex(*batch) == Hex(expected));
}

TEST_CASE(
    "a transactional batch with headers and null fields matches hand-computed "
    "bytes",
    "[record]") {
  RecordBatchBuilder builder({.producer_id = 1234,
                              .producer_epoch = 5,
                              .base_sequence = 7,
                              .is_transactional = true});
  builder.Append({.timestamp_ms = 1700000000000,
                  .key = std::nullopt,
                  .value = "hello",
                  .headers = {{.key = "h1", .value = "x"}}});
  builder.Append({.timestamp_ms = 1700000000005,
                  .key = "k2",
                  .value = std::nullopt,
                  .headers = {{.key = "n", .value = std::nullopt}}});
  absl::StatusOr<std::string> batch = builder.Build();
  REQUIRE(batch.ok());
  const std::string expected = Unhex(
      "0000000000000000 0000004e ffffffff 02"
      "0a55fb48"          // crc
      "0010"              // attributes: transactional
      "00000001"          // lastOffsetDelta 1
      "0000018bcfe56800"  // baseTimestamp 1700000000000
      "0000018bcfe56805"  // maxTimestamp 1700000000005
      "00000000000004d2"  // producerId 1234
      "0005"              // producerEpoch 5
      "00000007"          // baseSequence 7
      "00000002"          // recordsCount 2
      // length 16, attrs, tsDelta 0, offsetDelta 0, key null (varint -1),
      // value "hello", 1 header: "h1" = "x"
      "20 00 00 00 01 0a 68656c6c6f 02 04 6831 02 78"
      // length 11, attrs, tsDelta 5, offsetDelta 1, key "k2", value null,
      // 1 header: "n" = null
      "16 00 0a 02 04 6b32 01 02 02 6e 01");
  CHECK(Hex(*batch) == Hex(expected));
  CHECK(builder.EstimatedSize() == expected.size());
}

TEST_CASE("the builder writes every option into its header field", "[record]") {
  RecordBatchBuilder builder({.base_offset = 0x0102030405060708,
                              .partition_leader_epoch = 9,
                              .producer_id = 77,
                              .producer_epoch = 3,
                              .base_sequence = 1000,
                              .is_transactional = true,
                              .is_control = true});
  builder.Append({.timestamp_ms = 50,
                  .key = ControlRecordKey(ControlType::kCommit),
                  .value = ControlRecordValue(4)});
  absl::StatusOr<std::string> built = builder.Build();
  REQUIRE(built.ok());
  const char* p = built->data();
  CHECK(LoadBigEndian<int64_t>(p + format::kBaseOffsetOffset) ==
        0x0102030405060708);
  CHECK(LoadBigEndian<int32_t>(p + format::kBatchLengthOffset) ==
        static_cast<int32_t>(built->size() - 12));
  CHECK(LoadBigEndian<int32_t>(p + format::kPartitionLeaderEpochOffset) == 9);
  CHECK(p[format::kMagicOffset] == 2);
  CHECK(LoadBigEndian<int16_t>(p + format::kAttributesOffset) == 0x30);
  CHECK(LoadBigEndian<int32_t>(p + format::kLastOffsetDeltaOffset) == 0);
  CHECK(LoadBigEndian<int64_t>(p + format::kBaseTimestampOffset) == 50);
  CHECK(LoadBigEndian<int64_t>(p + format::kMaxTimestampOffset) == 50);
  CHECK(LoadBigEndian<int64_t>(p + format::kProducerIdOffset) == 77);
  CHECK(LoadBigEndian<int16_t>(p + format::kProducerEpochOffset) == 3);
  CHECK(LoadBigEndian<int32_t>(p + format::kBaseSequenceOffset) == 1000);
  CHECK(LoadBigEndian<int32_t>(p + format::kRecordsCountOffset) == 1);

  absl::StatusOr<RecordBatchView> view = RecordBatchView::Parse(*built);
  REQUIRE(view.ok());
  CHECK(view->VerifyCrc().ok());
  CHECK(view->header().is_control());
  CHECK(view->header().is_transactional());
  CHECK(view->header().last_offset() == 0x0102030405060708);
}

TEST_CASE(
    "baseTimestamp is the first record's timestamp and maxTimestamp the "
    "largest",
    "[record]") {
  RecordBatchBuilder builder;
  builder.Append({.timestamp_ms = 500, .value = "a"});
  builder.Append({.timestamp_ms = 900, .value = "b"});
  builder.Append({.timestamp_ms = 100, .value = "c"});  // delta -400
  absl::StatusOr<std::string> built = builder.Build();
  REQUIRE(built.ok());
  absl::StatusOr<RecordBatchView> view = RecordBatchView::Parse(*built);
  REQUIRE(view.ok());
  CHECK(view->header().base_timestamp == 500);
  CHECK(view->header().max_timestamp == 900);
  CHECK(view->header().timestamp_type() == TimestampType::kCreateTime);
  absl::StatusOr<DecodedRecords> records = view->DecodeRecords();
  REQUIRE(records.ok());
  REQUIRE(records->size() == 3);
  CHECK(records->records()[2].timestamp_delta == -400);
  CHECK(records->records()[2].timestamp_ms == 100);
}

TEST_CASE(
    "a LogAppendTime batch carries the append time as maxTimestamp and every "
    "record reads it",
    "[record]") {
  SECTION("with an explicit append time") {
    RecordBatchBuilder builder({.timestamp_type = TimestampType::kLogAppendTime,
                                .log_append_time_ms = 5000});
    builder.Append({.timestamp_ms = 10, .value = "a"});
    builder.Append({.timestamp_ms = 30, .value = "b"});
    absl::StatusOr<std::string> built = builder.Build();
    REQUIRE(built.ok());
    absl::StatusOr<RecordBatchView> view = RecordBatchView::Parse(*built);
    REQUIRE(view.ok());
    CHECK((view->header().attributes & format::kTimestampTypeBit) != 0);
    CHECK(view->header().base_timestamp == 10);
    CHECK(view->header().max_timestamp == 5000);
    absl::StatusOr<DecodedRecords> records = view->DecodeRecords();
    REQUIRE(records.ok());
    for (const RecordView& r : *records) CHECK(r.timestamp_ms == 5000);
    CHECK(records->records()[1].timestamp_delta == 20);
  }
  SECTION("without one, the largest record timestamp") {
    RecordBatchBuilder builder(
        {.timestamp_type = TimestampType::kLogAppendTime});
    builder.Append({.timestamp_ms = 10, .value = "a"});
    builder.Append({.timestamp_ms = 30, .value = "b"});
    absl::StatusOr<std::string> built = builder.Build();
    REQUIRE(built.ok());
    absl::StatusOr<RecordBatchView> view = RecordBatchView::Parse(*built);
    REQUIRE(view.ok());
    CHECK(view->header().max_timestamp == 30);
  }
}

TEST_CASE(
    "AppendWithOffset leaves gaps and set_last_offset_delta extends the "
    "batch",
    "[record]") {
  RecordBatchBuilder builder({.base_offset = 100});
  builder.AppendWithOffset(Offset(100), {.timestamp_ms = 1, .value = "a"});
  builder.AppendWithOffset(Offset(105), {.timestamp_ms = 2, .value = "b"});
  builder.Append({.timestamp_ms = 3, .value = "c"});  // offset 106
  builder.set_last_offset_delta(9);
  absl::StatusOr<std::string> built = builder.Build();
  REQUIRE(built.ok());
  absl::StatusOr<RecordBatchView> view = RecordBatchView::Parse(*built);
  REQUIRE(view.ok());
  CHECK(view->header().last_offset_delta == 9);
  CHECK(view->header().last_offset() == 109);
  CHECK(view->header().records_count == 3);
  absl::StatusOr<DecodedRecords> records = view->DecodeRecords();
  REQUIRE(records.ok());
  REQUIRE(records->size() == 3);
  CHECK(records->records()[0].offset == Offset(100));
  CHECK(records->records()[1].offset == Offset(105));
  CHECK(records->records()[2].offset == Offset(106));
  CHECK(records->records()[2].offset_delta == 6);
}

TEST_CASE("the builder refuses to build what it cannot encode", "[record]") {
  SECTION("no records") {
    RecordBatchBuilder builder;
    CHECK(builder.Build().status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
  SECTION("an offset below the base offset") {
    RecordBatchBuilder builder({.base_offset = 10});
    builder.AppendWithOffset(Offset(9), {.value = "a"});
    CHECK(builder.record_count() == 0);
    CHECK(builder.Build().status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
  SECTION("offsets out of order") {
    RecordBatchBuilder builder;
    builder.AppendWithOffset(Offset(5), {.value = "a"});
    builder.AppendWithOffset(Offset(5), {.value = "b"});
    CHECK(builder.Build().status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
  SECTION("an offset more than INT32_MAX past the base") {
    RecordBatchBuilder builder;
    builder.AppendWithOffset(Offset(int64_t{1} << 31), {.value = "a"});
    CHECK(builder.Build().status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
  SECTION("a last offset delta below the last record's") {
    RecordBatchBuilder builder;
    builder.Append({.value = "a"});
    builder.Append({.value = "b"});
    builder.set_last_offset_delta(0);
    CHECK(builder.Build().status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE(
    "a compressed batch holds exactly the uncompressed batch's records, "
    "compressed",
    "[record]") {
  const std::vector<OwnedRecord> records = testing::SampleRecords();
  absl::StatusOr<std::string> plain = testing::Build({}, records);
  REQUIRE(plain.ok());
  for (Compression codec : testing::kAllCodecs) {
    if (codec == Compression::kNone) continue;
    DYNAMIC_SECTION(testing::CodecName(codec)) {
      absl::StatusOr<std::string> packed =
          testing::Build({.compression = codec}, records);
      REQUIRE(packed.ok());
      CHECK(
          LoadBigEndian<int16_t>(packed->data() + format::kAttributesOffset) ==
          static_cast<int16_t>(codec));
      // Header fields other than length, CRC and attributes are the same.
      CHECK(
          packed->substr(
              format::kLastOffsetDeltaOffset,
              format::kHeaderSize - format::kLastOffsetDeltaOffset) ==
          plain->substr(format::kLastOffsetDeltaOffset,
                        format::kHeaderSize - format::kLastOffsetDeltaOffset));
      absl::StatusOr<std::string> section = internal::Decompress(
          codec, std::string_view(*packed).substr(format::kRecordsOffset),
          1 << 20);
      REQUIRE(section.ok());
      CHECK(Hex(*section) == Hex(plain->substr(format::kRecordsOffset)));
    }
  }
}

}  // namespace
}  // namespace rill::record
