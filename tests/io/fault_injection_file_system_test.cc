// Fault-specific behaviour of FaultInjectionFileSystem: torn writes, failed
// syncs, a full disk, crashes after n operations, and power loss
// (DropUnsyncedData) for appends, truncates, creates, renames and removes.
#include "rill/io/fault_injection_file_system.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace rill::io {
namespace {

constexpr char kDir[] = "/d";

// Env: a fault-injecting file system over memory with /d created.
struct Env {
  Env() {
    fs = std::make_shared<FaultInjectionFileSystem>(base);
    REQUIRE(fs->CreateDirs(kDir).ok());
    REQUIRE(fs->SyncDir("/").ok());
  }

  std::unique_ptr<File> Open(const std::string& name,
                             OpenOptions options = {.create = true}) {
    auto file = fs->OpenFile(Path(name), options);
    INFO(file.status().ToString());
    REQUIRE(file.ok());
    return std::move(*file);
  }
  static std::string Path(const std::string& name) {
    return JoinPath(kDir, name);
  }
  // Contents reads `name` through the wrapped base, as a restarted process
  // would; "<missing>" if it does not exist.
  std::string Contents(const std::string& name) {
    auto s = ReadFileToString(*base, Path(name));
    return s.ok() ? *s : "<missing>";
  }
  std::vector<std::string> Names() { return *fs->ListDir(kDir); }
  // PowerLoss is what a test does after a crash: drop what was not synced,
  // then restart.
  void PowerLoss() {
    fs->DropUnsyncedData();
    fs->Reset();
  }

