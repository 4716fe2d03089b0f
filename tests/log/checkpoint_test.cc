// Tests of the checkpoint files (checkpoint and leader-epoch-checkpoint):
// their text formats, reading what was written, treating a missing or
// damaged file as "no checkpoint", and replacing them atomically across a
// crash.
#include "log/checkpoint.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "log/format.h"
#include "log/log_unit_test_util.h"
#include "rill/io/fault_injection_file_system.h"
#include "rill/io/file_system.h"
#include "util/crc32c.h"

namespace rill::log {
namespace {

constexpr char kDir[] = "/log/t-0";
constexpr char kFile[] = "/log/t-0/checkpoint";
constexpr char kEpochFile[] = "/log/t-0/leader-epoch-checkpoint";

std::shared_ptr<io::FileSystem> NewFs() {
  std::shared_ptr<io::FileSystem> fs = io::NewMemFileSystem();
  REQUIRE_OK(fs->CreateDirs(kDir));
  return fs;
}

void WriteText(io::FileSystem& fs, const std::string& text,
               const char* path = kFile) {
  ASSIGN_OR_REQUIRE(auto file,
                    fs.OpenFile(path, {.create = true, .truncate = true}));
  REQUIRE_OK(file->Append(text));
}

// WithCrc is `body` followed by its CRC-32C, as format.h describes.
std::string WithCrc(const std::string& body) {
  return absl::StrCat(body, " ", util::crc32c::Value(body.data(), body.size()),
                      "\n");
}

std::optional<Checkpoint> Read(io::FileSystem& fs) {
  ASSIGN_OR_REQUIRE(std::optional<Checkpoint> c, ReadCheckpoint(fs, kDir));
  return c;
}

TEST_CASE("A checkpoint reads back as written", "[log]") {
  auto fs = NewFs();
  const std::vector<Checkpoint> values = {
      {Offset(0), Offset(0)},
      {Offset(1234), Offset(17)},
      {Offset(std::numeric_limits<int64_t>::max()),
       Offset(std::numeric_limits<int64_t>::max() - 1)},
  };
  for (const Checkpoint& c : values) {
    INFO("recovery point " << c.recovery_point << ", log start "
                           << c.log_start_offset);
    REQUIRE_OK(WriteCheckpoint(*fs, kDir, c));
    std::optional<Checkpoint> back = Read(*fs);
    REQUIRE(back.has_value());
    CHECK(*back == c);
  }
}

TEST_CASE("A checkpoint file is one line of text with a CRC-32C", "[log]") {
  auto fs = NewFs();
  REQUIRE_OK(WriteCheckpoint(*fs, kDir, {Offset(1234), Offset(17)}));
  ASSIGN_OR_REQUIRE(std::string text, io::ReadFileToString(*fs, kFile));
  CHECK(text == WithCrc("rill-checkpoint 1 1234 17"));

  // A file written by hand in that format is read.
  WriteText(*fs, WithCrc("rill-checkpoint 1 99 5"));
  std::optional<Checkpoint> c = Read(*fs);
  REQUIRE(c.has_value());
  CHECK(*c == Checkpoint{Offset(99), Offset(5)});
}

TEST_CASE("A missing checkpoint reads as none", "[log]") {
  auto fs = NewFs();
  CHECK_FALSE(Read(*fs).has_value());
}

TEST_CASE("A corrupt or garbled checkpoint reads as none", "[log]") {
  auto fs = NewFs();
  REQUIRE_OK(WriteCheckpoint(*fs, kDir, {Offset(1234), Offset(17)}));
  ASSIGN_OR_REQUIRE(const std::string good, io::ReadFileToString(*fs, kFile));
  REQUIRE(Read(*fs).has_value());

  std::vector<std::pair<std::string, std::string>> damaged = {
      {"empty", ""},
      {"garbage", "hello world\n"},
      {"binary", std::string("\0\x01\x02\xff", 4)},
      {"recovery point changed, CRC kept",
       absl::StrCat("rill-checkpoint 1 1235 17 ",
                    good.substr(good.rfind(' ') + 1))},
      {"CRC digit changed",
       [&] {
         std::string t = good;
         const size_t at = t.rfind(' ') + 1;
         t[at] = static_cast<char>('0' + (t[at] - '0' + 1) % 10);
         return t;
       }()},
      {"wrong CRC value", "rill-checkpoint 1 1234 17 12345\n"},
      {"torn in half", good.substr(0, good.size() / 2)},
      {"missing CRC", "rill-checkpoint 1 1234 17\n"},
      {"other version", WithCrc("rill-checkpoint 2 1234 17")},
      {"other magic", WithCrc("kafka-checkpoint 1 1234 17")},
      {"extra field", WithCrc("rill-checkpoint 1 1234 17 3")},
      {"not a number", WithCrc("rill-checkpoint 1 12x4 17")},
  };
  for (const auto& [what, text] : damaged) {
    INFO(what << ": '" << text << "'");
    WriteText(*fs, text);
    CHECK_FALSE(Read(*fs).has_value());
  }
}

TEST_CASE("Writing a checkpoint replaces the previous one", "[log]") {
  auto fs = NewFs();
  REQUIRE_OK(WriteCheckpoint(*fs, kDir, {Offset(10), Offset(0)}));
  REQUIRE_OK(WriteCheckpoint(*fs, kDir, {Offset(20), Offset(5)}));
  std::optional<Checkpoint> c = Read(*fs);
  REQUIRE(c.has_value());
  CHECK(*c == Checkpoint{Offset(20), Offset(5)});
  // No temporary file is left behind.
  ASSIGN_OR_REQUIRE(std::vector<std::string> names, fs->ListDir(kDir));
  CHECK(names == std::vector<std::string>{kCheckpointFile});
}

TEST_CASE("A crash while writing a checkpoint leaves the old or the new one",
          "[log]") {
  const Checkpoint old_c{Offset(10), Offset(0)};
  const Checkpoint new_c{Offset(20), Offset(5)};
  bool completed = false;
  int saw_old = 0, saw_new = 0;
  for (uint64_t ops = 0; !completed; ++ops) {
    INFO("crash after " << ops << " mutating operations");
    REQUIRE(ops < 100);
    auto fs =
        std::make_shared<io::FaultInjectionFileSystem>(io::NewMemFileSystem());
    REQUIRE_OK(fs->CreateDirs(kDir));
    REQUIRE_OK(WriteCheckpoint(*fs, kDir, old_c));

    fs->CrashAfterOperations(ops);
    completed = WriteCheckpoint(*fs, kDir, new_c).ok();
    fs->DropUnsyncedData();
    fs->Reset();

    std::optional<Checkpoint> c = Read(*fs);
    REQUIRE(c.has_value());
    CHECK((*c == old_c || *c == new_c));
    if (*c == old_c) ++saw_old;
    if (*c == new_c) ++saw_new;
    if (completed) CHECK(*c == new_c);  // a completed write is durable
  }
  // Both outcomes occurred, so the crash points covered the whole write.
  CHECK(saw_old > 0);
  CHECK(saw_new > 0);
}

// --- leader-epoch-checkpoint ---

EpochEntry Entry(int32_t epoch, int64_t start) {
  return {.epoch = LeaderEpoch(epoch), .start_offset = Offset(start)};
}

std::optional<std::vector<EpochEntry>> ReadEpochs(io::FileSystem& fs) {
  ASSIGN_OR_REQUIRE(std::optional<std::vector<EpochEntry>> entries,
                    ReadLeaderEpochCheckpoint(fs, kDir));
  return entries;
}

TEST_CASE("A leader-epoch-checkpoint is Kafka's text and reads back", "[log]") {
  auto fs = NewFs();
  const std::vector<EpochEntry> entries = {
      Entry(0, 0), Entry(3, 150),
      Entry(std::numeric_limits<int32_t>::max(),
            std::numeric_limits<int64_t>::max())};
  REQUIRE_OK(WriteLeaderEpochCheckpoint(*fs, kDir, entries));
  ASSIGN_OR_REQUIRE(std::string text, io::ReadFileToString(*fs, kEpochFile));
  CHECK(text == "0\n3\n0 0\n3 150\n2147483647 9223372036854775807\n");
  CHECK(ReadEpochs(*fs) == entries);

  REQUIRE_OK(WriteLeaderEpochCheckpoint(*fs, kDir, {}));
  ASSIGN_OR_REQUIRE(text, io::ReadFileToString(*fs, kEpochFile));
  CHECK(text == "0\n0\n");
  CHECK(ReadEpochs(*fs) == std::vector<EpochEntry>{});
}

TEST_CASE("A missing leader-epoch-checkpoint reads as none", "[log]") {
  auto fs = NewFs();
  CHECK(ReadEpochs(*fs) == std::nullopt);
}

TEST_CASE("Every torn prefix of a leader-epoch-checkpoint reads as none",
          "[log]") {
  auto fs = NewFs();
  const std::string whole = "0\n2\n1 0\n3 150\n";
  for (size_t n = 0; n < whole.size(); ++n) {
    INFO("first " << n << " bytes");
    WriteText(*fs, whole.substr(0, n), kEpochFile);
    CHECK(ReadEpochs(*fs) == std::nullopt);
  }
  WriteText(*fs, whole, kEpochFile);
  CHECK(ReadEpochs(*fs) == std::vector{Entry(1, 0), Entry(3, 150)});
}

TEST_CASE("A malformed leader-epoch-checkpoint reads as none", "[log]") {
  auto fs = NewFs();
  for (const char* text : {
           "1\n1\n1 0\n",       // unknown version
           "0\n2\n1 0\n",       // fewer entries than counted
           "0\n1\n1 0\n3 9\n",  // more entries than counted
           "0\n1\n1\n",         // no offset
           "0\n1\n1 0 7\n",     // an extra field
           "0\n1\nx 0\n",       // not a number
           "0\n1\n-1 0\n",      // undefined epoch
           "0\n1\n1 -5\n",      // negative offset
           "0\n2\n3 0\n3 9\n",  // epochs not increasing
           "0\n2\n3 9\n4 9\n",  // offsets not increasing
           "0\n2\n4 0\n3 9\n",  // epochs going back
           "\n",                // empty
       }) {
    INFO(text);
    WriteText(*fs, text, kEpochFile);
    CHECK(ReadEpochs(*fs) == std::nullopt);
  }
}

TEST_CASE(
    "A leader-epoch-checkpoint whose write failed keeps its old entries "
    "after a power loss",
    "[log]") {
  auto fs = std::make_shared<io::FaultInjectionFileSystem>(NewFs());
  REQUIRE_OK(WriteLeaderEpochCheckpoint(*fs, kDir, std::vector{Entry(1, 0)}));
  fs->FailSyncs(1);
  CHECK_FALSE(WriteLeaderEpochCheckpoint(*fs, kDir,
                                         std::vector{Entry(1, 0), Entry(2, 9)})
                  .ok());
  fs->DropUnsyncedData();
  fs->Reset();
  CHECK(ReadEpochs(*fs) == std::vector{Entry(1, 0)});
}

}  // namespace
}  // namespace rill::log
