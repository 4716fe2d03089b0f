#include "util/varint.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace rill::util {
namespace {

std::vector<uint64_t> Boundaries64() {
  std::vector<uint64_t> v = {0, 1, 2, 126, 127, 128, 129, 255, 256};
  for (int bits = 7; bits < 64; bits += 7) {
    const uint64_t p = uint64_t{1} << bits;
    v.insert(v.end(), {p - 1, p, p + 1});
  }
  v.insert(v.end(), {std::numeric_limits<uint32_t>::max(),
                     uint64_t{std::numeric_limits<uint32_t>::max()} + 1,
                     std::numeric_limits<uint64_t>::max() - 1,
                     std::numeric_limits<uint64_t>::max()});
  return v;
}

TEST_CASE("Unsigned varints round-trip at every 7-bit boundary", "[util]") {
  for (uint64_t value : Boundaries64()) {
    INFO("value " << value);
    std::string buf;
    PutUvarint64(&buf, value);
    CHECK(static_cast<int>(buf.size()) == UvarintLength(value));
    buf += "tail";
    std::string_view in = buf;
    uint64_t out = ~value;
    REQUIRE(GetUvarint64(&in, &out));
    CHECK(out == value);
    CHECK(in == "tail");  // consumed exactly the varint
  }
}

TEST_CASE("Unsigned varints have LEB128's byte layout", "[util]") {
  std::string buf;
  PutUvarint64(&buf, 300);
  CHECK(buf == std::string("\xAC\x02", 2));
  buf.clear();
  PutUvarint64(&buf, 0);
  CHECK(buf == std::string("\x00", 1));
  buf.clear();
  PutUvarint64(&buf, std::numeric_limits<uint64_t>::max());
  CHECK(buf.size() == static_cast<size_t>(kMaxVarint64Bytes));
  CHECK(static_cast<uint8_t>(buf.back()) == 0x01);
}

TEST_CASE("32-bit unsigned varints round-trip up to UINT32_MAX", "[util]") {
  for (uint32_t value :
       {0u, 1u, 127u, 128u, 16383u, 16384u, (1u << 21) - 1, 1u << 21,
        (1u << 28) - 1, 1u << 28, std::numeric_limits<uint32_t>::max()}) {
    INFO("value " << value);
    std::string buf;
    PutUvarint32(&buf, value);
    CHECK(buf.size() <= static_cast<size_t>(kMaxVarint32Bytes));
    std::string_view in = buf;
    uint32_t out = ~value;
    REQUIRE(GetUvarint32(&in, &out));
    CHECK(out == value);
    CHECK(in.empty());
  }
}

TEST_CASE("ZigZag maps small magnitudes to small codes", "[util]") {
  CHECK(ZigZagEncode32(0) == 0u);
  CHECK(ZigZagEncode32(-1) == 1u);
  CHECK(ZigZagEncode32(1) == 2u);
  CHECK(ZigZagEncode32(-2) == 3u);
  CHECK(ZigZagEncode32(std::numeric_limits<int32_t>::max()) == 0xFFFFFFFEu);
  CHECK(ZigZagEncode32(std::numeric_limits<int32_t>::min()) == 0xFFFFFFFFu);
  CHECK(ZigZagEncode64(-1) == 1u);
  CHECK(ZigZagEncode64(std::numeric_limits<int64_t>::min()) ==
        std::numeric_limits<uint64_t>::max());
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{1}, int64_t{-64},
                    int64_t{63}, std::numeric_limits<int64_t>::min(),
                    std::numeric_limits<int64_t>::max()}) {
    CHECK(ZigZagDecode64(ZigZagEncode64(v)) == v);
  }
  for (int32_t v : {0, -1, 1, -65, 64, std::numeric_limits<int32_t>::min(),
                    std::numeric_limits<int32_t>::max()}) {
    CHECK(ZigZagDecode32(ZigZagEncode32(v)) == v);
  }
}

