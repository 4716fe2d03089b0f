#include "protocol/codec.h"

#include <catch2/catch.hpp>
#include <string>

#include "protocol/header.h"
#include "protocol/messages/api_versions.h"
#include "rill/error.h"

namespace rill::protocol {
namespace {

// A message exercising every wire type, with versions that switch fields
// on and off, nullability from a later version, and a tagged field.
struct Inner {
  int32_t id = 0;
  std::optional<std::string> label;
  bool operator==(const Inner&) const = default;
  static constexpr auto Fields() {
    return std::tuple{F(&Inner::id, "0+"), F(&Inner::label, "1+")};
  }
};

struct Everything {
  static constexpr Versions kVersions = V("0-3");
  static constexpr Versions kFlexibleVersions = V("2+");

  bool flag = false;
  int8_t i8 = 0;
  int16_t i16 = 0;
  int32_t i32 = 0;
  int64_t i64 = 0;
  uint16_t u16 = 0;
  double f64 = 0;
  std::string name;
  std::optional<std::string> nullable_name;
  Bytes blob;
  std::optional<Bytes> nullable_blob;
  Uuid uuid = {};
  std::vector<int32_t> numbers;
  std::optional<std::vector<Inner>> inners;
  int64_t only_v1 = -7;
  int32_t tagged = 0;

