// What the POSIX and in-memory file systems do beyond the shared contract:
// descriptors, errno mapping, views into memory.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <string>

#include "io/fs_test_envs.h"
#include "io/mem_file_system.h"
#include "io/posix_file_system.h"

namespace rill::io {
namespace {

TEST_CASE("errno values map to the status codes file_system.h promises",
          "[io]") {
  using internal::ErrnoToStatus;
  using C = absl::StatusCode;
  CHECK(ErrnoToStatus(ENOENT, "open", "/p").code() == C::kNotFound);
  CHECK(ErrnoToStatus(EEXIST, "open", "/p").code() == C::kAlreadyExists);
  CHECK(ErrnoToStatus(ENOSPC, "write", "/p").code() == C::kResourceExhausted);
  CHECK(ErrnoToStatus(EDQUOT, "write", "/p").code() == C::kResourceExhausted);
  CHECK(ErrnoToStatus(EACCES, "open", "/p").code() == C::kPermissionDenied);
  CHECK(ErrnoToStatus(ENOTEMPTY, "rmdir", "/p").code() ==
        C::kFailedPrecondition);
  CHECK(ErrnoToStatus(EIO, "pread", "/p").code() == C::kInternal);
  const absl::Status s = ErrnoToStatus(ENOSPC, "write", "/data/0.log");
  CHECK(s.message().find("write /data/0.log") != absl::string_view::npos);
}

TEST_CASE("A POSIX file exposes its descriptor and writes through it", "[io]") {
  testing::PosixEnv env;
  const std::string path = JoinPath(env.root, "f");
  auto file = *env.fs->OpenFile(path, {.create = true});
  const int fd = file->NativeHandle();
  REQUIRE(fd >= 0);
  REQUIRE(file->Append("via write").ok());
  char buf[9];
  REQUIRE(::pread(fd, buf, sizeof(buf), 0) == 9);
  CHECK(std::string(buf, 9) == "via write");
  CHECK((::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
}

TEST_CASE("A POSIX failure names the path and maps its errno", "[io]") {
  testing::PosixEnv env;
  const std::string path = JoinPath(env.root, "missing/f");
  const absl::Status s = env.fs->OpenFile(path, {.create = true}).status();
  CHECK(s.code() == absl::StatusCode::kNotFound);
  CHECK(s.message().find(path) != absl::string_view::npos);
  REQUIRE(env.fs->CreateDirs(JoinPath(env.root, "d")).ok());
  CHECK(env.fs->RemoveFile(JoinPath(env.root, "d")).code() !=
        absl::StatusCode::kOk);
}

TEST_CASE("An in-memory file has no descriptor", "[io]") {
  auto fs = NewMemFileSystem();
  auto file = *fs->OpenFile("/f", {.create = true});
  CHECK(file->NativeHandle() == -1);
}

TEST_CASE("In-memory reads return views that later appends do not move",
          "[io]") {
  auto fs = NewMemFileSystem();
  auto file = *fs->OpenFile("/f", {.create = true});
  REQUIRE(file->Append(std::string(1000, 'a')).ok());
  std::string scratch(100, '\0');
  const std::string_view view = *file->ReadAt(10, 100, scratch.data());
  CHECK(view.data() != scratch.data());  // no copy for a contiguous range
  CHECK(view == std::string(100, 'a'));
  for (int i = 0; i < 64; ++i) {  // grow through many chunks
    REQUIRE(file->Append(std::string(100'000, 'b')).ok());
  }
  CHECK(view == std::string(100, 'a'));
  // A range across a chunk boundary comes back in scratch.
  std::string big(10'000, '\0');
  const std::string_view across = *file->ReadAt(0, big.size(), big.data());
  CHECK(across.data() == big.data());
  CHECK(across == std::string(1000, 'a') + std::string(9000, 'b'));
}

TEST_CASE("In-memory paths are normalized and relative to the root", "[io]") {
  auto fs = NewMemFileSystem();
  REQUIRE(fs->CreateDirs("data//t-0/").ok());
  REQUIRE((*fs->OpenFile("/data/./t-0/f", {.create = true}))->Append("x").ok());
  CHECK(*fs->Exists("/data/t-0/f"));
  CHECK(*fs->Exists("data/t-0/f"));
  CHECK(*ReadFileToString(*fs, "/data/x/../t-0/f") == "x");
  CHECK(*fs->ListDir("/") == std::vector<std::string>{"data"});
  CHECK(fs->RemoveDir("/").code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("An in-memory directory cannot move into itself or onto a file",
          "[io]") {
  auto fs = NewMemFileSystem();
  REQUIRE(fs->CreateDirs("/a/b").ok());
  REQUIRE(fs->OpenFile("/f", {.create = true}).ok());
  CHECK(fs->Rename("/a", "/a/b/c").code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(fs->Rename("/a", "/f").code() == absl::StatusCode::kFailedPrecondition);
  CHECK(fs->Rename("/f", "/a").code() == absl::StatusCode::kFailedPrecondition);
  REQUIRE(fs->CreateDirs("/empty").ok());
  CHECK(fs->Rename("/a", "/empty").ok());  // replaces an empty directory
  CHECK(*fs->Exists("/empty/b"));
}

}  // namespace
}  // namespace rill::io
