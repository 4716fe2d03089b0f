#include "record/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zstd.h>

#include <catch2/catch.hpp>
#include <random>
#include <string>

#include "record/record_test_util.h"
#include "util/endian.h"

namespace rill::record::internal {
namespace {

using testing::CodecName;
using testing::kAllCodecs;

constexpr size_t kLimit = 1 << 20;

std::string Compressible(size_t n) {
  std::string s;
  while (s.size() < n) s += "rill compresses kafka batches; ";
  s.resize(n);
  return s;
}

std::string Random(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

std::string MustCompress(Compression codec, std::string_view input) {
  std::string out;
  REQUIRE(Compress(codec, 0, input, &out).ok());
  return out;
}

TEST_CASE("every codec round-trips empty, small, large and random input",
          "[record]") {
  for (Compression codec : kAllCodecs) {
    if (codec == Compression::kNone) continue;
    DYNAMIC_SECTION(CodecName(codec)) {
      for (const std::string& input :
           {std::string(), std::string("x"), Compressible(300 * 1024),
            Random(100 * 1024, 7)}) {
        const std::string packed = MustCompress(codec, input);
        absl::StatusOr<std::string> out = Decompress(codec, packed, kLimit);
        REQUIRE(out.ok());
        CHECK(*out == input);
      }
    }
  }
}

TEST_CASE("Compress appends to what the output already holds", "[record]") {
  std::string out = "prefix";
  REQUIRE(Compress(Compression::kZstd, 0, "data", &out).ok());
  CHECK(out.substr(0, 6) == "prefix");
  CHECK(Decompress(Compression::kZstd, std::string_view(out).substr(6), 100)
            .value() == "data");
}

TEST_CASE("the none codec and undefined codecs are refused", "[record]") {
  std::string out;
  CHECK(Compress(Compression::kNone, 0, "x", &out).code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(Decompress(static_cast<Compression>(5), "x", kLimit).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE(
    "output that reaches the limit exactly is accepted, one byte more "
    "is a bomb",
    "[record]") {
  const std::string input = Compressible(100000);
  for (Compression codec : kAllCodecs) {
    if (codec == Compression::kNone) continue;
    DYNAMIC_SECTION(CodecName(codec)) {
      const std::string packed = MustCompress(codec, input);
      CHECK(Decompress(codec, packed, input.size()).ok());
      absl::StatusOr<std::string> over =
          Decompress(codec, packed, input.size() - 1);
      CHECK(over.status().code() == absl::StatusCode::kDataLoss);
    }
  }
}

TEST_CASE("a decompression bomb is refused without inflating it", "[record]") {
  // 64 MiB of zeros compresses to a few KiB; with a 1 MiB limit the decoder
  // must stop early.
  const std::string zeros(64 << 20, '\0');
  for (Compression codec : kAllCodecs) {
    if (codec == Compression::kNone) continue;
    DYNAMIC_SECTION(CodecName(codec)) {
      const std::string packed = MustCompress(codec, zeros);
      CHECK(packed.size() < (4 << 20));
      absl::StatusOr<std::string> out = Decompress(codec, packed, kLimit);
      CHECK(out.status().code() == absl::StatusCode::kDataLoss);
    }
  }
}

TEST_CASE("garbage, truncated and trailing bytes are kDataLoss", "[record]") {
  const std::string input = Compressible(50000);
  for (Compression codec : kAllCodecs) {
    if (codec == Compression::kNone) continue;
    DYNAMIC_SECTION(CodecName(codec)) {
      const std::string packed = MustCompress(codec, input);
      CHECK(Decompress(codec, "", kLimit).status().code() ==
            absl::StatusCode::kDataLoss);
      CHECK(Decompress(codec, Random(1000, 3), kLimit).status().code() ==
            absl::StatusCode::kDataLoss);
      for (size_t cut : {size_t{1}, packed.size() / 2, packed.size() - 1}) {
        CHECK(Decompress(codec, std::string_view(packed).substr(0, cut), kLimit)
                  .status()
                  .code() == absl::StatusCode::kDataLoss);
      }
      CHECK(Decompress(codec, packed + "junk!", kLimit).status().code() ==
            absl::StatusCode::kDataLoss);
    }
  }
}

// Xerial framing as snappy-java and kafka-python write it.
std::string Xerial(const std::vector<std::string>& chunks) {
  std::string out(kXerialSnappyMagic);
  util::AppendBigEndian<int32_t>(&out, 1);  // version
  util::AppendBigEndian<int32_t>(&out, 1);  // compat
  for (const std::string& chunk : chunks) {
    std::string block;
    snappy::Compress(chunk.data(), chunk.size(), &block);
    util::AppendBigEndian<int32_t>(&out, static_cast<int32_t>(block.size()));
    out += block;
  }
  return out;
}

TEST_CASE("snappy reads raw blocks and xerial framing", "[record]") {
  const std::string a = Compressible(32 * 1024);
  const std::string b = Random(10000, 5);
  SECTION("several xerial chunks") {
    absl::StatusOr<std::string> out =
        Decompress(Compression::kSnappy, Xerial({a, b, "tail"}), kLimit);
    REQUIRE(out.ok());
    CHECK(*out == a + b + "tail");
  }
  SECTION("a xerial header with no chunks is empty") {
    CHECK(Decompress(Compression::kSnappy, Xerial({}), kLimit).value() == "");
  }
  SECTION("a xerial chunk length past the end") {
    std::string framed = Xerial({a});
    util::StoreBigEndian<int32_t>(framed.data() + kXerialHeaderSize,
                                  static_cast<int32_t>(framed.size()));
    CHECK(Decompress(Compression::kSnappy, framed, kLimit).status().code() ==
          absl::StatusCode::kDataLoss);
  }
  SECTION("a negative xerial chunk length") {
    std::string framed = Xerial({a});
    util::StoreBigEndian<int32_t>(framed.data() + kXerialHeaderSize, -5);
    CHECK(Decompress(Compression::kSnappy, framed, kLimit).status().code() ==
          absl::StatusCode::kDataLoss);
  }
  SECTION("a partial xerial chunk length") {
    CHECK(Decompress(Compression::kSnappy, Xerial({a}) + std::string(2, '\0'),
                     kLimit)
              .status()
              .code() == absl::StatusCode::kDataLoss);
  }
  SECTION("xerial chunks that add up past the limit") {
    CHECK(Decompress(Compression::kSnappy, Xerial({a, a, a}), 3 * a.size() - 1)
              .status()
              .code() == absl::StatusCode::kDataLoss);
  }
  SECTION("a raw block that claims a huge length") {
    // Varint 0xffffffff: 4 GiB claimed, refused before allocating.
    CHECK(
        Decompress(Compression::kSnappy, testing::Unhex("ffffffff0f00"), kLimit)
            .status()
            .code() == absl::StatusCode::kDataLoss);
  }
}

TEST_CASE("zstd frames without a content size decode by streaming",
          "[record]") {
  // The Java client's ZstdOutputStream writes such frames.
  const std::string input = Compressible(200 * 1024);
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
  std::string packed(ZSTD_compressBound(input.size()), '\0');
  ZSTD_outBuffer out{packed.data(), packed.size(), 0};
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  REQUIRE(ZSTD_compressStream2(cctx, &out, &in, ZSTD_e_end) == 0);
  ZSTD_freeCCtx(cctx);
  packed.resize(out.pos);
  REQUIRE(ZSTD_getFrameContentSize(packed.data(), packed.size()) ==
          ZSTD_CONTENTSIZE_UNKNOWN);

  CHECK(Decompress(Compression::kZstd, packed, kLimit).value() == input);
  CHECK(Decompress(Compression::kZstd, packed, input.size() - 1)
            .status()
            .code() == absl::StatusCode::kDataLoss);
}

TEST_CASE("concatenated gzip members, lz4 frames and zstd frames are read",
          "[record]") {
  for (Compression codec :
       {Compression::kGzip, Compression::kLz4, Compression::kZstd}) {
    DYNAMIC_SECTION(CodecName(codec)) {
      const std::string packed =
          MustCompress(codec, "first;") + MustCompress(codec, "second");
      CHECK(Decompress(codec, packed, kLimit).value() == "first;second");
    }
  }
}

TEST_CASE("lz4 writes the frame the Java client writes", "[record]") {
  const std::string packed =
      MustCompress(Compression::kLz4, Compressible(1000));
  REQUIRE(packed.size() > 7);
  CHECK(testing::Hex(packed.substr(0, 4)) == "04224d18");  // frame magic
  // FLG: version 01, independent blocks, no checksums, no content size.
  CHECK(static_cast<uint8_t>(packed[4]) == 0x60);
  // BD: 64 KiB maximum block size.
  CHECK(static_cast<uint8_t>(packed[5]) == 0x40);
}

}  // namespace
}  // namespace rill::record::internal
