// Deterministic mutation testing: damaged batches of every codec must give an
// error or a valid result, never a crash or an out-of-bounds read (this test
// also runs under ASan and UBSan).
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>

#include "record/compression.h"
#include "record/format.h"
#include "record/record_test_util.h"
#include "rill/record/record_batch.h"
#include "util/crc32c.h"
#include "util/endian.h"

namespace rill::record {
namespace {

constexpr uint32_t kSeed = 20240611;
constexpr int kIterationsPerCodec = 3000;
constexpr size_t kDecodeLimit = 1 << 20;

// Mutator applies one random kind of damage. It draws from the raw engine
// (not std distributions, whose output differs between standard libraries)
// so every platform runs the same cases.
class Mutator {
 public:
  explicit Mutator(uint32_t seed) : rng_(seed) {}

  uint32_t Below(uint32_t n) { return n == 0 ? 0 : rng_() % n; }

  void Mutate(std::string* s) {
    switch (Below(7)) {
      case 0:  // flip a few bits
        for (uint32_t i = 0, n = 1 + Below(4); i < n && !s->empty(); ++i) {
          (*s)[Below(s->size())] ^= static_cast<char>(1u << Below(8));
        }
        break;
      case 1:  // overwrite a few bytes
        for (uint32_t i = 0, n = 1 + Below(8); i < n && !s->empty(); ++i) {
          (*s)[Below(s->size())] = static_cast<char>(rng_());
        }
        break;
      case 2:  // truncate
        s->resize(Below(s->size() + 1));
        break;
      case 3:  // extend with random bytes
        for (uint32_t i = 0, n = 1 + Below(64); i < n; ++i) {
          s->push_back(static_cast<char>(rng_()));
        }
        break;
      case 4:  // delete a run of bytes
        if (!s->empty()) {
          const size_t at = Below(s->size());
          s->erase(at, 1 + Below(16));
        }
        break;
      case 5: {  // insert a run of bytes (draws sequenced explicitly, so
                 // every compiler makes the same cases)
        const size_t at = Below(s->size() + 1);
        const size_t n = 1 + Below(16);
        s->insert(at, std::string(n, static_cast<char>(rng_())));
        break;
      }
      case 6:  // damage a record-bearing byte past the header, then reseal
        if (s->size() > format::kHeaderSize) {
          const size_t at =
              format::kHeaderSize + Below(s->size() - format::kHeaderSize);
          (*s)[at] = static_cast<char>(rng_());
          Reseal(s);
        }
        break;
    }
  }

 private:
  // Reseal makes batchLength and the CRC match again, so the damage reaches
  // the record decoder through a batch that passes every header check.
  static void Reseal(std::string* s) {
    util::StoreBigEndian<int32_t>(s->data() + format::kBatchLengthOffset,
                                  static_cast<int32_t>(s->size() - 12));
    util::StoreBigEndian<uint32_t>(
        s->data() + format::kCrcOffset,
        util::crc32c::Value(s->data() + format::kCrcStart,
                            s->size() - format::kCrcStart));
  }

  std::mt19937 rng_;
};

// Touch reads every byte a decoded record points at, so ASan sees any view
// that strays outside its buffer.
uint64_t Touch(const DecodedRecords& records) {
  uint64_t sum = 0;
  auto add = [&sum](std::string_view bytes) {
    for (char c : bytes) sum += static_cast<unsigned char>(c);
  };
  for (const RecordView& r : records) {
    sum += static_cast<uint64_t>(r.offset.value()) +
           static_cast<uint64_t>(r.timestamp_ms);
    if (r.key) add(*r.key);
    if (r.value) add(*r.value);
    for (const RecordHeader& h : r.headers) {
      add(h.key);
      if (h.value) add(*h.value);
    }
  }
  return sum;
}

// Exercise runs every reader over `bytes` and returns how many batches
// decoded cleanly.
int Exercise(std::string_view bytes) {
  int decoded_ok = 0;
  absl::StatusOr<RecordBatchView> direct = RecordBatchView::Parse(bytes);
  if (direct.ok()) {
    (void)direct->VerifyCrc();
    absl::StatusOr<DecodedRecords> records =
        direct->DecodeRecords(kDecodeLimit);
    if (records.ok()) {
      Touch(*records);
      ++decoded_ok;
    }
  }
  BatchIterator it(bytes);
  while (it.Next()) {
    CHECK(it.batch().data().size() <= bytes.size() - it.position());
    if (!it.batch().VerifyCrc().ok()) continue;
    absl::StatusOr<DecodedRecords> records =
        it.batch().DecodeRecords(kDecodeLimit);
    if (records.ok()) Touch(*records);
  }
  CHECK(it.consumed() <= bytes.size());
  return decoded_ok;
}

TEST_CASE(
    "randomly damaged batches of every codec give errors or valid results, "
    "never crashes",
    "[record]") {
  Mutator mutator(kSeed);
  for (Compression codec : testing::kAllCodecs) {
    DYNAMIC_SECTION(testing::CodecName(codec)) {
      absl::StatusOr<std::string> first = testing::Build(
          {.compression = codec, .producer_id = 3, .is_transactional = true},
          testing::SampleRecords());
      absl::StatusOr<std::string> second = testing::Build(
          {.compression = codec,
           .timestamp_type = TimestampType::kLogAppendTime,
           .base_offset = 5},
          {testing::OwnedRecord{9, "k", std::nullopt, {{"h", std::nullopt}}}});
      REQUIRE(first.ok());
      REQUIRE(second.ok());
      const std::string pristine = *first + *second;
      REQUIRE(Exercise(pristine) == 1);

      int still_decodable = 0;
      for (int i = 0; i < kIterationsPerCodec; ++i) {
        std::string damaged = pristine;
        // Mostly one mutation; sometimes several stacked.
        for (uint32_t n = 1 + (mutator.Below(4) == 0 ? mutator.Below(4) : 0);
             n > 0; --n) {
          mutator.Mutate(&damaged);
        }
        still_decodable += Exercise(damaged);
      }
      // Not an assertion about correctness — only that both outcomes occur,
      // so the mutations are neither all fatal nor all harmless.
      CHECK(still_decodable > 0);
      CHECK(still_decodable < kIterationsPerCodec);
    }
  }
}

TEST_CASE("random bytes fed to every decompressor give errors, never crashes",
          "[record]") {
  Mutator mutator(kSeed + 1);
  for (Compression codec : testing::kAllCodecs) {
    if (codec == Compression::kNone) continue;
    DYNAMIC_SECTION(testing::CodecName(codec)) {
      std::string valid;
      REQUIRE(internal::Compress(
                  codec, 0, testing::SampleRecords()[0].value.value(), &valid)
                  .ok());
      for (int i = 0; i < kIterationsPerCodec; ++i) {
        std::string damaged = valid;
        mutator.Mutate(&damaged);
        absl::StatusOr<std::string> out =
            internal::Decompress(codec, damaged, 4096);
        if (out.ok())
          CHECK(out->size() <= 4096);
        else
          CHECK(out.status().code() == absl::StatusCode::kDataLoss);
      }
    }
  }
}

}  // namespace
}  // namespace rill::record
