// Malformed batches: every way a batch can be wrong must give an error, never
// an out-of-bounds read or an abort.
#include <zstd.h>

#include <catch2/catch.hpp>
#include <string>

#include "record/compression.h"
#include "record/format.h"
#include "record/record_test_util.h"
#include "rill/record/record_batch.h"
#include "util/crc32c.h"
#include "util/endian.h"
#include "util/varint.h"

namespace rill::record {
namespace {

using util::StoreBigEndian;

// Reseal fixes batchLength and the CRC after a test edits a batch, so the
// decoder (not the CRC check) is what meets the damage.
void Reseal(std::string* batch) {
  StoreBigEndian<int32_t>(batch->data() + format::kBatchLengthOffset,
                          static_cast<int32_t>(batch->size() - 12));
  StoreBigEndian<uint32_t>(
      batch->data() + format::kCrcOffset,
      util::crc32c::Value(batch->data() + format::kCrcStart,
                          batch->size() - format::kCrcStart));
}

// WithRecords returns a valid header (from a built batch) followed by
// `records` as its uncompressed records section, claiming `count` records.
std::string WithRecords(std::string_view records, int32_t count) {
  RecordBatchBuilder builder;
  builder.Append({.timestamp_ms = 1, .value = "v"});
  std::string batch = builder.Build().value().substr(0, format::kHeaderSize);
  batch += records;
  StoreBigEndian(batch.data() + format::kRecordsCountOffset, count);
  Reseal(&batch);
  return batch;
}

absl::StatusCode DecodeCode(const std::string& batch) {
  absl::StatusOr<RecordBatchView> view = RecordBatchView::Parse(batch);
  if (!view.ok()) return view.status().code();
  absl::StatusOr<DecodedRecords> decoded = view->DecodeRecords();
  return decoded.status().code();
}

// Record bodies, then framed with a length prefix.
std::string Framed(std::string_view body) {
  std::string out;
  util::PutVarint32(&out, static_cast<int32_t>(body.size()));
  out += body;
  return out;
}

TEST_CASE("Parse refuses short buffers, bad lengths and unknown magic",
          "[record]") {
  absl::StatusOr<std::string> good =
      testing::Build({}, testing::SampleRecords());
  REQUIRE(good.ok());
  auto parse_code = [](std::string_view bytes) {
    return RecordBatchView::Parse(bytes).status().code();
  };
  CHECK(parse_code("") == absl::StatusCode::kInvalidArgument);
  CHECK(parse_code(std::string_view(*good).substr(0, 60)) ==
        absl::StatusCode::kInvalidArgument);
  CHECK(parse_code(std::string_view(*good).substr(0, good->size() - 1)) ==
        absl::StatusCode::kInvalidArgument);
  for (int32_t length :
       {-1, INT32_MIN, 0, 48, INT32_MAX, static_cast<int32_t>(good->size())}) {
    std::string bad = *good;
    StoreBigEndian(bad.data() + format::kBatchLengthOffset, length);
    CHECK(parse_code(bad) == absl::StatusCode::kInvalidArgument);
  }
  for (int magic : {0, 1, 3, -1}) {
    std::string bad = *good;
    bad[format::kMagicOffset] = static_cast<char>(magic);
    CHECK(parse_code(bad) == absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("a flipped bit anywhere under the CRC fails VerifyCrc", "[record]") {
  absl::StatusOr<std::string> good = testing::Build(
      {.compression = Compression::kLz4}, testing::SampleRecords());
  REQUIRE(good.ok());
  for (size_t i = 0; i < good->size(); ++i) {
    std::string bad = *good;
    bad[i] = static_cast<char>(bad[i] ^ 0x10);
    absl::StatusOr<RecordBatchView> view = RecordBatchView::Parse(bad);
    if (i >= format::kBatchLengthOffset &&
        i < format::kPartitionLeaderEpochOffset) {
      // batchLength decides which bytes the CRC covers: either the batch no
      // longer fits or its CRC no longer matches.
      CHECK((!view.ok() || !view->VerifyCrc().ok()));
      continue;
    }
    if (i < format::kCrcOffset) {
      // Outside the CRC: baseOffset, leader epoch, magic (which Parse checks).
      if (view.ok()) CHECK(view->VerifyCrc().ok());
      continue;
    }
    REQUIRE(view.ok());
    CHECK(view->VerifyCrc().code() == absl::StatusCode::kDataLoss);
  }
}

TEST_CASE("unknown codecs 5 to 7 are kDataLoss on decode", "[record]") {
  absl::StatusOr<std::string> good =
      testing::Build({}, testing::SampleRecords());
  REQUIRE(good.ok());
  for (int16_t codec = 5; codec <= 7; ++codec) {
    std::string bad = *good;
    StoreBigEndian<int16_t>(bad.data() + format::kAttributesOffset, codec);
    Reseal(&bad);
    CHECK(DecodeCode(bad) == absl::StatusCode::kDataLoss);
  }
}

TEST_CASE("a record count that disagrees with the records is kDataLoss",
          "[record]") {
  const std::string one = Framed(testing::Unhex("00 00 00 01 01 00"));
  CHECK(DecodeCode(WithRecords(one, 1)) == absl::StatusCode::kOk);
  CHECK(DecodeCode(WithRecords(one, 2)) == absl::StatusCode::kDataLoss);
  CHECK(DecodeCode(WithRecords(one, 0)) == absl::StatusCode::kDataLoss);
  CHECK(DecodeCode(WithRecords(one, -1)) == absl::StatusCode::kDataLoss);
  CHECK(DecodeCode(WithRecords(one, INT32_MAX)) == absl::StatusCode::kDataLoss);
  CHECK(DecodeCode(WithRecords(one + one, 1)) == absl::StatusCode::kDataLoss);
  // A compressed batch claiming more records than it holds.
  absl::StatusOr<std::string> packed = testing::Build(
      {.compression = Compression::kSnappy}, testing::SampleRecords());
  REQUIRE(packed.ok());
  StoreBigEndian<int32_t>(packed->data() + format::kRecordsCountOffset, 6);
  Reseal(&*packed);
  CHECK(DecodeCode(*packed) == absl::StatusCode::kDataLoss);
}

TEST_CASE("an empty batch with no records section decodes to nothing",
          "[record]") {
  CHECK(DecodeCode(WithRecords("", 0)) == absl::StatusCode::kOk);
}

TEST_CASE("malformed record fields are kDataLoss", "[record]") {
  struct Case {
    const char* name;
    std::string records;
  };
  const std::string overlong_varint = testing::Unhex("ffffffffffffffffffff01");
  const Case cases[] = {
      {"a record length varint that overflows", overlong_varint},
      {"a truncated record length varint", testing::Unhex("80")},
      {"a negative record length", testing::Unhex("01 00 00 00 01 01 00")},
      {"a record length past the end", testing::Unhex("20 00 00 00 01 01 00")},
      {"a record length longer than its fields",
       Framed(testing::Unhex("00 00 00 01 01 00 00"))},
      {"a record length shorter than its fields",
       Framed(testing::Unhex("00 00 00 01 01"))},
      {"an empty record", Framed("")},
      {"a timestampDelta varint that overflows",
       Framed(std::string(1, '\0') + overlong_varint +
              testing::Unhex("00 01 01 00"))},
      {"an offsetDelta varint that overflows int32",
       Framed(testing::Unhex("00 00 ffffffff1f 01 01 00"))},
      {"a key length past the end", Framed(testing::Unhex("00 00 00 0a 61"))},
      {"a key length of -2", Framed(testing::Unhex("00 00 00 03 01 00"))},
      {"a value length past the end",
       Framed(testing::Unhex("00 00 00 01 08 61 00"))},
      {"a value length of -3", Framed(testing::Unhex("00 00 00 01 05 00"))},
      {"a negative header count", Framed(testing::Unhex("00 00 00 01 01 01"))},
      {"a header count larger than the bytes left",
       Framed(testing::Unhex("00 00 00 01 01 feffffff0f"))},
      {"a null header key", Framed(testing::Unhex("00 00 00 01 01 02 01 00"))},
      {"a header key past the end",
       Framed(testing::Unhex("00 00 00 01 01 02 08 61"))},
      {"a header value past the end",
       Framed(testing::Unhex("00 00 00 01 01 02 02 61 08 61"))},
      {"a header value length of -2",
       Framed(testing::Unhex("00 00 00 01 01 02 02 61 03"))},
      {"a missing header",
       Framed(testing::Unhex("00 00 00 01 01 04 02 61 01"))},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      CHECK(DecodeCode(WithRecords(c.records, 1)) ==
            absl::StatusCode::kDataLoss);
    }
  }
}

TEST_CASE("a valid hand-made record with a null header value decodes",
          "[record]") {
  // The negative control for the cases above.
  const std::string batch =
      WithRecords(Framed(testing::Unhex("00 04 02 01 02 61 02 02 61 01")), 1);
  absl::StatusOr<RecordBatchView> view = RecordBatchView::Parse(batch);
  REQUIRE(view.ok());
  absl::StatusOr<DecodedRecords> decoded = view->DecodeRecords();
  REQUIRE(decoded.ok());
  const RecordView& r = decoded->records()[0];
  CHECK(r.timestamp_delta == 2);
  CHECK(r.offset_delta == 1);
  CHECK_FALSE(r.key.has_value());
  CHECK(r.value == std::optional<std::string_view>("a"));
  REQUIRE(r.headers.size() == 1);
  CHECK(r.headers[0].key == "a");
  CHECK_FALSE(r.headers[0].value.has_value());
}

TEST_CASE("corrupt or oversized compressed records are kDataLoss", "[record]") {
  for (Compression codec : testing::kAllCodecs) {
    if (codec == Compression::kNone) continue;
    DYNAMIC_SECTION(testing::CodecName(codec)) {
      absl::StatusOr<std::string> packed = testing::Build(
          {.compression = codec}, testing::SampleRecords(/*large=*/true));
      REQUIRE(packed.ok());
      absl::StatusOr<RecordBatchView> view = RecordBatchView::Parse(*packed);
      REQUIRE(view.ok());
      // Over the caller's limit: a bomb as far as the decoder can tell.
      CHECK(view->DecodeRecords(64 * 1024).status().code() ==
            absl::StatusCode::kDataLoss);
      // Garbage in place of the compressed bytes.
      std::string garbage =
          packed->substr(0, format::kHeaderSize) + std::string(100, '\x5a');
      Reseal(&garbage);
      CHECK(DecodeCode(garbage) == absl::StatusCode::kDataLoss);
      // A compressed stream cut short (the batch resealed around it).
      std::string cut = packed->substr(0, packed->size() - 10);
      Reseal(&cut);
      CHECK(DecodeCode(cut) == absl::StatusCode::kDataLoss);
    }
  }
}

TEST_CASE("a bomb inside a batch is refused at the default limit too",
          "[record]") {
  // 300 MiB of valid records, compressed as one zstd stream (fed in 1 MiB
  // pieces so the test never holds the whole thing).
  const std::string record = Framed(testing::Unhex("00 00 00 01 01 00"));
  std::string piece;
  while (piece.size() + record.size() <= (1u << 20)) piece += record;
  constexpr int kPieces = 300;
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  std::string compressed(1 << 20, '\0');
  ZSTD_outBuffer out{compressed.data(), compressed.size(), 0};
  for (int i = 0; i < kPieces; ++i) {
    ZSTD_inBuffer in{piece.data(), piece.size(), 0};
    const ZSTD_EndDirective mode =
        i + 1 == kPieces ? ZSTD_e_end : ZSTD_e_continue;
    size_t left;
    do {
      left = ZSTD_compressStream2(cctx, &out, &in, mode);
      REQUIRE_FALSE(ZSTD_isError(left));
    } while (in.pos < in.size || (mode == ZSTD_e_end && left != 0));
  }
  ZSTD_freeCCtx(cctx);
  compressed.resize(out.pos);
  const auto count = static_cast<int32_t>(kPieces * (piece.size() / 7));
  std::string batch = WithRecords(compressed, count);
  StoreBigEndian<int16_t>(batch.data() + format::kAttributesOffset,
                          static_cast<int16_t>(Compression::kZstd));
  Reseal(&batch);
  CHECK(DecodeCode(batch) == absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace rill::record
