// Tests of SparseIndex: lookups, truncation, persistence, and loading index
// files that a crash tore or that hold entries out of order.
#include "log/sparse_index.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "log/index_entry.h"
#include "log/log_unit_test_util.h"
#include "rill/io/file_system.h"

namespace rill::log {
namespace {

constexpr char kDir[] = "/idx";
constexpr char kPath[] = "/idx/00000000000000000000.index";
constexpr char kTimePath[] = "/idx/00000000000000000000.timeindex";

using OffsetIndex = SparseIndex<OffsetIndexEntry>;
using TimeIndex = SparseIndex<TimeIndexEntry>;

std::shared_ptr<io::FileSystem> NewFs() {
  std::shared_ptr<io::FileSystem> fs = io::NewMemFileSystem();
  REQUIRE_OK(fs->CreateDirs(kDir));
  return fs;
}

bool AnyEntry(const OffsetIndexEntry&) { return true; }
bool AnyTimeEntry(const TimeIndexEntry&) { return true; }

std::vector<OffsetIndexEntry> Entries(const OffsetIndex& index) {
  std::vector<OffsetIndexEntry> out;
  for (size_t i = 0; i < index.size(); ++i) out.push_back(index[i]);
  return out;
}

bool Same(const std::vector<OffsetIndexEntry>& a,
          const std::vector<OffsetIndexEntry>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].relative_offset != b[i].relative_offset ||
        a[i].position != b[i].position) {
      return false;
    }
  }
  return true;
}

// Ten entries: relative offset 10*i+10 at position 100*i+100.
std::vector<OffsetIndexEntry> TenEntries() {
  std::vector<OffsetIndexEntry> out;
  for (uint32_t i = 0; i < 10; ++i) out.push_back({10 * i + 10, 100 * i + 100});
  return out;
}

uint64_t FileSize(io::FileSystem& fs, const std::string& path) {
  ASSIGN_OR_REQUIRE(std::string contents, io::ReadFileToString(fs, path));
  return contents.size();
}

// WriteRaw replaces `path` with the encoding of `entries`.
void WriteRaw(io::FileSystem& fs, const std::string& path,
              const std::vector<OffsetIndexEntry>& entries) {
  std::string bytes(entries.size() * OffsetIndexEntry::kSize, '\0');
  for (size_t i = 0; i < entries.size(); ++i) {
    entries[i].EncodeTo(bytes.data() + i * OffsetIndexEntry::kSize);
  }
  ASSIGN_OR_REQUIRE(auto file,
                    fs.OpenFile(path, {.create = true, .truncate = true}));
  REQUIRE_OK(file->Append(bytes));
}

TEST_CASE("SparseIndex entries encode big-endian as format.h describes",
          "[log]") {
  char buf[OffsetIndexEntry::kSize];
  OffsetIndexEntry{.relative_offset = 0x01020304, .position = 0x0a0b0c0d}
      .EncodeTo(buf);
  CHECK(std::string(buf, sizeof(buf)) ==
        std::string("\x01\x02\x03\x04\x0a\x0b\x0c\x0d", 8));
  OffsetIndexEntry back = OffsetIndexEntry::DecodeFrom(buf);
  CHECK(back.relative_offset == 0x01020304);
  CHECK(back.position == 0x0a0b0c0d);

  char tbuf[TimeIndexEntry::kSize];
  TimeIndexEntry{.timestamp_ms = 0x0102030405060708, .relative_offset = 9}
      .EncodeTo(tbuf);
  CHECK(std::string(tbuf, sizeof(tbuf)) ==
        std::string("\x01\x02\x03\x04\x05\x06\x07\x08\x00\x00\x00\x09", 12));
}

TEST_CASE("SparseIndex Floor finds the last entry at or before a target",
          "[log]") {
  OffsetIndex index(kPath, 1 << 20);
  auto at_or_before = [&](uint32_t rel) {
    return index.Floor(
        [rel](const OffsetIndexEntry& e) { return e.relative_offset <= rel; });
  };
  CHECK(at_or_before(100) == -1);  // empty index
  for (const auto& e : TenEntries()) index.Append(e);
  CHECK(at_or_before(0) == -1);
  CHECK(at_or_before(9) == -1);
  CHECK(at_or_before(10) == 0);
  CHECK(at_or_before(11) == 0);
  CHECK(at_or_before(19) == 0);
  CHECK(at_or_before(20) == 1);
  CHECK(at_or_before(55) == 4);
  CHECK(at_or_before(100) == 9);
  CHECK(at_or_before(1u << 31) == 9);
}