  std::shared_ptr<FileSystem> base = NewMemFileSystem();
  std::shared_ptr<FaultInjectionFileSystem> fs;
};

// --- torn writes ---

TEST_CASE("A torn write leaves exactly the bytes before the tear", "[io]") {
  Env env;
  auto file = env.Open("0.log");
  REQUIRE(file->Append("0123456789").ok());
  env.fs->InjectTornWrite(7);
  REQUIRE(file->Append("abcde").ok());  // 5 of the 7 bytes
  const absl::Status torn = file->Append("VWXYZ");
  CHECK(torn.code() == absl::StatusCode::kUnavailable);
  CHECK(torn.message().find("/d/0.log") != absl::string_view::npos);
  CHECK(env.Contents("0.log") == "0123456789abcdeVW");
  CHECK(file->Size() == 17);
  CHECK(env.fs->crashed());
  SECTION("and the file system is crashed: later mutations change nothing") {
    CHECK(file->Append("more").code() == absl::StatusCode::kUnavailable);
    CHECK(file->Sync().code() == absl::StatusCode::kUnavailable);
    CHECK(env.Contents("0.log") == "0123456789abcdeVW");
  }
  SECTION("and the torn bytes were never synced, so power loss drops them") {
    env.PowerLoss();
    CHECK(env.Contents("0.log") == "<missing>");  // never dir-synced either
  }
}

TEST_CASE("A tear at zero bytes writes nothing of the crossing append",
          "[io]") {
  Env env;
  auto file = env.Open("0.log");
  env.fs->InjectTornWrite(0);
  CHECK(file->Append("abc").code() == absl::StatusCode::kUnavailable);
  CHECK(env.Contents("0.log").empty());
}

TEST_CASE("A torn write counts only appends to files matching its filter",
          "[io]") {
  Env env;
  auto log = env.Open("0.log");
  auto index = env.Open("0.index");
  env.fs->InjectTornWrite(4, ".log");
  REQUIRE(index->Append("index bytes do not count").ok());
  REQUIRE(log->Append("ab").ok());
  CHECK_FALSE(log->Append("cdef").ok());
  CHECK(env.Contents("0.log") == "abcd");
  CHECK(env.Contents("0.index") == "index bytes do not count");
}

// --- failed syncs ---

TEST_CASE("A failed fsync returns kDataLoss and leaves the data non-durable",
          "[io]") {
  Env env;
  auto file = env.Open("f");
  REQUIRE(env.fs->SyncDir(kDir).ok());
  REQUIRE(file->Append("durable").ok());
  REQUIRE(file->Sync().ok());
  REQUIRE(file->Append(" pending").ok());
  env.fs->FailSyncs(1);
  const absl::Status failed = file->Sync();
  CHECK(failed.code() == absl::StatusCode::kDataLoss);
  CHECK(failed.message().find("/d/f") != absl::string_view::npos);
  CHECK(env.Contents("f") == "durable pending");  // still readable

  SECTION("power loss then reverts to the last good sync") {
    env.PowerLoss();
    CHECK(env.Contents("f") == "durable");
  }
  SECTION("a later successful sync makes it durable") {
    REQUIRE(file->Sync().ok());
    env.PowerLoss();
    CHECK(env.Contents("f") == "durable pending");
  }
}

TEST_CASE("A failed directory sync leaves new names non-durable", "[io]") {
  Env env;
  auto file = env.Open("f");
  REQUIRE(file->Sync().ok());
  env.fs->FailSyncs(2);
  CHECK(env.fs->SyncDir(kDir).code() == absl::StatusCode::kDataLoss);
  CHECK(env.fs->SyncDir(kDir).code() == absl::StatusCode::kDataLoss);
  REQUIRE(file->Append("x").ok());
  REQUIRE(file->Sync().ok());  // only two syncs were armed to fail
  env.PowerLoss();
  CHECK(env.Names().empty());
}

// --- full disk ---

TEST_CASE(
    "With no space, appends and growing truncates fail and write "
    "nothing",
    "[io]") {
  Env env;
  auto file = env.Open("f");
  REQUIRE(file->Append("12345").ok());
  env.fs->SetNoSpace(true);
  const absl::Status append = file->Append("678");
  CHECK(append.code() == absl::StatusCode::kResourceExhausted);
  CHECK(append.message().find("/d/f") != absl::string_view::npos);
  CHECK(file->Truncate(10).code() == absl::StatusCode::kResourceExhausted);
  CHECK(env.Contents("f") == "12345");
  CHECK(file->Truncate(2).ok());  // shrinking needs no space
  CHECK(file->Sync().ok());
  CHECK_FALSE(env.fs->crashed());
  env.fs->SetNoSpace(false);
  REQUIRE(file->Append("ab").ok());
  CHECK(env.Contents("f") == "12ab");
}

// --- crash after n operations ---

TEST_CASE("After CrashAfterOperations(n) exactly n mutations succeed", "[io]") {
  for (uint64_t n = 0; n <= 3; ++n) {
    INFO("n = " << n);
    Env env;
    auto file = env.Open("f");
    const uint64_t before = env.fs->MutatingOperations();
    env.fs->CrashAfterOperations(n);
    int succeeded = 0;
    for (int i = 0; i < 5; ++i) {
      const absl::Status s = file->Append(std::string(1, char('a' + i)));
      if (s.ok()) {
        ++succeeded;
      } else {
        CHECK(s.code() == absl::StatusCode::kUnavailable);
      }
    }
    CHECK(succeeded == static_cast<int>(n));
    CHECK(env.fs->crashed());
    CHECK(env.Contents("f") == std::string("abc").substr(0, n));
    CHECK(env.fs->MutatingOperations() - before == 5);
  }
}

TEST_CASE("A crashed file system fails every mutation but keeps reading",
          "[io]") {
  Env env;
  {
    auto file = env.Open("f");
    REQUIRE(file->Append("data").ok());
  }
  env.fs->CrashAfterOperations(0);
  CHECK(env.fs->crashed());
  const auto unavailable = absl::StatusCode::kUnavailable;
  CHECK(env.fs->OpenFile(Env::Path("g"), {.create = true}).status().code() ==
        unavailable);
  CHECK(env.fs->CreateDirs("/e").code() == unavailable);
  CHECK(env.fs->Rename(Env::Path("f"), Env::Path("h")).code() == unavailable);
  CHECK(env.fs->RemoveFile(Env::Path("f")).code() == unavailable);
  CHECK(env.fs->RemoveDir(kDir).code() == unavailable);
  CHECK(env.fs->SyncDir(kDir).code() == unavailable);
  auto reader = env.Open("f", {});  // opening to read is not a mutation
  CHECK(reader->Truncate(0).code() == unavailable);
  std::string scratch(4, '\0');
  CHECK(*reader->ReadAt(0, 4, scratch.data()) == "data");
  CHECK(env.Names() == std::vector<std::string>{"f"});
  CHECK(*env.fs->Exists(Env::Path("f")));

  env.fs->Reset();
  CHECK_FALSE(env.fs->crashed());
  CHECK(reader->Append("!").ok());
  CHECK(env.Contents("f") == "data!");
}

TEST_CASE("MutatingOperations counts only mutating calls", "[io]") {
  Env env;
  const uint64_t start = env.fs->MutatingOperations();
  auto file = env.Open("f");             // 1: create
  REQUIRE(file->Append("x").ok());       // 2
  REQUIRE(file->Sync().ok());            // 3
  REQUIRE(env.fs->SyncDir(kDir).ok());   // 4
  auto reader = env.Open("f", {});       // not a mutation
  (void)env.fs->ListDir(kDir);           // not a mutation
  (void)env.fs->Exists(Env::Path("f"));  // not a mutation
  std::string scratch(1, '\0');
  (void)reader->ReadAt(0, 1, scratch.data());  // not a mutation
  REQUIRE(env.fs->Rename(Env::Path("f"), Env::Path("g")).ok());  // 5
  REQUIRE(env.fs->RemoveFile(Env::Path("g")).ok());              // 6
  CHECK(env.fs->MutatingOperations() - start == 6);
}

// --- power loss: DropUnsyncedData ---

TEST_CASE("Power loss keeps synced appends and drops the unsynced tail",
          "[io]") {
  Env env;
  auto file = env.Open("f");
  REQUIRE(env.fs->SyncDir(kDir).ok());
  REQUIRE(file->Append("one ").ok());
  REQUIRE(file->Sync().ok());
  REQUIRE(file->Append("two ").ok());
  REQUIRE(file->Sync().ok());
  REQUIRE(file->Append("three").ok());
  env.PowerLoss();
  CHECK(env.Contents("f") == "one two ");
  SECTION("and the restored file takes appends and syncs as before") {
    auto again = env.Open("f", {});
    REQUIRE(again->Append("four").ok());
    REQUIRE(again->Sync().ok());
    env.PowerLoss();
    CHECK(env.Contents("f") == "one two four");
  }
}

TEST_CASE("Power loss undoes an unsynced truncate and keeps a synced one",
          "[io]") {
  Env env;
  auto file = env.Open("f");
  REQUIRE(env.fs->SyncDir(kDir).ok());
  REQUIRE(file->Append("0123456789").ok());
  REQUIRE(file->Sync().ok());
  SECTION("unsynced truncate and rewrite") {
    REQUIRE(file->Truncate(3).ok());
    REQUIRE(file->Append("abc").ok());
    CHECK(env.Contents("f") == "012abc");
    env.PowerLoss();
    CHECK(env.Contents("f") == "0123456789");
  }
  SECTION("synced truncate, then an unsynced append") {
    REQUIRE(file->Truncate(3).ok());
    REQUIRE(file->Append("abc").ok());
    REQUIRE(file->Sync().ok());
    REQUIRE(file->Append("zzz").ok());
    env.PowerLoss();
    CHECK(env.Contents("f") == "012abc");
  }
  SECTION("unsynced zero-extension") {
    REQUIRE(file->Truncate(20).ok());
    env.PowerLoss();
    CHECK(env.Contents("f") == "0123456789");
  }
  SECTION("truncate by reopening") {
    env.Open("f", {.truncate = true});
    CHECK(env.Contents("f").empty());
    env.PowerLoss();
    CHECK(env.Contents("f") == "0123456789");
  }
}

TEST_CASE(
    "A created file survives power loss only once its directory is "
    "synced",
    "[io]") {
  Env env;
  SECTION("never dir-synced: the file disappears even though it was synced") {
    auto file = env.Open("new");
    REQUIRE(file->Append("data").ok());
    REQUIRE(file->Sync().ok());
    env.PowerLoss();
    CHECK(env.Names().empty());
  }
  SECTION("dir-synced but its data never synced: it comes back empty") {
    auto file = env.Open("new");
    REQUIRE(file->Append("data").ok());
    REQUIRE(env.fs->SyncDir(kDir).ok());
    env.PowerLoss();
    CHECK(env.Names() == std::vector<std::string>{"new"});
    CHECK(env.Contents("new").empty());
  }
  SECTION("dir-synced and synced: it comes back whole") {
    auto file = env.Open("new");
    REQUIRE(file->Append("data").ok());
    REQUIRE(file->Sync().ok());
    REQUIRE(env.fs->SyncDir(kDir).ok());
    env.PowerLoss();
    CHECK(env.Contents("new") == "data");
  }
  SECTION("syncing another directory does not help") {
    REQUIRE(env.fs->CreateDirs("/other").ok());
    auto file = env.Open("new");
    REQUIRE(env.fs->SyncDir("/other").ok());
    REQUIRE(env.fs->SyncDir("/").ok());
    env.PowerLoss();
    CHECK(env.Names().empty());
  }
}

TEST_CASE("Power loss undoes an unsynced rename and keeps a synced one",
          "[io]") {
  Env env;
  {
    auto a = env.Open("a");
    REQUIRE(a->Append("A").ok());
    REQUIRE(a->Sync().ok());
    auto b = env.Open("b");
    REQUIRE(b->Append("old B").ok());
    REQUIRE(b->Sync().ok());
    REQUIRE(env.fs->SyncDir(kDir).ok());
  }
  REQUIRE(env.fs->Rename(Env::Path("a"), Env::Path("b")).ok());
  CHECK(env.Names() == std::vector<std::string>{"b"});
  SECTION("unsynced: both old names come back with their contents") {
    env.PowerLoss();
    CHECK(env.Names() == std::vector<std::string>{"a", "b"});
    CHECK(env.Contents("a") == "A");
    CHECK(env.Contents("b") == "old B");
  }
  SECTION("synced: the rename sticks") {
    REQUIRE(env.fs->SyncDir(kDir).ok());
    env.PowerLoss();
    CHECK(env.Names() == std::vector<std::string>{"b"});
    CHECK(env.Contents("b") == "A");
  }
  SECTION("the data follows the file, not the name") {
    auto b = env.Open("b", {});
    REQUIRE(b->Append("+synced").ok());
    REQUIRE(b->Sync().ok());  // syncs the inode once named "a"
    env.PowerLoss();
    CHECK(env.Contents("a") == "A+synced");
    CHECK(env.Contents("b") == "old B");
  }
}

TEST_CASE("A rename across directories is durable per directory", "[io]") {
  Env env;
  REQUIRE(env.fs->CreateDirs("/e").ok());
  {
    auto f = env.Open("f");
    REQUIRE(f->Append("F").ok());
    REQUIRE(f->Sync().ok());
    REQUIRE(env.fs->SyncDir(kDir).ok());
  }
  REQUIRE(env.fs->Rename(Env::Path("f"), "/e/f").ok());
  REQUIRE(env.fs->SyncDir("/e").ok());  // the new name only
  env.PowerLoss();
  CHECK(env.Contents("f") == "F");
  CHECK(*ReadFileToString(*env.base, "/e/f") == "F");
  // The two names are separate files now, not links to one.
  {
    auto f = env.Open("f", {});
    REQUIRE(f->Append("!").ok());
  }
  CHECK(*ReadFileToString(*env.base, "/e/f") == "F");
}

TEST_CASE("Power loss undoes an unsynced remove and keeps a synced one",
          "[io]") {
  Env env;
  {
    auto f = env.Open("f");
    REQUIRE(f->Append("keep me").ok());
    REQUIRE(f->Sync().ok());
    REQUIRE(env.fs->SyncDir(kDir).ok());
  }
  REQUIRE(env.fs->RemoveFile(Env::Path("f")).ok());
  CHECK(env.Names().empty());
  SECTION("unsynced: the file comes back") {
    env.PowerLoss();
    CHECK(env.Contents("f") == "keep me");
  }
  SECTION("synced: it stays gone") {
    REQUIRE(env.fs->SyncDir(kDir).ok());
    env.PowerLoss();
    CHECK(env.Names().empty());
  }
  SECTION(
      "re-created under the same name but not dir-synced: the old one "
      "comes back") {
    auto f = env.Open("f");
    REQUIRE(f->Append("new").ok());
    REQUIRE(f->Sync().ok());
    env.PowerLoss();
    CHECK(env.Contents("f") == "keep me");
  }
}

TEST_CASE("An open file that was removed still syncs into its old name",
          "[io]") {
  Env env;
  auto f = env.Open("f");
  REQUIRE(env.fs->SyncDir(kDir).ok());
  REQUIRE(env.fs->RemoveFile(Env::Path("f")).ok());
  REQUIRE(f->Append("late").ok());
  REQUIRE(f->Sync().ok());
  env.PowerLoss();  // the removal was never dir-synced
  CHECK(env.Contents("f") == "late");
}

TEST_CASE("Files already in the base are adopted as durable", "[io]") {
  auto base = NewMemFileSystem();
  REQUIRE(base->CreateDirs("/d").ok());
  {
    auto f = *base->OpenFile("/d/old", {.create = true});
    REQUIRE(f->Append("from before").ok());
    auto g = *base->OpenFile("/d/untouched", {.create = true});
    REQUIRE(g->Append("never opened").ok());
  }
  FaultInjectionFileSystem fs(base);
  {
    auto f = *fs.OpenFile("/d/old", {});
    REQUIRE(f->Append(" + unsynced").ok());
  }
  REQUIRE(fs.RemoveFile("/d/untouched").ok());
  fs.DropUnsyncedData();
  CHECK(*ReadFileToString(*base, "/d/old") == "from before");
  CHECK(*ReadFileToString(*base, "/d/untouched") == "never opened");
}

TEST_CASE(
    "Power loss at every step of WriteFileAtomically leaves the old or "
    "the new contents",
    "[io]") {
  // Learn how many mutating calls one replacement makes.
  uint64_t calls = 0;
  {
    Env env;
    REQUIRE(WriteFileAtomically(*env.fs, Env::Path("meta"), "old").ok());
    const uint64_t before = env.fs->MutatingOperations();
    REQUIRE(WriteFileAtomically(*env.fs, Env::Path("meta"), "new!").ok());
    calls = env.fs->MutatingOperations() - before;
  }
  REQUIRE(calls >= 5);  // open, append, sync, rename, sync dir
  int saw_old = 0;
  int saw_new = 0;
  for (uint64_t k = 0; k <= calls; ++k) {
    INFO("crash after " << k << " of " << calls);
    Env env;
    REQUIRE(WriteFileAtomically(*env.fs, Env::Path("meta"), "old").ok());
    env.fs->CrashAfterOperations(k);
    const absl::Status s =
        WriteFileAtomically(*env.fs, Env::Path("meta"), "new!");
    CHECK(s.ok() == (k == calls));
    env.PowerLoss();
    const std::string got = env.Contents("meta");
    CHECK((got == "old" || got == "new!"));
    (got == "old" ? saw_old : saw_new)++;
    if (k == calls) CHECK(got == "new!");
  }
  CHECK(saw_old > 0);
  CHECK(saw_new > 0);
}

TEST_CASE(
    "Directories are durable at once and RemoveDir forgets their "
    "entries",
    "[io]") {
  Env env;
  REQUIRE(env.fs->CreateDirs("/x/y").ok());
  env.PowerLoss();
  CHECK(*env.fs->Exists("/x/y"));
  REQUIRE(env.fs->RemoveDir("/x/y").ok());
  env.PowerLoss();
  CHECK_FALSE(*env.fs->Exists("/x/y"));
  SECTION("a renamed directory keeps its synced files") {
    REQUIRE(env.fs->CreateDirs("/x/p").ok());
    {
      auto f = *env.fs->OpenFile("/x/p/f", {.create = true});
      REQUIRE(f->Append("P").ok());
      REQUIRE(f->Sync().ok());
    }
    REQUIRE(env.fs->SyncDir("/x/p").ok());
    REQUIRE(env.fs->Rename("/x/p", "/x/q").ok());
    env.PowerLoss();
    CHECK_FALSE(*env.fs->Exists("/x/p"));
    CHECK(*ReadFileToString(*env.base, "/x/q/f") == "P");
  }
}

TEST_CASE("Reset ends every armed fault without restoring data", "[io]") {
  Env env;
  auto f = env.Open("f");
  env.fs->InjectTornWrite(1);
  env.fs->FailSyncs(3);
  env.fs->SetNoSpace(true);
  env.fs->CrashAfterOperations(1);
  env.fs->Reset();
  REQUIRE(f->Append("abc").ok());
  REQUIRE(f->Append("def").ok());
  REQUIRE(f->Sync().ok());
  CHECK_FALSE(env.fs->crashed());
  CHECK(env.Contents("f") == "abcdef");
}

}  // namespace
}  // namespace rill::io