  static constexpr auto Fields() {
    using M = Everything;
    return std::tuple{
        F(&M::flag, "0+"),          F(&M::i8, "0+"),
        F(&M::i16, "0+"),           F(&M::i32, "0+"),
        F(&M::i64, "0+"),           F(&M::u16, "0+"),
        F(&M::f64, "0+"),           F(&M::name, "0+"),
        F(&M::nullable_name, "0+"), F(&M::blob, "0+"),
        F(&M::nullable_blob, "0+"), F(&M::uuid, "0+"),
        F(&M::numbers, "0+"),       F(&M::inners, "0+", {.nullable = "1+"}),
        F(&M::only_v1, "1"),        F(&M::tagged, "2+", {.tag = 3})};
  }
};

Everything Sample() {
  Everything m;
  m.flag = true;
  m.i8 = -3;
  m.i16 = 300;
  m.i32 = -70000;
  m.i64 = 1LL << 40;
  m.u16 = 65535;
  m.f64 = 0.25;
  m.name = "orders";
  m.nullable_name = std::nullopt;
  m.blob = {"\x00\x01\x02"};
  m.nullable_blob = Bytes{"x"};
  m.uuid[0] = 0xab;
  m.uuid[15] = 0xcd;
  m.numbers = {1, 2, 3};
  m.inners = std::vector<Inner>{{1, "a"}, {2, std::nullopt}};
  m.only_v1 = 99;
  m.tagged = 42;
  return m;
}

std::string EncodeToString(const Everything& m, int16_t version) {
  WireWriter w;
  Encode(m, version, w);
  return w.buffer();
}

TEST_CASE(
    "every wire type survives an encode-decode round trip at every version",
    "[protocol]") {
  for (int16_t version = 0; version <= 3; ++version) {
    CAPTURE(version);
    Everything in = Sample();
    if (version == 0) {
      // v0: the inner label and nullability of `inners` do not exist.
      in.inners = std::vector<Inner>{{1, std::nullopt}, {2, std::nullopt}};
    }
    std::string bytes = EncodeToString(in, version);
    Everything out;
    REQUIRE(Decode(std::span<char>(bytes), version, &out).ok());
    CHECK(out.flag == in.flag);
    CHECK(out.i8 == in.i8);
    CHECK(out.i16 == in.i16);
    CHECK(out.i32 == in.i32);
    CHECK(out.i64 == in.i64);
    CHECK(out.u16 == in.u16);
    CHECK(out.f64 == in.f64);
    CHECK(out.name == in.name);
    CHECK(out.nullable_name == in.nullable_name);
    CHECK(out.blob == in.blob);
    CHECK(out.nullable_blob == in.nullable_blob);
    CHECK(out.uuid == in.uuid);
    CHECK(out.numbers == in.numbers);
    CHECK(out.inners == in.inners);
    CHECK(out.only_v1 == (version == 1 ? 99 : -7));
    CHECK(out.tagged == (version >= 2 ? 42 : 0));
    CHECK(EncodeToString(out, version) == bytes);
  }
}

TEST_CASE("flexible versions use compact lengths and tagged fields",
          "[protocol]") {
  Everything m;
  m.name = "ab";
  const std::string classic = EncodeToString(m, 1);
  const std::string flexible = EncodeToString(m, 2);
  // Classic: name is int16 length 2 after 1+1+2+4+8+2+8 = 26 fixed bytes.
  REQUIRE(classic.size() > 30);
  CHECK(classic.substr(26, 4) == std::string("\x00\x02"
                                             "ab",
                                             4));
  // Compact: unsigned varint length + 1.
  CHECK(flexible.substr(26, 3) == std::string("\x03"
                                              "ab",
                                              3));
  // A default tagged field is not sent: the struct ends with count 0.
  CHECK(flexible.back() == '\0');
  m.tagged = 5;
  const std::string with_tag = EncodeToString(m, 2);
  // count 1, tag 3, size 4, int32 5.
  CHECK(with_tag.substr(with_tag.size() - 7) ==
        std::string("\x01\x03\x04\x00\x00\x00\x05", 7));
}

TEST_CASE("unknown tagged fields are skipped", "[protocol]") {
  Everything m;
  std::string bytes = EncodeToString(m, 2);
  // Replace the empty tag section with one carrying an unknown tag 9.
  bytes.pop_back();
  bytes += std::string("\x01\x09\x02zz", 5);
  Everything out;
  REQUIRE(Decode(std::span<char>(bytes), 2, &out).ok());
  CHECK(out.tagged == 0);
}

TEST_CASE("truncated input at any point is an invalid request, never a crash",
          "[protocol]") {
  const std::string full = EncodeToString(Sample(), 2);
  for (size_t cut = 0; cut < full.size(); ++cut) {
    std::string prefix = full.substr(0, cut);
    Everything out;
    absl::Status status = Decode(std::span<char>(prefix), 2, &out);
    CAPTURE(cut);
    REQUIRE_FALSE(status.ok());
    CHECK(GetErrorReason(status) == ErrorReason::kInvalidRequest);
  }
}

TEST_CASE("lengths beyond the input and nulls where not allowed are rejected",
          "[protocol]") {
  SECTION("an array claiming more elements than bytes left") {
    Everything m;
    std::string bytes = EncodeToString(m, 1);
    // numbers' int32 count sits after the fixed part, name, nullable name,
    // blob, nullable blob and uuid: 26 + 2 + 2 + 4 + 4 + 16 = 54.
    bytes[54] = 0x7f;
    Everything out;
    CHECK(GetErrorReason(Decode(std::span<char>(bytes), 1, &out)) ==
          ErrorReason::kInvalidRequest);
  }
  SECTION("a null array in a version where it is not nullable") {
    Everything m;
    m.inners = std::nullopt;
    std::string bytes = EncodeToString(m, 0);
    Everything out;
    CHECK(GetErrorReason(Decode(std::span<char>(bytes), 0, &out)) ==
          ErrorReason::kInvalidRequest);
    REQUIRE(
        Decode(std::span<char>(bytes = EncodeToString(m, 1)), 1, &out).ok());
    CHECK_FALSE(out.inners.has_value());
  }
}

TEST_CASE("a version outside the message's range is unsupported",
          "[protocol]") {
  std::string bytes;
  ApiVersionsRequest out;
  CHECK(GetErrorReason(Decode(std::span<char>(bytes), 4, &out)) ==
        ErrorReason::kUnsupportedVersion);
}

TEST_CASE("request headers read both v1 and flexible v2", "[protocol]") {
  RequestHeader header{.api_key = 18,
                       .api_version = 3,
                       .correlation_id = 7,
                       .client_id = "rdkafka"};
  for (bool flexible : {false, true}) {
    WireWriter w;
    WriteRequestHeader(header, flexible, w);
    w.Append("rest");
    std::string bytes = w.buffer();
    WireReader r{std::span<char>(bytes)};
    RequestHeader read;
    REQUIRE(ReadRequestHeader(r, &read).ok());
    if (flexible) REQUIRE(SkipTaggedFields(r).ok());
    CHECK(read.api_key == 18);
    CHECK(read.api_version == 3);
    CHECK(read.correlation_id == 7);
    CHECK(read.client_id == "rdkafka");
    CHECK(r.remaining() == 4);
  }
}

// Only tagged fields are compared with their defaults, so a message whose
// untagged fields have no operator== (Records, a nested struct without one)
// still encodes.
struct WithRecords {
  static constexpr Versions kVersions = V("0-1");
  static constexpr Versions kFlexibleVersions = V("1+");
  struct Part {
    int32_t index = 0;
    Records records;
    static constexpr auto Fields() {
      return std::tuple{F(&Part::index, "0+"), F(&Part::records, "0+")};
    }
  };
  std::vector<Part> parts;
  static constexpr auto Fields() {
    return std::tuple{F(&WithRecords::parts, "0+")};
  }
};

TEST_CASE("messages whose fields have no operator== encode", "[protocol]") {
  std::string batch = "RB";
  WithRecords m;
  m.parts.push_back(
      {.index = 1, .records = {.view = std::span(batch), .slices = {}}});
  for (int16_t version : {0, 1}) {
    WireWriter w;
    Encode(m, version, w);
    WithRecords out;
    REQUIRE(Decode(std::span<char>(w.mutable_buffer()), version, &out).ok());
    REQUIRE(out.parts.size() == 1);
    CHECK(std::string(out.parts[0].records.view.data(),
                      out.parts[0].records.view.size()) == "RB");
  }
  ApiVersionsResponse response;
  response.api_keys.push_back(
      {.api_key = 18, .min_version = 0, .max_version = 3});
  WireWriter w;
  Encode(response, 3, w);
  CHECK(w.size() > 0);
}

}  // namespace
}  // namespace rill::protocol