TEST_CASE("SparseIndex TruncateToSize keeps the first entries", "[log]") {
  auto fs = NewFs();
  OffsetIndex index(kPath, 1 << 20);
  for (const auto& e : TenEntries()) index.Append(e);
  REQUIRE_OK(index.Persist(*fs, /*sync=*/true));
  REQUIRE(FileSize(*fs, kPath) == 80);

  SECTION("to a smaller size, also in the file on the next Persist") {
    index.TruncateToSize(4);
    REQUIRE(index.size() == 4);
    CHECK(index.back().relative_offset == 40);
    REQUIRE_OK(index.Persist(*fs, /*sync=*/true));
    CHECK(FileSize(*fs, kPath) == 32);

    // Entries appended after the cut land right after the kept ones.
    index.Append({.relative_offset = 45, .position = 450});
    REQUIRE_OK(index.Persist(*fs, /*sync=*/true));
    OffsetIndex loaded(kPath, 1 << 20);
    REQUIRE_OK(loaded.Load(*fs, AnyEntry));
    const std::vector<OffsetIndexEntry> all = TenEntries();
    std::vector<OffsetIndexEntry> expected(all.begin(), all.begin() + 4);
    expected.push_back({45, 450});
    CHECK(Same(Entries(loaded), expected));
  }
  SECTION("to zero entries with Clear") {
    index.Clear();
    CHECK(index.empty());
    REQUIRE_OK(index.Persist(*fs, /*sync=*/true));
    CHECK(FileSize(*fs, kPath) == 0);
  }
  SECTION("to a size at or above the current one does nothing") {
    index.TruncateToSize(10);
    index.TruncateToSize(50);
    CHECK(Same(Entries(index), TenEntries()));
    REQUIRE_OK(index.Persist(*fs, /*sync=*/true));
    CHECK(FileSize(*fs, kPath) == 80);
  }
}

TEST_CASE("SparseIndex Persist then Load gives back the same entries",
          "[log]") {
  auto fs = NewFs();
  OffsetIndex index(kPath, 1 << 20);
  std::vector<OffsetIndexEntry> entries = TenEntries();
  // Persisted in two steps: the second appends only the new entries.
  for (size_t i = 0; i < 6; ++i) index.Append(entries[i]);
  REQUIRE_OK(index.Persist(*fs, /*sync=*/false));
  CHECK(FileSize(*fs, kPath) == 48);
  for (size_t i = 6; i < entries.size(); ++i) index.Append(entries[i]);
  REQUIRE_OK(index.Persist(*fs, /*sync=*/true));
  CHECK(FileSize(*fs, kPath) == 80);

  OffsetIndex loaded(kPath, 1 << 20);
  REQUIRE_OK(loaded.Load(*fs, AnyEntry));
  CHECK(Same(Entries(loaded), entries));

  // A time index too.
  TimeIndex times(kTimePath, 1 << 20);
  for (int64_t i = 0; i < 5; ++i) {
    times.Append({.timestamp_ms = 1'700'000'000'000 + i * 1000,
                  .relative_offset = static_cast<uint32_t>(i * 3)});
  }
  REQUIRE_OK(times.Persist(*fs, /*sync=*/true));
  TimeIndex times_loaded(kTimePath, 1 << 20);
  REQUIRE_OK(times_loaded.Load(*fs, AnyTimeEntry));
  REQUIRE(times_loaded.size() == 5);
  for (size_t i = 0; i < 5; ++i) {
    CHECK(times_loaded[i].timestamp_ms == times[i].timestamp_ms);
    CHECK(times_loaded[i].relative_offset == times[i].relative_offset);
  }
}

TEST_CASE("SparseIndex Load of a missing file gives an empty index", "[log]") {
  auto fs = NewFs();
  OffsetIndex index(kPath, 1 << 20);
  index.Append({1, 1});
  REQUIRE_OK(index.Load(*fs, AnyEntry));
  CHECK(index.empty());
}

TEST_CASE("SparseIndex Load of a torn file keeps its whole entries", "[log]") {
  auto fs = NewFs();
  const std::vector<OffsetIndexEntry> entries = TenEntries();
  for (uint64_t cut = 0; cut <= 80; ++cut) {
    INFO("file cut to " << cut << " bytes");
    WriteRaw(*fs, kPath, entries);
    {
      ASSIGN_OR_REQUIRE(auto file, fs->OpenFile(kPath, {}));
      REQUIRE_OK(file->Truncate(cut));
    }
    OffsetIndex index(kPath, 1 << 20);
    REQUIRE_OK(index.Load(*fs, AnyEntry));
    const size_t whole = cut / OffsetIndexEntry::kSize;
    REQUIRE(index.size() == whole);
    CHECK(Same(Entries(index), std::vector<OffsetIndexEntry>(
                                   entries.begin(), entries.begin() + whole)));
    // The next Persist drops the partial entry from the file, so appends
    // stay entry-aligned.
    index.Append({1000, 10000});
    REQUIRE_OK(index.Persist(*fs, /*sync=*/true));
    CHECK(FileSize(*fs, kPath) == (whole + 1) * OffsetIndexEntry::kSize);
    OffsetIndex reloaded(kPath, 1 << 20);
    REQUIRE_OK(reloaded.Load(*fs, AnyEntry));
    REQUIRE(reloaded.size() == whole + 1);
    CHECK(reloaded.back().relative_offset == 1000);
  }
}