TEST_CASE("Signed varints round-trip and are as short as Kafka's", "[util]") {
  for (int64_t v :
       {int64_t{0}, int64_t{-1}, int64_t{1}, int64_t{-64}, int64_t{63},
        int64_t{-65}, int64_t{64}, std::numeric_limits<int64_t>::min(),
        std::numeric_limits<int64_t>::max()}) {
    INFO("value " << v);
    std::string buf;
    PutVarint64(&buf, v);
    CHECK(static_cast<int>(buf.size()) == VarintLength(v));
    std::string_view in = buf;
    int64_t out = ~v;
    REQUIRE(GetVarint64(&in, &out));
    CHECK(out == v);
  }
  CHECK(VarintLength(-64) == 1);
  CHECK(VarintLength(64) == 2);
  for (int32_t v : {0, -1, 1, std::numeric_limits<int32_t>::min(),
                    std::numeric_limits<int32_t>::max()}) {
    INFO("value " << v);
    std::string buf;
    PutVarint32(&buf, v);
    std::string_view in = buf;
    int32_t out = ~v;
    REQUIRE(GetVarint32(&in, &out));
    CHECK(out == v);
  }
}

TEST_CASE("Truncated varints are rejected and consume nothing", "[util]") {
  for (uint64_t value : Boundaries64()) {
    std::string buf;
    PutUvarint64(&buf, value);
    for (size_t cut = 0; cut < buf.size(); ++cut) {
      INFO("value " << value << " cut to " << cut);
      std::string_view in(buf.data(), cut);
      uint64_t out = 0;
      CHECK_FALSE(GetUvarint64(&in, &out));
      CHECK(in.size() == cut);
    }
  }
}

TEST_CASE("Varints too long for their type are rejected", "[util]") {
  uint64_t out64 = 0;
  uint32_t out32 = 0;
  SECTION("eleven bytes for a 64-bit value") {
    std::string buf(10, '\x80');
    buf += '\x01';
    std::string_view in = buf;
    CHECK_FALSE(GetUvarint64(&in, &out64));
  }
  SECTION("a tenth byte carrying more than bit 63") {
    std::string buf(9, '\xFF');
    buf += '\x02';
    std::string_view in = buf;
    CHECK_FALSE(GetUvarint64(&in, &out64));
    buf.back() = '\x01';  // exactly UINT64_MAX is fine
    in = buf;
    REQUIRE(GetUvarint64(&in, &out64));
    CHECK(out64 == std::numeric_limits<uint64_t>::max());
  }
  SECTION("six bytes for a 32-bit value") {
    std::string buf(5, '\x80');
    buf += '\x01';
    std::string_view in = buf;
    CHECK_FALSE(GetUvarint32(&in, &out32));
  }
  SECTION("a fifth byte carrying more than bit 31") {
    std::string buf(4, '\xFF');
    buf += '\x1F';  // bits 28..32: one too many
    std::string_view in = buf;
    CHECK_FALSE(GetUvarint32(&in, &out32));
    buf.back() = '\x0F';
    in = buf;
    REQUIRE(GetUvarint32(&in, &out32));
    CHECK(out32 == std::numeric_limits<uint32_t>::max());
  }
  SECTION("a 64-bit value read as 32 bits") {
    std::string buf;
    PutUvarint64(&buf, uint64_t{1} << 32);
    std::string_view in = buf;
    CHECK_FALSE(GetUvarint32(&in, &out32));
    int32_t signed32 = 0;
    in = buf;
    CHECK_FALSE(GetVarint32(&in, &signed32));
  }
}

TEST_CASE("Consecutive varints decode in order from one view", "[util]") {
  std::string buf;
  PutVarint32(&buf, -5);
  PutUvarint64(&buf, 1'000'000);
  PutVarint64(&buf, -1'000'000'000'000);
  std::string_view in = buf;
  int32_t a = 0;
  uint64_t b = 0;
  int64_t c = 0;
  REQUIRE(GetVarint32(&in, &a));
  REQUIRE(GetUvarint64(&in, &b));
  REQUIRE(GetVarint64(&in, &c));
  CHECK(a == -5);
  CHECK(b == 1'000'000u);
  CHECK(c == -1'000'000'000'000);
  CHECK(in.empty());
}

}  // namespace
}  // namespace rill::util
