// Tests of Segment: file naming, appending and finding batches through the
// sparse indexes, bounded reads, recovery of damaged files, truncation, time
// lookups, and reopening with trusted indexes.
#include "log/segment.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "log/format.h"
#include "log/index_entry.h"
#include "log/log_unit_test_util.h"
#include "rill/io/file_system.h"
#include "rill/log/log_config.h"

namespace rill::log {
namespace {

using log_unit_test::Batch;
using log_unit_test::BatchHeaderOf;
using log_unit_test::DecodeAll;
using log_unit_test::Rec;
using log_unit_test::WithOffsetAndEpoch;

constexpr char kDir[] = "/seg";
constexpr int64_t kBase = 100;
constexpr int64_t kNowMs = 1'700'000'000'000;
constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max();

// Appended is a batch written to a segment and where it went.
struct Appended {
  std::string bytes;
  int64_t base_offset;
  int64_t last_offset;
  int64_t max_timestamp_ms;
  uint64_t position;
};

// SegmentTest holds a mem file system, a config that indexes often, and a
// segment at kBase with the batches appended to it.
struct SegmentTest {
  std::shared_ptr<io::FileSystem> fs = io::NewMemFileSystem();
  LogConfig config = [] {
    LogConfig c;
    c.index_interval_bytes = 300;  // an entry every other batch or so
    return c;
  }();
  std::unique_ptr<Segment> segment;
  std::vector<Appended> batches;

  SegmentTest() {
    REQUIRE_OK(fs->CreateDirs(kDir));
    Create();
  }

  void Create() {
    ASSIGN_OR_REQUIRE(
        segment, Segment::Create(*fs, kDir, Offset(kBase), config, kNowMs));
    batches.clear();
  }

  // Reopen closes the segment and opens it again.
  void Reopen(bool trust_indexes) {
    segment.reset();
    ASSIGN_OR_REQUIRE(segment, Segment::Open(*fs, kDir, Offset(kBase), config,
                                             kNowMs, trust_indexes));
  }

  int64_t next() const {
    return batches.empty() ? segment->next_offset().value()
                           : batches.back().last_offset + 1;
  }

  // AppendBatch appends one batch of `count` records whose timestamps are
  // first_ts, first_ts + 10, ...
  const Appended& AppendBatch(int count, int64_t first_ts) {
    std::vector<Rec> records;
    for (int j = 0; j < count; ++j) {
      records.push_back(
          {.timestamp_ms = first_ts + 10 * j,
           .key = "key-" + std::to_string(next() + j),
           .value = std::string(40, static_cast<char>('a' + j % 26))});
    }
    return AppendBytes(WithOffsetAndEpoch(Batch(records), next()));
  }

  const Appended& AppendBytes(std::string bytes) {
    const record::RecordBatchHeader h = BatchHeaderOf(bytes);
    const BatchMeta meta{.base_offset = h.base_offset,
                         .last_offset = h.last_offset(),
                         .max_timestamp_ms = h.max_timestamp,
                         .size = static_cast<uint32_t>(bytes.size())};
    const uint64_t position = segment->size();
    REQUIRE_OK(segment->WriteBatches(bytes));
    segment->PublishBatches(std::span<const BatchMeta>(&meta, 1));
    batches.push_back({std::move(bytes), h.base_offset, h.last_offset(),
                       h.max_timestamp, position});
    return batches.back();
  }

  // AppendMany appends `n` batches of 3 records, timestamps rising.
  void AppendMany(int n) {
    for (int i = 0; i < n; ++i) {
      AppendBatch(3, kNowMs + 100 * static_cast<int64_t>(batches.size()));
    }
  }

  std::string path(const char* suffix) const {
    return io::JoinPath(kDir, SegmentFileName(Offset(kBase), suffix));
  }

  std::string FileContents(const char* suffix) const {
    ASSIGN_OR_REQUIRE(std::string contents,
                      io::ReadFileToString(*fs, path(suffix)));
    return contents;
  }

  void WriteFile(const char* suffix, const std::string& contents) {
    ASSIGN_OR_REQUIRE(
        auto file,
        fs->OpenFile(path(suffix), {.create = true, .truncate = true}));
    REQUIRE_OK(file->Append(contents));
  }

