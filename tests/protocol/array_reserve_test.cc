// Decoding an array must not reserve memory in proportion to the count it
// claims times the C++ element size: the count is only bounded by the
// bytes left in the frame, and an element can be much larger in memory
// than its smallest wire form.
#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "expected_bytes.h"
#include "protocol/codec.h"
#include "rill/error.h"

namespace rill::protocol {
namespace {

// An element 1 MiB in memory whose wire form is one string.
struct Wide {
  std::string name;
  std::array<char, 1 << 20> scratch = {};
  static constexpr auto Fields() { return std::tuple{F(&Wide::name, "0+")}; }
};

struct WideList {
  static constexpr Versions kVersions = V("0");
  static constexpr Versions kFlexibleVersions = V("none");
  std::vector<Wide> items;
  static constexpr auto Fields() {
    return std::tuple{F(&WideList::items, "0+")};
  }
};

TEST_CASE(
    "a huge array count whose first element is malformed fails without "
    "reserving count times the element size",
    "[protocol]") {
  constexpr int32_t kCount = 1 << 20;
  testing::ExpectedBytes b;
  // kCount elements claimed; the first one's non-nullable string is null.
  b.Array(kCount).NullStr();
  std::string bytes = b.bytes();
  bytes.resize(bytes.size() + kCount);  // enough bytes to pass the count check
  WideList out;
  absl::Status status;
  // Reserving kCount x 1 MiB (1 TiB) throws or aborts; a bounded reserve
  // reaches the malformed string.
  REQUIRE_NOTHROW(status = Decode(std::span<char>(bytes), 0, &out));
  CHECK(GetErrorReason(status) == ErrorReason::kInvalidRequest);
}

}  // namespace
}  // namespace rill::protocol
