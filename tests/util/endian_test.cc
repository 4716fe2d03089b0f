#include "util/endian.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

namespace rill::util {
namespace {

TEST_CASE("Big-endian stores put the most significant byte first", "[util]") {
  unsigned char buf[9] = {};
  StoreBigEndian<uint32_t>(buf + 1, 0x01020304u);  // unaligned on purpose
  CHECK(buf[1] == 0x01);
  CHECK(buf[2] == 0x02);
  CHECK(buf[3] == 0x03);
  CHECK(buf[4] == 0x04);
  CHECK(LoadBigEndian<uint32_t>(buf + 1) == 0x01020304u);

  StoreBigEndian<int64_t>(buf + 1, 0x0102030405060708);
  for (int i = 0; i < 8; ++i) CHECK(buf[1 + i] == i + 1);
  CHECK(LoadBigEndian<int64_t>(buf + 1) == 0x0102030405060708);

  StoreBigEndian<uint16_t>(buf, 0xABCD);
  CHECK(buf[0] == 0xAB);
  CHECK(buf[1] == 0xCD);
}

TEST_CASE("Signed big-endian values round-trip including negatives", "[util]") {
  char buf[8];
  StoreBigEndian<int16_t>(buf, -2);
  CHECK(static_cast<unsigned char>(buf[0]) == 0xFF);
  CHECK(static_cast<unsigned char>(buf[1]) == 0xFE);
  CHECK(LoadBigEndian<int16_t>(buf) == -2);
  StoreBigEndian<int32_t>(buf, -123456789);
  CHECK(LoadBigEndian<int32_t>(buf) == -123456789);
  StoreBigEndian<int64_t>(buf, INT64_MIN);
  CHECK(LoadBigEndian<int64_t>(buf) == INT64_MIN);
  StoreBigEndian<int8_t>(buf, -1);
  CHECK(LoadBigEndian<int8_t>(buf) == -1);
}

TEST_CASE("AppendBigEndian appends exactly the value's bytes", "[util]") {
  std::string s = "x";
  AppendBigEndian<int32_t>(&s, 0x7F000001);
  AppendBigEndian<uint16_t>(&s, 0x0102);
  CHECK(s == std::string("x\x7F\x00\x00\x01\x01\x02", 7));
}

}  // namespace
}  // namespace rill::util
