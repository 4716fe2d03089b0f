#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "record/format.h"
#include "record/record_test_util.h"
#include "rill/record/record_batch.h"
#include "util/endian.h"

namespace rill::record {
namespace {

// ThreeBatches returns three batches back to back (one per codec shape) and
// their sizes.
std::string ThreeBatches(std::vector<size_t>* sizes) {
  std::string all;
  int64_t base = 0;
  for (Compression codec :
       {Compression::kNone, Compression::kLz4, Compression::kZstd}) {
    absl::StatusOr<std::string> b = testing::Build(
        {.compression = codec, .base_offset = base}, testing::SampleRecords());
    REQUIRE(b.ok());
    sizes->push_back(b->size());
    all += *b;
    base += 5;
  }
  return all;
}

TEST_CASE("the iterator walks concatenated batches with their positions",
          "[record]") {
  std::vector<size_t> sizes;
  const std::string all = ThreeBatches(&sizes);
  BatchIterator it(all);
  size_t position = 0;
  for (int i = 0; i < 3; ++i) {
    REQUIRE(it.Next());
    CHECK(it.position() == position);
    CHECK(it.batch().header().base_offset == 5 * i);
    CHECK(it.batch().data().size() == sizes[i]);
    CHECK(it.batch().VerifyCrc().ok());
    CHECK(it.batch().DecodeRecords().ok());
    position += sizes[i];
    CHECK(it.consumed() == position);
  }
  CHECK_FALSE(it.Next());
  CHECK(it.status().ok());
  CHECK_FALSE(it.truncated_tail());
  CHECK(it.consumed() == all.size());
}

TEST_CASE("an empty buffer holds no batches and no error", "[record]") {
  BatchIterator it("");
  CHECK_FALSE(it.Next());
  CHECK(it.status().ok());
  CHECK_FALSE(it.truncated_tail());
  CHECK(it.consumed() == 0);
}

TEST_CASE("a partial last batch is a truncated tail, not an error",
          "[record]") {
  std::vector<size_t> sizes;
  const std::string all = ThreeBatches(&sizes);
  const size_t two = sizes[0] + sizes[1];
  // Every cut inside the third batch, from 1 byte to all but one.
  for (size_t cut = two + 1; cut < all.size(); ++cut) {
    BatchIterator it(std::string_view(all).substr(0, cut));
    REQUIRE(it.Next());
    REQUIRE(it.Next());
    CHECK_FALSE(it.Next());
    CHECK(it.status().ok());
    CHECK(it.truncated_tail());
    CHECK(it.consumed() == two);
    CHECK_FALSE(it.Next());  // stays stopped
  }
}

TEST_CASE("malformed bytes between batches stop the iterator with kDataLoss",
          "[record]") {
  std::vector<size_t> sizes;
  std::string all = ThreeBatches(&sizes);
  char* second = all.data() + sizes[0];
  SECTION("a batchLength below the header size") {
    util::StoreBigEndian<int32_t>(second + format::kBatchLengthOffset, 48);
  }
  SECTION("a negative batchLength") {
    util::StoreBigEndian<int32_t>(second + format::kBatchLengthOffset, -1);
  }
  SECTION("an unknown magic") { second[format::kMagicOffset] = 1; }
  SECTION("zeros where a batch should start") {
    std::fill(second, second + format::kHeaderSize, '\0');
  }
  BatchIterator it(all);
  REQUIRE(it.Next());
  CHECK_FALSE(it.Next());
  CHECK(it.status().code() == absl::StatusCode::kDataLoss);
  CHECK_FALSE(it.truncated_tail());
  CHECK(it.consumed() == sizes[0]);
  CHECK_FALSE(it.Next());
}

TEST_CASE("fewer than twelve trailing bytes are a truncated tail", "[record]") {
  std::vector<size_t> sizes;
  const std::string all = ThreeBatches(&sizes);
  const std::string input = all.substr(0, sizes[0]) + std::string(11, '\0');
  BatchIterator it(input);
  REQUIRE(it.Next());
  CHECK_FALSE(it.Next());
  CHECK(it.status().ok());
  CHECK(it.truncated_tail());
}

}  // namespace
}  // namespace rill::record