TEST_CASE("SparseIndex Load stops at the first entry out of order", "[log]") {
  auto fs = NewFs();
  std::vector<OffsetIndexEntry> entries = TenEntries();
  SECTION("relative offset goes back") {
    entries[4].relative_offset = entries[3].relative_offset;
  }
  SECTION("position goes back") { entries[4].position = 5; }
  SECTION("relative offset repeats the first") { entries[4] = entries[0]; }
  WriteRaw(*fs, kPath, entries);
  OffsetIndex index(kPath, 1 << 20);
  REQUIRE_OK(index.Load(*fs, AnyEntry));
  CHECK(Same(Entries(index), std::vector<OffsetIndexEntry>(
                                 entries.begin(), entries.begin() + 4)));
  // The file is cut back to the loaded prefix on the next Persist.
  REQUIRE_OK(index.Persist(*fs, /*sync=*/true));
  CHECK(FileSize(*fs, kPath) == 32);
}

TEST_CASE("SparseIndex Load stops at the first entry the caller rejects",
          "[log]") {
  auto fs = NewFs();
  WriteRaw(*fs, kPath, TenEntries());
  OffsetIndex index(kPath, 1 << 20);
  // As a segment does: entries must point inside a 650-byte .log file.
  REQUIRE_OK(index.Load(
      *fs, [](const OffsetIndexEntry& e) { return e.position < 650; }));
  CHECK(index.size() == 6);
  CHECK(index.back().position == 600);
}

TEST_CASE("SparseIndex time entries must strictly increase in timestamp",
          "[log]") {
  auto fs = NewFs();
  {
    TimeIndex times(kTimePath, 1 << 20);
    times.Append({.timestamp_ms = 100, .relative_offset = 1});
    times.Append({.timestamp_ms = 200, .relative_offset = 5});
    times.Append({.timestamp_ms = 200, .relative_offset = 9});  // not greater
    times.Append({.timestamp_ms = 300, .relative_offset = 12});
    REQUIRE_OK(times.Persist(*fs, /*sync=*/true));
  }
  TimeIndex loaded(kTimePath, 1 << 20);
  REQUIRE_OK(loaded.Load(*fs, AnyTimeEntry));
  REQUIRE(loaded.size() == 2);
  CHECK(loaded.back().timestamp_ms == 200);
  CHECK(loaded.back().relative_offset == 5);
}

TEST_CASE("SparseIndex is full at max_bytes / entry size entries", "[log]") {
  SECTION("offset index of 24 bytes holds 3 entries") {
    OffsetIndex index(kPath, 24);
    for (uint32_t i = 0; i < 3; ++i) {
      CHECK_FALSE(index.full());
      index.Append({i + 1, i + 1});
    }
    CHECK(index.full());
  }
  SECTION("time index of 24 bytes holds 2 entries") {
    TimeIndex index(kTimePath, 24);
    CHECK_FALSE(index.full());
    index.Append({100, 1});
    CHECK_FALSE(index.full());
    index.Append({200, 2});
    CHECK(index.full());
  }
  SECTION("an index smaller than one entry still holds one") {
    TimeIndex index(kTimePath, 4);
    CHECK_FALSE(index.full());
    index.Append({100, 1});
    CHECK(index.full());
  }
  SECTION("Load keeps no more entries than fit") {
    auto fs = NewFs();
    WriteRaw(*fs, kPath, TenEntries());
    OffsetIndex index(kPath, 40);
    REQUIRE_OK(index.Load(*fs, AnyEntry));
    CHECK(index.size() == 5);
    CHECK(index.full());
  }
}

TEST_CASE("SparseIndex Remove deletes the file and tolerates its absence",
          "[log]") {
  auto fs = NewFs();
  OffsetIndex index(kPath, 1 << 20);
  index.Append({1, 1});
  REQUIRE_OK(index.Persist(*fs, /*sync=*/true));
  ASSIGN_OR_REQUIRE(bool exists, fs->Exists(kPath));
  REQUIRE(exists);
  REQUIRE_OK(index.Remove(*fs));
  ASSIGN_OR_REQUIRE(exists, fs->Exists(kPath));
  CHECK_FALSE(exists);
  CHECK_OK(index.Remove(*fs));
}

}  // namespace
}  // namespace rill::log
