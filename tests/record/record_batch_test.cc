#include "rill/record/record_batch.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "record/format.h"
#include "record/record_test_util.h"
#include "util/endian.h"

namespace rill::record {
namespace {

using testing::OwnedRecord;
using testing::ToOwned;

// RoundTrip builds `records` with `options`, parses, verifies and decodes the
// batch, and checks every field against the input.
void RoundTrip(const BatchOptions& options,
               const std::vector<OwnedRecord>& records) {
  absl::StatusOr<std::string> built = testing::Build(options, records);
  REQUIRE(built.ok());
  absl::StatusOr<RecordBatchView> view = RecordBatchView::Parse(*built);
  REQUIRE(view.ok());
  CHECK(view->data().size() == built->size());
  CHECK(view->VerifyCrc().ok());

  const RecordBatchHeader& h = view->header();
  CHECK(h.base_offset == options.base_offset);
  CHECK(h.partition_leader_epoch == options.partition_leader_epoch);
  CHECK(h.magic == 2);
  CHECK(h.compression() == options.compression);
  CHECK(h.timestamp_type() == options.timestamp_type);
  CHECK(h.is_transactional() == options.is_transactional);
  CHECK(h.is_control() == options.is_control);
  CHECK(h.producer_id == options.producer_id);
  CHECK(h.producer_epoch == options.producer_epoch);
  CHECK(h.base_sequence == options.base_sequence);
  CHECK(h.records_count == static_cast<int32_t>(records.size()));
  CHECK(h.last_offset_delta == static_cast<int32_t>(records.size() - 1));
  CHECK(h.total_size() == static_cast<int64_t>(built->size()));

  absl::StatusOr<DecodedRecords> decoded = view->DecodeRecords();
  REQUIRE(decoded.ok());
  REQUIRE(decoded->size() == records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    const RecordView& r = decoded->records()[i];
    CHECK(r.offset == Offset(options.base_offset + static_cast<int64_t>(i)));
    CHECK(r.offset_delta == static_cast<int32_t>(i));
    CHECK(r.attributes == 0);
    CHECK(r.timestamp_delta ==
          records[i].timestamp_ms - records[0].timestamp_ms);
    OwnedRecord expected = records[i];
    if (options.timestamp_type == TimestampType::kLogAppendTime) {
      expected.timestamp_ms = h.max_timestamp;
    }
    CHECK(ToOwned(r) == expected);
  }
}

TEST_CASE(
    "batches of every codec round-trip keys, values, nulls, headers and "
    "header fields",
    "[record]") {
  for (Compression codec : testing::kAllCodecs) {
    for (bool large : {false, true}) {
      DYNAMIC_SECTION(testing::CodecName(codec) << (large ? " large" : "")) {
        const std::vector<OwnedRecord> records = testing::SampleRecords(large);
        SECTION("a plain producer batch") {
          RoundTrip({.compression = codec}, records);
        }
        SECTION("an idempotent, transactional batch at an assigned offset") {
          RoundTrip({.compression = codec,
                     .base_offset = 1 << 20,
                     .partition_leader_epoch = 12,
                     .producer_id = 987654321,
                     .producer_epoch = 4,
                     .base_sequence = 2000,
                     .is_transactional = true},
                    records);
        }
        SECTION("a LogAppendTime batch") {
          RoundTrip({.compression = codec,
                     .timestamp_type = TimestampType::kLogAppendTime,
                     .log_append_time_ms = 1800000000000},
                    records);
        }
        SECTION("with a compression level") {
          RoundTrip({.compression = codec, .compression_level = 1}, records);
        }
      }
    }
  }
}

TEST_CASE("a control batch round-trips its transaction marker", "[record]") {
  for (Compression codec : testing::kAllCodecs) {
    DYNAMIC_SECTION(testing::CodecName(codec)) {
      const std::string key = ControlRecordKey(ControlType::kAbort);
      const std::string value = ControlRecordValue(17);
      RecordBatchBuilder builder({.compression = codec,
                                  .producer_id = 5,
                                  .producer_epoch = 1,
                                  .is_transactional = true,
                                  .is_control = true});
      builder.Append({.timestamp_ms = 123, .key = key, .value = value});
      absl::StatusOr<std::string> built = builder.Build();
      REQUIRE(built.ok());
      absl::StatusOr<RecordBatchView> view = RecordBatchView::Parse(*built);
      REQUIRE(view.ok());
      CHECK(view->VerifyCrc().ok());
      CHECK(view->header().is_control());
      absl::StatusOr<DecodedRecords> decoded = view->DecodeRecords();
      REQUIRE(decoded.ok());
      REQUIRE(decoded->size() == 1);
      const RecordView& r = decoded->records()[0];
      REQUIRE(r.key.has_value());
      REQUIRE(r.value.has_value());
      CHECK(ParseControlRecordKey(*r.key).value() == ControlType::kAbort);
      CHECK(ParseControlRecordValue(*r.value).value() == 17);
    }
  }
}

TEST_CASE("decoded records stay valid when DecodedRecords is moved",
          "[record]") {
  // A tiny compressed batch: its decompressed records fit in a std::string's
  // inline buffer, which a move would copy away from the views.
  for (Compression codec : testing::kAllCodecs) {
    DYNAMIC_SECTION(testing::CodecName(codec)) {
      RecordBatchBuilder builder({.compression = codec});
      builder.Append({.timestamp_ms = 1, .key = "k", .value = "v"});
      absl::StatusOr<std::string> built = builder.Build();
      REQUIRE(built.ok());
      absl::StatusOr<RecordBatchView> view = RecordBatchView::Parse(*built);
      REQUIRE(view.ok());
      absl::StatusOr<DecodedRecords> decoded = view->DecodeRecords();
      REQUIRE(decoded.ok());
      DecodedRecords moved = *std::move(decoded);
      DecodedRecords again;
      again = std::move(moved);
      REQUIRE(again.size() == 1);
      CHECK(again.records()[0].key == std::optional<std::string_view>("k"));
      CHECK(again.records()[0].value == std::optional<std::string_view>("v"));
    }
  }
}

TEST_CASE("Parse reads one batch from the front of a longer buffer",
          "[record]") {
  absl::StatusOr<std::string> a =
      testing::Build({.base_offset = 0}, testing::SampleRecords());
  absl::StatusOr<std::string> b =
      testing::Build({.base_offset = 5}, testing::SampleRecords());
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  const std::string both = *a + *b;
  absl::StatusOr<RecordBatchView> view = RecordBatchView::Parse(both);
  REQUIRE(view.ok());
  CHECK(view->data() == *a);
  CHECK(view->VerifyCrc().ok());
}

TEST_CASE(
    "rewriting baseOffset and partitionLeaderEpoch keeps the CRC valid and "
    "moves every offset",
    "[record]") {
  for (Compression codec : testing::kAllCodecs) {
    DYNAMIC_SECTION(testing::CodecName(codec)) {
      absl::StatusOr<std::string> built =
          testing::Build({.compression = codec}, testing::SampleRecords());
      REQUIRE(built.ok());
      std::string batch = *built;
      SetBaseOffset(batch.data(), 4000);
      SetPartitionLeaderEpoch(batch.data(), 8);
      absl::StatusOr<RecordBatchView> view = RecordBatchView::Parse(batch);
      REQUIRE(view.ok());
      CHECK(view->VerifyCrc().ok());
      CHECK(view->header().base_offset == 4000);
      CHECK(view->header().partition_leader_epoch == 8);
      CHECK(view->header().last_offset() == 4004);
      // Only those two fields changed.
      CHECK(batch.substr(format::kMagicOffset) ==
            built->substr(format::kMagicOffset));
      absl::StatusOr<DecodedRecords> decoded = view->DecodeRecords();
      REQUIRE(decoded.ok());
      for (size_t i = 0; i < decoded->size(); ++i) {
        CHECK(decoded->records()[i].offset ==
              Offset(4000 + static_cast<int64_t>(i)));
      }
    }
  }
}

TEST_CASE(
    "SetLogAppendTime sets the timestamp type and maxTimestamp and "
    "recomputes the CRC",
    "[record]") {
  for (Compression codec : testing::kAllCodecs) {
    DYNAMIC_SECTION(testing::CodecName(codec)) {
      absl::StatusOr<std::string> built =
          testing::Build({.compression = codec, .is_transactional = true},
                         testing::SampleRecords());
      REQUIRE(built.ok());
      std::string batch = *built;
      SetLogAppendTime(batch.data(), batch.size(), 1900000000000);
      absl::StatusOr<RecordBatchView> view = RecordBatchView::Parse(batch);
      REQUIRE(view.ok());
      CHECK(view->VerifyCrc().ok());
      CHECK(view->header().timestamp_type() == TimestampType::kLogAppendTime);
      CHECK(view->header().is_transactional());
      CHECK(view->header().compression() == codec);
      CHECK(view->header().max_timestamp == 1900000000000);
      absl::StatusOr<DecodedRecords> decoded = view->DecodeRecords();
      REQUIRE(decoded.ok());
      for (const RecordView& r : *decoded) {
        CHECK(r.timestamp_ms == 1900000000000);
      }

      // The same as building it as a LogAppendTime batch in the first place.
      absl::StatusOr<std::string> direct =
          testing::Build({.compression = codec,
                          .timestamp_type = TimestampType::kLogAppendTime,
                          .is_transactional = true,
                          .log_append_time_ms = 1900000000000},
                         testing::SampleRecords());
      REQUIRE(direct.ok());
      CHECK(testing::Hex(batch) == testing::Hex(*direct));
    }
  }
}

}  // namespace
}  // namespace rill::record