  std::string AllBytes() const {
    std::string all;
    for (const Appended& b : batches) all += b.bytes;
    return all;
  }

  int64_t MaxTimestamp() const {
    int64_t max = -1;
    for (const Appended& b : batches) max = std::max(max, b.max_timestamp_ms);
    return max;
  }

  // CheckFindsEveryOffset checks FindBatch for every offset of the segment.
  void CheckFindsEveryOffset() const {
    for (const Appended& b : batches) {
      for (int64_t o = b.base_offset; o <= b.last_offset; ++o) {
        INFO("offset " << o);
        ASSIGN_OR_REQUIRE(std::optional<StoredBatch> found,
                          segment->FindBatch(Offset(o)));
        REQUIRE(found.has_value());
        CHECK(found->base_offset == b.base_offset);
        CHECK(found->last_offset == b.last_offset);
        CHECK(found->position == b.position);
        CHECK(found->size == b.bytes.size());
        CHECK(found->max_timestamp_ms == b.max_timestamp_ms);
      }
    }
    ASSIGN_OR_REQUIRE(std::optional<StoredBatch> past,
                      segment->FindBatch(Offset(next())));
    CHECK_FALSE(past.has_value());
  }
};

std::vector<OffsetIndexEntry> DecodeOffsetIndex(const std::string& bytes) {
  REQUIRE(bytes.size() % OffsetIndexEntry::kSize == 0);
  std::vector<OffsetIndexEntry> out;
  for (size_t i = 0; i < bytes.size(); i += OffsetIndexEntry::kSize) {
    out.push_back(OffsetIndexEntry::DecodeFrom(bytes.data() + i));
  }
  return out;
}

TEST_CASE("SegmentFileName pads the base offset to 20 digits", "[log]") {
  CHECK(SegmentFileName(Offset(0), ".log") == "00000000000000000000.log");
  CHECK(SegmentFileName(Offset(1234), ".index") ==
        "00000000000000001234.index");
  CHECK(SegmentFileName(Offset(std::numeric_limits<int64_t>::max()),
                        ".timeindex") == "09223372036854775807.timeindex");
}

TEST_CASE("ParseSegmentFileName reads names SegmentFileName writes", "[log]") {
  for (int64_t base :
       {int64_t{0}, int64_t{1}, int64_t{1234}, int64_t{99999999999},
        std::numeric_limits<int64_t>::max()}) {
    for (const char* suffix : {".log", ".index", ".timeindex", ".log.swap"}) {
      INFO(base << suffix);
      std::optional<Offset> parsed =
          ParseSegmentFileName(SegmentFileName(Offset(base), suffix), suffix);
      REQUIRE(parsed.has_value());
      CHECK(parsed->value() == base);
    }
  }
}

TEST_CASE("ParseSegmentFileName rejects every other name", "[log]") {
  const std::vector<std::pair<std::string, std::string>> rejected = {
      {"0000000000000000000.log", ".log"},     // 19 digits
      {"000000000000000000000.log", ".log"},   // 21 digits
      {"0000000000000000000a.log", ".log"},    // not a digit
      {"-0000000000000000001.log", ".log"},    // a sign
      {"+0000000000000000001.log", ".log"},    // a sign
      {" 0000000000000000001.log", ".log"},    // a space
      {"99999999999999999999.log", ".log"},    // beyond int64
      {"00000000000000000000.index", ".log"},  // other suffix
      {"00000000000000000000.log.swap", ".log"},
      {"00000000000000000000.log", ".log.swap"},
      {"00000000000000000000", ".log"},
      {".log", ".log"},
      {"", ".log"},
      {"checkpoint", ".log"},
      {"00000000000000000000.LOG", ".log"},
  };
  for (const auto& [name, suffix] : rejected) {
    INFO("'" << name << "' with suffix " << suffix);
    CHECK_FALSE(ParseSegmentFileName(name, suffix).has_value());
  }
}

TEST_CASE("A new segment is empty and starts at its base offset", "[log]") {
  SegmentTest t;
  CHECK(t.segment->empty());
  CHECK(t.segment->size() == 0);
  CHECK(t.segment->base_offset() == Offset(kBase));
  CHECK(t.segment->next_offset() == Offset(kBase));
  CHECK(t.segment->max_timestamp_ms() == -1);
  CHECK(t.segment->rolling_base_ms() == kNowMs);
  ASSIGN_OR_REQUIRE(std::optional<StoredBatch> none,
                    t.segment->FindBatch(Offset(kBase)));
  CHECK_FALSE(none.has_value());
  ASSIGN_OR_REQUIRE(bool exists, t.fs->Exists(t.path(kLogFileSuffix)));
  CHECK(exists);
}

TEST_CASE("Segment Create discards stale index files at the same base",
          "[log]") {
  SegmentTest t;
  t.AppendMany(20);
  REQUIRE_OK(t.segment->Flush());
  REQUIRE_FALSE(t.FileContents(kOffsetIndexSuffix).empty());
  REQUIRE_FALSE(t.FileContents(kTimeIndexSuffix).empty());
  t.segment.reset();
  t.Create();
  CHECK(t.FileContents(kLogFileSuffix).empty());
  CHECK(t.FileContents(kOffsetIndexSuffix).empty());
  CHECK(t.FileContents(kTimeIndexSuffix).empty());
  // And the new segment's own index works from scratch.
  t.AppendMany(20);
  t.CheckFindsEveryOffset();
}

TEST_CASE("Segment Append writes the bytes and FindBatch finds every offset",
          "[log]") {
  SegmentTest t;
  t.AppendMany(30);
  CHECK(t.segment->size() == t.AllBytes().size());
  CHECK(t.segment->next_offset() == Offset(kBase + 90));
  CHECK(t.segment->max_timestamp_ms() == t.MaxTimestamp());
  CHECK(t.segment->rolling_base_ms() == t.batches.front().max_timestamp_ms);
  CHECK(t.FileContents(kLogFileSuffix) == t.AllBytes());

  // The offset index has entries (the lookups below go through them), each a
  // batch boundary, strictly increasing.
  REQUIRE_OK(t.segment->Flush());
  std::vector<OffsetIndexEntry> entries =
      DecodeOffsetIndex(t.FileContents(kOffsetIndexSuffix));
  REQUIRE(entries.size() >= 5);
  for (const OffsetIndexEntry& e : entries) {
    auto it = std::find_if(t.batches.begin(), t.batches.end(),
                           [&](const Appended& b) {
                             return b.position == e.position &&
                                    b.base_offset - kBase == e.relative_offset;
                           });
    CHECK(it != t.batches.end());
  }
  t.CheckFindsEveryOffset();

  // A target below the base finds the first batch.
  ASSIGN_OR_REQUIRE(std::optional<StoredBatch> first,
                    t.segment->FindBatch(Offset(0)));
  REQUIRE(first.has_value());
  CHECK(first->position == 0);
}

TEST_CASE(
    "Segment batches written at once are unseen until published, then each is "
    "indexed",
    "[log]") {
  SegmentTest t;
  t.config.index_interval_bytes = 0;  // an entry for every batch but the first
  t.Create();
  std::string bytes;
  std::vector<BatchMeta> metas;
  int64_t next = kBase;
  for (int i = 0; i < 6; ++i) {
    std::string b =
        WithOffsetAndEpoch(log_unit_test::ValueBatch(2, kNowMs + i), next);
    const record::RecordBatchHeader h = BatchHeaderOf(b);
    metas.push_back({.base_offset = h.base_offset,
                     .last_offset = h.last_offset(),
                     .max_timestamp_ms = h.max_timestamp,
                     .size = static_cast<uint32_t>(b.size())});
    t.batches.push_back(
        {b, h.base_offset, h.last_offset(), h.max_timestamp, bytes.size()});
    bytes += b;
    next = h.last_offset() + 1;
  }
  REQUIRE_OK(t.segment->WriteBatches(bytes));
  // Written but not yet published: readers see none of it.
  CHECK(t.segment->size() == 0);
  t.segment->PublishBatches(metas);
  CHECK(t.segment->size() == bytes.size());
  CHECK(t.segment->next_offset() == Offset(next));
  REQUIRE_OK(t.segment->Flush());
  CHECK(DecodeOffsetIndex(t.FileContents(kOffsetIndexSuffix)).size() == 5);
  t.CheckFindsEveryOffset();
}

// ExpectedReadEnd is ReadEnd worked out batch by batch.
uint64_t ExpectedReadEnd(const std::vector<Appended>& batches, size_t first,
                         int64_t max_bytes, int64_t max_offset,
                         bool min_one_batch) {
  const uint64_t start = batches[first].position;
  uint64_t end = start;
  for (size_t i = first; i < batches.size(); ++i) {
    const Appended& b = batches[i];
    if (b.base_offset >= max_offset) break;
    const uint64_t b_end = b.position + b.bytes.size();
    if (b_end - start >
            static_cast<uint64_t>(std::max<int64_t>(max_bytes, 0)) &&
        !(min_one_batch && i == first)) {
      break;
    }
    end = b_end;
  }
  return end;
}

TEST_CASE(
    "Segment ReadEnd stops at whole batches within max_bytes and "
    "below max_offset",
    "[log]") {
  SegmentTest t;
  t.AppendMany(24);
  const uint64_t total = t.segment->size();
  const uint64_t one = t.batches[0].bytes.size();

  SECTION("spot checks") {
    const uint64_t two = t.batches[1].position + t.batches[1].bytes.size();
    ASSIGN_OR_REQUIRE(uint64_t end,
                      t.segment->ReadEnd(0, two, Offset(kNoLimit), true));
    CHECK(end == two);
    ASSIGN_OR_REQUIRE(end,
                      t.segment->ReadEnd(0, two - 1, Offset(kNoLimit), true));
    CHECK(end == one);
    // KIP-74: the first batch even if it alone exceeds max_bytes.
    ASSIGN_OR_REQUIRE(end, t.segment->ReadEnd(0, 1, Offset(kNoLimit), true));
    CHECK(end == one);
    ASSIGN_OR_REQUIRE(end, t.segment->ReadEnd(0, 1, Offset(kNoLimit), false));
    CHECK(end == 0);
    ASSIGN_OR_REQUIRE(end,
                      t.segment->ReadEnd(0, kNoLimit, Offset(kNoLimit), true));
    CHECK(end == total);
    // max_offset inside batch 5: batch 5 starts below it, so it is included.
    ASSIGN_OR_REQUIRE(
        end, t.segment->ReadEnd(0, kNoLimit,
                                Offset(t.batches[5].base_offset + 1), true));
    CHECK(end == t.batches[6].position);
    ASSIGN_OR_REQUIRE(
        end, t.segment->ReadEnd(0, kNoLimit, Offset(t.batches[5].base_offset),
                                true));
    CHECK(end == t.batches[5].position);
  }

  SECTION("every start, byte limit and offset limit") {
    std::vector<int64_t> limits = {0, 1, static_cast<int64_t>(total), kNoLimit};
    for (const Appended& b : t.batches) {
      const int64_t end = static_cast<int64_t>(b.position + b.bytes.size());
      for (int64_t d : {-1, 0, 1}) limits.push_back(end + d);
    }
    std::vector<int64_t> max_offsets = {kBase, kNoLimit};
    for (const Appended& b : t.batches) {
      max_offsets.push_back(b.base_offset);
      max_offsets.push_back(b.base_offset + 1);
    }
    for (size_t first = 0; first < t.batches.size(); ++first) {
      const uint64_t start = t.batches[first].position;
      for (int64_t limit : limits) {
        const int64_t max_bytes =
            limit == kNoLimit
                ? kNoLimit
                : std::max<int64_t>(0, limit - static_cast<int64_t>(start));
        for (int64_t max_offset : max_offsets) {
          for (bool min_one : {true, false}) {
            INFO("start batch " << first << ", max_bytes " << max_bytes
                                << ", max_offset " << max_offset
                                << ", min_one_batch " << min_one);
            ASSIGN_OR_REQUIRE(uint64_t end,
                              t.segment->ReadEnd(start, max_bytes,
                                                 Offset(max_offset), min_one));
            REQUIRE(end == ExpectedReadEnd(t.batches, first, max_bytes,
                                           max_offset, min_one));
          }
        }
      }
    }
  }
}

TEST_CASE("Segment Recover cuts a partial batch off the tail", "[log]") {
  SegmentTest t;
  t.AppendMany(12);
  const std::string good = t.AllBytes();
  const int64_t good_next = t.segment->next_offset().value();
  REQUIRE_OK(t.segment->Flush());
  const std::string index = t.FileContents(kOffsetIndexSuffix);
  const std::string time_index = t.FileContents(kTimeIndexSuffix);

  const std::string extra = WithOffsetAndEpoch(
      log_unit_test::ValueBatch(3, kNowMs + 99'999), good_next);
  size_t cut = 0;
  SECTION("most of a batch") { cut = extra.size() - 1; }
  SECTION("half a batch") { cut = extra.size() / 2; }
  SECTION("part of a batch header") { cut = 30; }
  SECTION("a few bytes") { cut = 3; }
  t.WriteFile(kLogFileSuffix, good + extra.substr(0, cut));
  // Stale indexes too: recovery must rebuild them.
  t.WriteFile(kOffsetIndexSuffix, "garbage");
  t.WriteFile(kTimeIndexSuffix, "");

  t.Reopen(/*trust_indexes=*/false);
  ASSIGN_OR_REQUIRE(uint64_t removed, t.segment->Recover());
  CHECK(removed == cut);
  CHECK(t.segment->size() == good.size());
  CHECK(t.segment->next_offset() == Offset(good_next));
  CHECK(t.segment->max_timestamp_ms() == t.MaxTimestamp());
  CHECK(t.FileContents(kLogFileSuffix) == good);
  t.CheckFindsEveryOffset();
  // The rebuilt indexes are the ones the appends wrote.
  REQUIRE_OK(t.segment->Flush());
  CHECK(t.FileContents(kOffsetIndexSuffix) == index);
  CHECK(t.FileContents(kTimeIndexSuffix) == time_index);
}

TEST_CASE("Segment Recover cuts the log at the first batch with a bad CRC",
          "[log]") {
  SegmentTest t;
  t.AppendMany(12);
  std::string bytes = t.AllBytes();
  const Appended bad = t.batches[7];
  SECTION("a flipped byte in a record") {
    bytes[bad.position + bad.bytes.size() - 5] ^= 0x20;
  }
  SECTION("a flipped bit in the attributes") {
    bytes[bad.position + 22] ^= 0x01;
  }
  t.WriteFile(kLogFileSuffix, bytes);
  t.Reopen(/*trust_indexes=*/false);
  ASSIGN_OR_REQUIRE(uint64_t removed, t.segment->Recover());
  CHECK(removed == bytes.size() - bad.position);
  CHECK(t.segment->size() == bad.position);
  CHECK(t.segment->next_offset() == Offset(bad.base_offset));
  CHECK(t.FileContents(kLogFileSuffix) == bytes.substr(0, bad.position));
  t.batches.resize(7);
  CHECK(t.segment->max_timestamp_ms() == t.MaxTimestamp());
  t.CheckFindsEveryOffset();
}

TEST_CASE("Segment Recover cuts the log where offsets go backwards", "[log]") {
  SegmentTest t;
  t.AppendMany(6);
  const uint64_t good_size = t.segment->size();
  const int64_t good_next = t.segment->next_offset().value();
  // A batch that repeats offsets already in the segment.
  std::string repeat = WithOffsetAndEpoch(log_unit_test::ValueBatch(2, kNowMs),
                                          t.batches[2].base_offset);
  t.WriteFile(kLogFileSuffix, t.AllBytes() + repeat);
  t.Reopen(/*trust_indexes=*/false);
  ASSIGN_OR_REQUIRE(uint64_t removed, t.segment->Recover());
  CHECK(removed == repeat.size());
  CHECK(t.segment->size() == good_size);
  CHECK(t.segment->next_offset() == Offset(good_next));
}

TEST_CASE("Segment Recover of an intact segment changes nothing", "[log]") {
  SegmentTest t;
  t.AppendMany(10);
  t.Reopen(/*trust_indexes=*/false);
  ASSIGN_OR_REQUIRE(uint64_t removed, t.segment->Recover());
  CHECK(removed == 0);
  CHECK(t.FileContents(kLogFileSuffix) == t.AllBytes());
  CHECK(t.segment->next_offset() == Offset(kBase + 30));
  t.CheckFindsEveryOffset();
}

TEST_CASE(
    "Segment TruncateTo removes the batch holding the offset and all "
    "after it",
    "[log]") {
  SegmentTest t;
  t.AppendMany(16);
  const Appended cut_batch = t.batches[9];
  int64_t target = 0;
  SECTION("offset at a batch's base") { target = cut_batch.base_offset; }
  SECTION("offset inside a batch") { target = cut_batch.base_offset + 1; }
  SECTION("offset at a batch's last") { target = cut_batch.last_offset; }
  const uint64_t size_before = t.segment->size();
  ASSIGN_OR_REQUIRE(uint64_t removed, t.segment->TruncateTo(Offset(target)));
  CHECK(removed == size_before - cut_batch.position);
  CHECK(t.segment->size() == cut_batch.position);
  CHECK(t.segment->next_offset() == Offset(cut_batch.base_offset));
  CHECK(t.FileContents(kLogFileSuffix) ==
        t.AllBytes().substr(0, cut_batch.position));
  t.batches.resize(9);
  CHECK(t.segment->max_timestamp_ms() == t.MaxTimestamp());
  t.CheckFindsEveryOffset();

  // The persisted index holds no entry past the cut.
  REQUIRE_OK(t.segment->Flush());
  for (const OffsetIndexEntry& e :
       DecodeOffsetIndex(t.FileContents(kOffsetIndexSuffix))) {
    CHECK(e.position < cut_batch.position);
  }

  // Appends continue after the cut, and the indexes come out exactly as a
  // full rebuild of the file would make them.
  t.AppendMany(10);
  t.CheckFindsEveryOffset();
  REQUIRE_OK(t.segment->Flush());
  const std::string index = t.FileContents(kOffsetIndexSuffix);
  const std::string time_index = t.FileContents(kTimeIndexSuffix);
  t.Reopen(/*trust_indexes=*/false);
  ASSIGN_OR_REQUIRE(uint64_t rebuilt_cut, t.segment->Recover());
  CHECK(rebuilt_cut == 0);
  REQUIRE_OK(t.segment->Flush());
  CHECK(t.FileContents(kOffsetIndexSuffix) == index);
  CHECK(t.FileContents(kTimeIndexSuffix) == time_index);
}

TEST_CASE(
    "Segment TruncateTo at or past the end removes nothing, at the "
    "base removes everything",
    "[log]") {
  SegmentTest t;
  t.AppendMany(5);
  const int64_t end = t.segment->next_offset().value();
  ASSIGN_OR_REQUIRE(uint64_t removed, t.segment->TruncateTo(Offset(end)));
  CHECK(removed == 0);
  ASSIGN_OR_REQUIRE(removed, t.segment->TruncateTo(Offset(end + 100)));
  CHECK(removed == 0);
  CHECK(t.segment->next_offset() == Offset(end));

  ASSIGN_OR_REQUIRE(removed, t.segment->TruncateTo(Offset(kBase)));
  CHECK(removed == t.AllBytes().size());
  CHECK(t.segment->empty());
  CHECK(t.segment->next_offset() == Offset(kBase));
  CHECK(t.segment->max_timestamp_ms() == -1);
  CHECK(t.segment->rolling_base_ms() == kNowMs);  // back to creation time
}

TEST_CASE(
    "Segment FindOffsetByTimestamp finds the first record at or after "
    "a time",
    "[log]") {
  SegmentTest t;
  // Batch i holds records at kNowMs + 100 i + {0, 10, 20}.
  t.AppendMany(20);
  auto find = [&](int64_t ts, int64_t min_offset = 0) {
    ASSIGN_OR_REQUIRE(std::optional<TimestampOffset> found,
                      t.segment->FindOffsetByTimestamp(ts, Offset(min_offset)));
    return found;
  };
  SECTION("before every record: the first") {
    auto found = find(0);
    REQUIRE(found.has_value());
    CHECK(found->offset == Offset(kBase));
    CHECK(found->timestamp_ms == kNowMs);
  }
  SECTION("exactly a record's time inside a batch") {
    auto found = find(kNowMs + 1310);
    REQUIRE(found.has_value());
    CHECK(found->offset == Offset(kBase + 13 * 3 + 1));
    CHECK(found->timestamp_ms == kNowMs + 1310);
  }
  SECTION("between two records of a batch") {
    auto found = find(kNowMs + 1311);
    REQUIRE(found.has_value());
    CHECK(found->offset == Offset(kBase + 13 * 3 + 2));
    CHECK(found->timestamp_ms == kNowMs + 1320);
  }
  SECTION("between two batches") {
    auto found = find(kNowMs + 1321);
    REQUIRE(found.has_value());
    CHECK(found->offset == Offset(kBase + 14 * 3));
  }
  SECTION("the largest time") {
    auto found = find(kNowMs + 1920);
    REQUIRE(found.has_value());
    CHECK(found->offset == Offset(kBase + 59));
  }
  SECTION("after every record: none") { CHECK_FALSE(find(kNowMs + 1921)); }
  SECTION("nothing below min_offset") {
    auto found = find(0, kBase + 7);
    REQUIRE(found.has_value());
    CHECK(found->offset == Offset(kBase + 7));
  }
  SECTION("after sealing the indexes too") {
    REQUIRE_OK(t.segment->SealIndexes());
    auto found = find(kNowMs + 1311);
    REQUIRE(found.has_value());
    CHECK(found->offset == Offset(kBase + 13 * 3 + 2));
  }
}

TEST_CASE(
    "Segment FindOffsetByTimestamp goes by offset order when times "
    "are out of order",
    "[log]") {
  SegmentTest t;
  t.config.index_interval_bytes = 0;
  t.Create();
  const std::vector<int64_t> batch_times = {500, 100, 900, 300, 700, 200};
  for (int64_t ts : batch_times) t.AppendBatch(1, kNowMs + ts);
  REQUIRE_OK(t.segment->SealIndexes());
  for (int64_t target = 0; target <= 1000; target += 50) {
    INFO("target +" << target);
    std::optional<int64_t> expected;
    for (size_t i = 0; i < batch_times.size(); ++i) {
      if (batch_times[i] >= target) {
        expected = kBase + static_cast<int64_t>(i);
        break;
      }
    }
    ASSIGN_OR_REQUIRE(
        std::optional<TimestampOffset> found,
        t.segment->FindOffsetByTimestamp(kNowMs + target, Offset(0)));
    REQUIRE(found.has_value() == expected.has_value());
    if (expected) CHECK(found->offset == Offset(*expected));
  }
}

TEST_CASE(
    "Segment Open with trusted indexes recomputes the next offset and "
    "largest time",
    "[log]") {
  SegmentTest t;
  SECTION("everything indexed and sealed") {
    t.AppendMany(20);
    REQUIRE_OK(t.segment->SealIndexes());
    REQUIRE_OK(t.segment->Flush());
  }
  SECTION("batches appended after the indexes were written") {
    t.AppendMany(20);
    REQUIRE_OK(t.segment->Flush());
    t.AppendMany(7);
  }
  SECTION("the largest time early in the segment") {
    t.AppendBatch(3, kNowMs + 1'000'000);
    t.AppendMany(20);
    REQUIRE_OK(t.segment->Flush());
    t.AppendMany(3);
  }
  SECTION("the largest time after the last index entry") {
    t.AppendMany(20);
    REQUIRE_OK(t.segment->Flush());
    t.AppendBatch(3, kNowMs + 1'000'000);
    t.AppendBatch(3, kNowMs + 1);
  }
  SECTION("no index files at all") {
    t.AppendMany(20);
    REQUIRE_OK(t.fs->RemoveFile(t.path(kOffsetIndexSuffix)));
    REQUIRE_OK(t.fs->RemoveFile(t.path(kTimeIndexSuffix)));
  }
  const Offset next = t.segment->next_offset();
  const uint64_t size = t.segment->size();
  const int64_t rolling_base = t.segment->rolling_base_ms();
  REQUIRE(next == Offset(t.next()));
  REQUIRE(t.segment->max_timestamp_ms() == t.MaxTimestamp());

  t.Reopen(/*trust_indexes=*/true);
  CHECK(t.segment->next_offset() == next);
  CHECK(t.segment->size() == size);
  CHECK(t.segment->max_timestamp_ms() == t.MaxTimestamp());
  CHECK(t.segment->rolling_base_ms() == rolling_base);
  t.CheckFindsEveryOffset();
  // And appends continue where the file ends.
  t.AppendMany(3);
  t.CheckFindsEveryOffset();
  CHECK(DecodeAll(t.FileContents(kLogFileSuffix)).size() ==
        static_cast<size_t>(t.next() - kBase));
}

TEST_CASE(
    "Segment Open with trusted indexes rebuilds indexes that disagree "
    "with the data",
    "[log]") {
  SegmentTest t;
  t.AppendMany(20);
  REQUIRE_OK(t.segment->Flush());
  // An index entry that points into the middle of a batch.
  std::vector<OffsetIndexEntry> entries =
      DecodeOffsetIndex(t.FileContents(kOffsetIndexSuffix));
  REQUIRE_FALSE(entries.empty());
  entries.back().position += 7;
  std::string bytes(entries.size() * OffsetIndexEntry::kSize, '\0');
  for (size_t i = 0; i < entries.size(); ++i) {
    entries[i].EncodeTo(bytes.data() + i * OffsetIndexEntry::kSize);
  }
  t.WriteFile(kOffsetIndexSuffix, bytes);
  t.Reopen(/*trust_indexes=*/true);
  CHECK(t.segment->next_offset() == Offset(t.next()));
  t.CheckFindsEveryOffset();
}

TEST_CASE("Segment IndexFull once either index reaches segment.index.bytes",
          "[log]") {
  SegmentTest t;
  t.config.index_interval_bytes = 0;
  t.config.segment_index_bytes = 3 * OffsetIndexEntry::kSize;  // 2 time entries
  t.Create();
  t.AppendMany(2);  // the second batch adds the first entries
  CHECK_FALSE(t.segment->IndexFull());
  t.AppendMany(1);
  CHECK(t.segment->IndexFull());  // the time index holds 2 entries
  // A full index takes no more entries, but lookups still work.
  t.AppendMany(5);
  REQUIRE_OK(t.segment->Flush());
  CHECK(t.FileContents(kOffsetIndexSuffix).size() <= 24);
  CHECK(t.FileContents(kTimeIndexSuffix).size() <= 24);
  t.CheckFindsEveryOffset();
}

TEST_CASE("LastOffsetInFile gives the last offset of a segment file", "[log]") {
  SegmentTest t;
  {
    ASSIGN_OR_REQUIRE(auto file, t.fs->OpenFile(t.path(kLogFileSuffix), {}));
    ASSIGN_OR_REQUIRE(int64_t last, LastOffsetInFile(*file));
    CHECK(last == -1);
  }
  t.AppendMany(4);
  ASSIGN_OR_REQUIRE(auto file, t.fs->OpenFile(t.path(kLogFileSuffix), {}));
  ASSIGN_OR_REQUIRE(int64_t last, LastOffsetInFile(*file));
  CHECK(last == kBase + 11);
}

TEST_CASE("Segment RemoveFiles deletes the log and both indexes", "[log]") {
  SegmentTest t;
  t.AppendMany(10);
  REQUIRE_OK(t.segment->Flush());
  REQUIRE_OK(t.segment->RemoveFiles());
  ASSIGN_OR_REQUIRE(std::vector<std::string> names, t.fs->ListDir(kDir));
  CHECK(names.empty());
}

}  // namespace
}  // namespace rill::log

namespace rill::log {
namespace {

TEST_CASE(
    "FindBatch stays right while a tailing reader's hint moves: "
    "offsets after, before and inside the hinted batch",
    "[log]") {
  SegmentTest t;
  t.AppendMany(40);
  // A reader tailing batch by batch leaves a hint at each batch's end.
  for (size_t i = 0; i + 1 < t.batches.size(); ++i) {
    const Appended& b = t.batches[i];
    ASSIGN_OR_REQUIRE(std::optional<StoredBatch> found,
                      t.segment->FindBatch(Offset(b.base_offset)));
    REQUIRE(found.has_value());
    CHECK(found->position == b.position);
    ASSIGN_OR_REQUIRE(uint64_t end, t.segment->ReadEnd(b.position, 1,
                                                       Offset(kNoLimit), true));
    CHECK(end == t.batches[i + 1].position);
    // Behind the hint (a second consumer, a seek back), and in the middle
    // of the next batch, lookups still land on the right batch.
    t.CheckFindsEveryOffset();
  }
  // After a truncation the hint may point past the end; it is dropped.
  REQUIRE_OK(t.segment->TruncateTo(Offset(t.batches[10].base_offset)).status());
  t.batches.resize(10);
  t.CheckFindsEveryOffset();
  t.AppendMany(5);
  t.CheckFindsEveryOffset();
}

}  // namespace
}  // namespace rill::log
