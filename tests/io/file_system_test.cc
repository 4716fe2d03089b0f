// Behaviour every io::FileSystem must share, run against the POSIX, the
// in-memory and the (unarmed) fault-injecting file system.
#include "rill/io/file_system.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "io/fs_test_envs.h"

namespace rill::io {
namespace {

using testing::FaultEnv;
using testing::MemEnv;
using testing::PosixEnv;

// Pattern gives every byte of a test file a value that depends on its
// offset, so a read at the wrong place shows.
char Pattern(uint64_t offset) {
  return static_cast<char>((offset * 131 + offset / 251) & 0xFF);
}

std::string PatternRange(uint64_t offset, size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = Pattern(offset + i);
  return s;
}

std::string Read(const File& file, uint64_t offset, size_t n) {
  std::string scratch(n, '\0');
  auto got = file.ReadAt(offset, n, scratch.data());
  REQUIRE(got.ok());
  return std::string(*got);
}

std::unique_ptr<File> Open(FileSystem& fs, const std::string& path,
                           OpenOptions options = {.create = true}) {
  auto file = fs.OpenFile(path, options);
  INFO(file.status().ToString());
  REQUIRE(file.ok());
  return std::move(*file);
}

#define FS_TYPES PosixEnv, MemEnv, FaultEnv

TEMPLATE_TEST_CASE("A file reads back what was appended, at any offset", "[io]",
                   FS_TYPES) {
  TestType env;
  INFO(TestType::kName);
  auto file = Open(*env.fs, JoinPath(env.root, "f"));
  CHECK(file->Size() == 0);
  CHECK(file->Append("hello").ok());
  CHECK(file->Append("").ok());
  CHECK(file->Append(", world").ok());
  CHECK(file->Size() == 12);
  CHECK(Read(*file, 0, 12) == "hello, world");
  CHECK(Read(*file, 7, 5) == "world");
  CHECK(Read(*file, 4, 3) == "o, ");
  SECTION("reads past the end come back short or empty") {
    CHECK(Read(*file, 10, 100) == "ld");
    CHECK(Read(*file, 12, 4).empty());
    CHECK(Read(*file, 1000, 4).empty());
  }
  SECTION("a zero-byte read is empty") { CHECK(Read(*file, 3, 0).empty()); }
}

TEMPLATE_TEST_CASE("A multi-megabyte file reads back exactly at random ranges",
                   "[io]", FS_TYPES) {
  TestType env;
  INFO(TestType::kName);
  auto file = Open(*env.fs, JoinPath(env.root, "big"));
  std::mt19937_64 rng(1);
  uint64_t size = 0;
  while (size < 3 * 1024 * 1024) {
    const size_t n = 1 + rng() % 70'000;
    REQUIRE(file->Append(PatternRange(size, n)).ok());
    size += n;
  }
  REQUIRE(file->Size() == size);
  int bad = 0;
  for (int i = 0; i < 500; ++i) {
    const uint64_t offset = rng() % size;
    const size_t n = rng() % 300'000;
    const std::string got = Read(*file, offset, n);
    const size_t expect_n =
        static_cast<size_t>(std::min<uint64_t>(n, size - offset));
    if (got != PatternRange(offset, expect_n)) ++bad;
  }
  CHECK(bad == 0);
}

TEMPLATE_TEST_CASE("OpenFile honours create, exclusive and truncate", "[io]",
                   FS_TYPES) {
  TestType env;
  INFO(TestType::kName);
  const std::string path = JoinPath(env.root, "f");
  CHECK(env.fs->OpenFile(path, {}).status().code() ==
        absl::StatusCode::kNotFound);
  {
    auto file = Open(*env.fs, path, {.create = true, .exclusive = true});
    REQUIRE(file->Append("abc").ok());
  }
  auto again = env.fs->OpenFile(path, {.create = true, .exclusive = true});
  CHECK(again.status().code() == absl::StatusCode::kAlreadyExists);
  CHECK(again.status().message().find(path) != absl::string_view::npos);
  CHECK(Open(*env.fs, path, {})->Size() == 3);                  // plain open
  CHECK(Open(*env.fs, path, {.create = true})->Size() == 3);    // keeps data
  CHECK(Open(*env.fs, path, {.truncate = true})->Size() == 0);  // empties
  auto missing_dir =
      env.fs->OpenFile(JoinPath(env.root, "no/such/f"), {.create = true});
  CHECK(missing_dir.status().code() == absl::StatusCode::kNotFound);
}

TEMPLATE_TEST_CASE("Truncate shrinks or zero-extends and appends follow it",
                   "[io]", FS_TYPES) {
  TestType env;
  INFO(TestType::kName);
  auto file = Open(*env.fs, JoinPath(env.root, "f"));
  REQUIRE(file->Append("0123456789").ok());
  REQUIRE(file->Truncate(4).ok());
  CHECK(file->Size() == 4);
  REQUIRE(file->Append("xy").ok());
  CHECK(Read(*file, 0, 100) == "0123xy");
  REQUIRE(file->Truncate(9).ok());
  CHECK(Read(*file, 0, 100) == std::string("0123xy\0\0\0", 9));
  REQUIRE(file->Truncate(0).ok());
  CHECK(file->Size() == 0);
  REQUIRE(file->Append("z").ok());
  CHECK(Read(*file, 0, 100) == "z");
}

TEMPLATE_TEST_CASE(
    "AppendFrom appends a range of another file after what the file holds, "
    "and stops where the source ends",
    "[io]", FS_TYPES) {
  TestType env;
  INFO(TestType::kName);
  // Over a megabyte, so the copy takes more than one round (chunks, or
  // copy_file_range's partial copies).
  constexpr uint64_t kSize = (3 << 20) / 2 + 333;
  auto source = Open(*env.fs, JoinPath(env.root, "source"));
  REQUIRE(source->Append(PatternRange(0, kSize)).ok());
  // The target opens as the log opens its segments (appending).
  auto target = Open(*env.fs, JoinPath(env.root, "target"));
  REQUIRE(target->Append("head").ok());

  absl::StatusOr<uint64_t> copied =
      target->AppendFrom(*source, 100, kSize - 200);
  INFO(copied.status().ToString());
  REQUIRE(copied.ok());
  CHECK(*copied == kSize - 200);
  CHECK(target->Size() == 4 + kSize - 200);
  CHECK(Read(*target, 0, 4) == "head");
  CHECK(Read(*target, 4, kSize) == PatternRange(100, kSize - 200));
  // Appends continue after the copy.
  REQUIRE(target->Append("tail").ok());
  CHECK(Read(*target, 4 + kSize - 200, 10) == "tail");

  SECTION("a range past the source's end copies what there is") {
    const uint64_t before = target->Size();
    absl::StatusOr<uint64_t> short_copy =
        target->AppendFrom(*source, kSize - 10, 1000);
    REQUIRE(short_copy.ok());
    CHECK(*short_copy == 10);
    CHECK(Read(*target, before, 100) == PatternRange(kSize - 10, 10));
    absl::StatusOr<uint64_t> nothing = target->AppendFrom(*source, kSize, 5);
    REQUIRE(nothing.ok());
    CHECK(*nothing == 0);
    CHECK(target->Size() == before + 10);
  }
}

TEST_CASE("AppendFrom copies from a file of another file system", "[io]") {
  MemEnv mem;
  PosixEnv posix;
  auto in_memory = Open(*mem.fs, JoinPath(mem.root, "source"));
  REQUIRE(in_memory->Append(PatternRange(0, 5000)).ok());
  auto on_disk = Open(*posix.fs, JoinPath(posix.root, "target"));
  absl::StatusOr<uint64_t> copied = on_disk->AppendFrom(*in_memory, 7, 4000);
  REQUIRE(copied.ok());
  CHECK(*copied == 4000);
  CHECK(Read(*on_disk, 0, 5000) == PatternRange(7, 4000));
  // And back.
  auto back = Open(*mem.fs, JoinPath(mem.root, "back"));
  copied = back->AppendFrom(*on_disk, 0, 4000);
  REQUIRE(copied.ok());
  CHECK(Read(*back, 0, 5000) == PatternRange(7, 4000));
}

TEMPLATE_TEST_CASE("Two handles on one file see each other's appends", "[io]",
                   FS_TYPES) {
  TestType env;
  INFO(TestType::kName);
  const std::string path = JoinPath(env.root, "f");
  auto writer = Open(*env.fs, path);
  auto reader = Open(*env.fs, path, {});
  REQUIRE(writer->Append("abc").ok());
  CHECK(reader->Size() == 3);
  CHECK(Read(*reader, 0, 3) == "abc");
  REQUIRE(writer->Sync().ok());
}

TEMPLATE_TEST_CASE("Directories are created, listed and tested for", "[io]",
                   FS_TYPES) {
  TestType env;
  INFO(TestType::kName);
  const std::string dir = JoinPath(env.root, "a/b/c");
  REQUIRE(env.fs->CreateDirs(dir).ok());
  REQUIRE(env.fs->CreateDirs(dir).ok());  // idempotent
  REQUIRE(env.fs->CreateDirs(dir + "/").ok());
  Open(*env.fs, JoinPath(dir, "z.log"));
  Open(*env.fs, JoinPath(dir, "a.log"));
  REQUIRE(env.fs->CreateDirs(JoinPath(dir, "m")).ok());
  Open(*env.fs, JoinPath(dir, "m/deeper"));
  auto names = env.fs->ListDir(dir);
  REQUIRE(names.ok());
  CHECK(*names == std::vector<std::string>{"a.log", "m", "z.log"});
  CHECK(*env.fs->Exists(dir));
  CHECK(*env.fs->Exists(JoinPath(dir, "a.log")));
  CHECK_FALSE(*env.fs->Exists(JoinPath(dir, "b.log")));
  CHECK_FALSE(*env.fs->Exists(JoinPath(dir, "a.log/under-a-file")));
  CHECK(env.fs->ListDir(JoinPath(env.root, "nope")).status().code() ==
        absl::StatusCode::kNotFound);
  CHECK_FALSE(env.fs->CreateDirs(JoinPath(dir, "a.log")).ok());  // a file
}

TEMPLATE_TEST_CASE("Names sharing a prefix stay separate directories", "[io]",
                   FS_TYPES) {
  TestType env;
  INFO(TestType::kName);
  // "/a-b" sorts between "/a" and "/a/x": listing and emptiness checks must
  // not stop at it.
  REQUIRE(env.fs->CreateDirs(JoinPath(env.root, "a")).ok());
  REQUIRE(env.fs->CreateDirs(JoinPath(env.root, "a-b")).ok());
  REQUIRE(env.fs->CreateDirs(JoinPath(env.root, "a/sub")).ok());
  Open(*env.fs, JoinPath(env.root, "a-b/f"));
  CHECK(*env.fs->ListDir(JoinPath(env.root, "a")) ==
        std::vector<std::string>{"sub"});
  CHECK(*env.fs->ListDir(env.root) == std::vector<std::string>{"a", "a-b"});
  CHECK(env.fs->RemoveDir(JoinPath(env.root, "a")).code() ==
        absl::StatusCode::kFailedPrecondition);
  REQUIRE(env.fs->RemoveDir(JoinPath(env.root, "a/sub")).ok());
  CHECK(env.fs->RemoveDir(JoinPath(env.root, "a")).ok());
  CHECK(*env.fs->Exists(JoinPath(env.root, "a-b/f")));
}

TEMPLATE_TEST_CASE("RemoveFile unlinks but open files stay readable", "[io]",
                   FS_TYPES) {
  TestType env;
  INFO(TestType::kName);
  const std::string path = JoinPath(env.root, "f");
  auto file = Open(*env.fs, path);
  REQUIRE(file->Append("still here").ok());
  REQUIRE(env.fs->RemoveFile(path).ok());
  CHECK_FALSE(*env.fs->Exists(path));
  CHECK(env.fs->ListDir(env.root)->empty());
  CHECK(Read(*file, 0, 100) == "still here");
  const absl::Status again = env.fs->RemoveFile(path);
  CHECK(again.code() == absl::StatusCode::kNotFound);
  CHECK(again.message().find(path) != absl::string_view::npos);
}

TEMPLATE_TEST_CASE("RemoveDir removes only empty directories", "[io]",
                   FS_TYPES) {
  TestType env;
  INFO(TestType::kName);
  const std::string dir = JoinPath(env.root, "d");
  REQUIRE(env.fs->CreateDirs(dir).ok());
  Open(*env.fs, JoinPath(dir, "f"));
  CHECK(env.fs->RemoveDir(dir).code() == absl::StatusCode::kFailedPrecondition);
  REQUIRE(env.fs->RemoveFile(JoinPath(dir, "f")).ok());
  CHECK(env.fs->RemoveDir(dir).ok());
  CHECK_FALSE(*env.fs->Exists(dir));
  CHECK(env.fs->RemoveDir(dir).code() == absl::StatusCode::kNotFound);
}

TEMPLATE_TEST_CASE("Rename moves a file, replacing its target", "[io]",
                   FS_TYPES) {
  TestType env;
  INFO(TestType::kName);
  const std::string a = JoinPath(env.root, "a");
  const std::string b = JoinPath(env.root, "b");
  REQUIRE(Open(*env.fs, a)->Append("new").ok());
  REQUIRE(Open(*env.fs, b)->Append("old contents").ok());
  REQUIRE(env.fs->Rename(a, b).ok());
  CHECK_FALSE(*env.fs->Exists(a));
  CHECK(*ReadFileToString(*env.fs, b) == "new");
  CHECK(env.fs->Rename(a, b).code() == absl::StatusCode::kNotFound);
  SECTION("across directories") {
    REQUIRE(env.fs->CreateDirs(JoinPath(env.root, "sub")).ok());
    const std::string c = JoinPath(env.root, "sub/c");
    REQUIRE(env.fs->Rename(b, c).ok());
    CHECK(*ReadFileToString(*env.fs, c) == "new");
    CHECK(*env.fs->ListDir(env.root) == std::vector<std::string>{"sub"});
  }
}

TEMPLATE_TEST_CASE("Rename moves a whole directory", "[io]", FS_TYPES) {
  TestType env;
  INFO(TestType::kName);
  const std::string from = JoinPath(env.root, "t-0");
  const std::string to = JoinPath(env.root, "t-0.deleted");
  REQUIRE(env.fs->CreateDirs(JoinPath(from, "inner")).ok());
  REQUIRE(Open(*env.fs, JoinPath(from, "0.log"))->Append("x").ok());
  REQUIRE(env.fs->Rename(from, to).ok());
  CHECK_FALSE(*env.fs->Exists(from));
  CHECK(*env.fs->ListDir(to) == std::vector<std::string>{"0.log", "inner"});
  CHECK(*ReadFileToString(*env.fs, JoinPath(to, "0.log")) == "x");
}

TEMPLATE_TEST_CASE("Sync and SyncDir succeed on what exists", "[io]",
                   FS_TYPES) {
  TestType env;
  INFO(TestType::kName);
  auto file = Open(*env.fs, JoinPath(env.root, "f"));
  REQUIRE(file->Append("x").ok());
  CHECK(file->Sync().ok());
  CHECK(env.fs->SyncDir(env.root).ok());
  CHECK(env.fs->SyncDir(JoinPath(env.root, "missing")).code() ==
        absl::StatusCode::kNotFound);
}

TEMPLATE_TEST_CASE("WriteFileAtomically replaces contents and leaves no temp",
                   "[io]", FS_TYPES) {
  TestType env;
  INFO(TestType::kName);
  const std::string path = JoinPath(env.root, "meta");
  REQUIRE(WriteFileAtomically(*env.fs, path, "first").ok());
  CHECK(*ReadFileToString(*env.fs, path) == "first");
  REQUIRE(WriteFileAtomically(*env.fs, path, "second, longer").ok());
  CHECK(*ReadFileToString(*env.fs, path) == "second, longer");
  REQUIRE(WriteFileAtomically(*env.fs, path, "").ok());
  CHECK(ReadFileToString(*env.fs, path)->empty());
  CHECK(*env.fs->ListDir(env.root) == std::vector<std::string>{"meta"});
  CHECK(ReadFileToString(*env.fs, JoinPath(env.root, "none")).status().code() ==
        absl::StatusCode::kNotFound);
}

TEMPLATE_TEST_CASE("ReadFileToString reads files bigger than one read", "[io]",
                   FS_TYPES) {
  TestType env;
  INFO(TestType::kName);
  const std::string path = JoinPath(env.root, "big");
  const std::string contents = PatternRange(0, 5 * 1024 * 1024 + 3);
  REQUIRE(Open(*env.fs, path)->Append(contents).ok());
  auto got = ReadFileToString(*env.fs, path);
  REQUIRE(got.ok());
  CHECK(got->size() == contents.size());
  CHECK(*got == contents);
}

TEMPLATE_TEST_CASE("Readers run concurrently with one appender", "[io]",
                   FS_TYPES) {
  TestType env;
  INFO(TestType::kName);
  const std::string path = JoinPath(env.root, "f");
  auto file = Open(*env.fs, path);
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      std::mt19937_64 rng(t);
      std::string scratch(20'000, '\0');
      while (!done.load()) {
        const uint64_t size = file->Size();
        if (size == 0) continue;
        const uint64_t offset = rng() % size;
        const size_t n = static_cast<size_t>(
            std::min<uint64_t>(size - offset, rng() % scratch.size()));
        auto got = file->ReadAt(offset, n, scratch.data());
        if (!got.ok() || got->size() != n || *got != PatternRange(offset, n)) {
          ++bad;
        }
      }
    });
  }
  uint64_t size = 0;
  std::mt19937_64 rng(99);
  while (size < 2 * 1024 * 1024) {
    const size_t n = 1 + rng() % 9'000;
    if (!file->Append(PatternRange(size, n)).ok()) ++bad;
    size += n;
  }
  done = true;
  for (auto& t : readers) t.join();
  CHECK(bad.load() == 0);
  CHECK(file->Size() == size);
}

TEST_CASE("JoinPath joins with exactly one slash", "[io]") {
  CHECK(JoinPath("a", "b") == "a/b");
  CHECK(JoinPath("a/", "b") == "a/b");
  CHECK(JoinPath("a//", "/b") == "a/b");
  CHECK(JoinPath("/", "b") == "/b");
  CHECK(JoinPath("", "b") == "b");
  CHECK(JoinPath("/data/t-0", "00000000000000000000.log") ==
        "/data/t-0/00000000000000000000.log");
}

}  // namespace
}  // namespace rill::io
