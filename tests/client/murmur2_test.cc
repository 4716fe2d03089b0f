#include "client/murmur2.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace rill::client {
namespace {

int32_t AsJavaInt(uint32_t bits) { return static_cast<int32_t>(bits); }

TEST_CASE("Murmur2 matches Kafka's UtilsTest vectors",
          "[client][partitioner]") {
  // org.apache.kafka.common.utils.UtilsTest#testMurmur2.
  CHECK(Murmur2("21") == -973932308);
  CHECK(Murmur2("foobar") == -790332482);
  CHECK(Murmur2("a-little-bit-long-string") == -985981536);
  CHECK(Murmur2("a-little-bit-longer-string") == -1486304829);
  CHECK(Murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8") ==
        -58897971);
  CHECK(Murmur2("abc") == 479470107);
}

TEST_CASE("Murmur2 matches librdkafka's Java-compatibility vectors",
          "[client][partitioner]") {
  // librdkafka src/rdmurmur2.c unittest_murmur2, which checks its murmur2
  // against the Java client's results; the suffixes cover every tail length
  // and unaligned starts.
  const std::string_view short_key = "1234";
  const std::string_view long_key = "PreAmbleWillBeRemoved,ThePrePartThatIs";
  CHECK(Murmur2("kafka") == AsJavaInt(0xd067cf64));
  CHECK(Murmur2("giberish123456789") == AsJavaInt(0x8f552b0c));
  CHECK(Murmur2(short_key) == AsJavaInt(0x9fc97b14));
  CHECK(Murmur2(short_key.substr(1)) == AsJavaInt(0xe7c009ca));
  CHECK(Murmur2(short_key.substr(2)) == AsJavaInt(0x873930da));
  CHECK(Murmur2(short_key.substr(3)) == AsJavaInt(0x5a4b5ca1));
  CHECK(Murmur2(long_key) == AsJavaInt(0x78424f1c));
  CHECK(Murmur2(long_key.substr(1)) == AsJavaInt(0x4a62b377));
  CHECK(Murmur2(long_key.substr(2)) == AsJavaInt(0xe0e4e09e));
  CHECK(Murmur2(long_key.substr(3)) == AsJavaInt(0x62b8b43f));
  CHECK(Murmur2("") == AsJavaInt(0x106e08d9));
}

TEST_CASE("Murmur2 treats bytes as unsigned, as Java's `& 0xff` does",
          "[client][partitioner]") {
  // kafka-python's port of the Java function (kafka.partitioner.default).
  CHECK(Murmur2("\xff\xfe\xfd\xfc\xfb") == AsJavaInt(524068735u));
  CHECK(Murmur2(std::string_view("\0\0\0\0", 4)) !=
        Murmur2(std::string_view("\0\0\0", 3)));
}

TEST_CASE("ToPositive clears only the sign bit", "[client][partitioner]") {
  CHECK(ToPositive(5) == 5);
  CHECK(ToPositive(-1) == 0x7fffffff);
  CHECK(ToPositive(INT32_MIN) == 0);
  CHECK(ToPositive(AsJavaInt(0xd067cf64)) == 1348980580);
}

}  // namespace
}  // namespace rill::client
