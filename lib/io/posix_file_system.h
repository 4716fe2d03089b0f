// The operating system's file system behind io::FileSystem.
//
// A thin layer over open/pread/write/ftruncate/fdatasync/rename; every error
// becomes an absl::Status whose message names the call and the path.
#ifndef RILL_IO_POSIX_FILE_SYSTEM_H_
#define RILL_IO_POSIX_FILE_SYSTEM_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rill/io/file_system.h"

namespace rill::io {

// PosixFile is an open file descriptor opened O_APPEND, so Append always
// lands at the end even after a Truncate. Owns the descriptor (closed on
// destruction). Thread-safe as File requires: ReadAt is pread(2), which does
// not touch the file offset.
class PosixFile final : public File {
 public:
  PosixFile(int fd, std::string path, bool sync = true)
      : fd_(fd), path_(std::move(path)), sync_(sync) {}
  ~PosixFile() override;

  PosixFile(const PosixFile&) = delete;
  PosixFile& operator=(const PosixFile&) = delete;

  absl::StatusOr<std::string_view> ReadAt(uint64_t offset, size_t n,
                                          char* scratch) const override;
  absl::Status Append(std::string_view data) override;
  // AppendFrom copies file to file in the kernel (copy_file_range(2)) when
  // `source` is a POSIX file too, and through a buffer otherwise or where
  // the kernel cannot (another file system, an old kernel).
  absl::StatusOr<uint64_t> AppendFrom(const File& source, uint64_t offset,
                                      uint64_t n) override;
  absl::Status Truncate(uint64_t size) override;
  absl::Status Sync() override;
  // Size asks the kernel (fstat), so every File open on the path agrees and
  // a concurrent reader sees the writer's appends. Returns 0 if fstat fails,
  // which it cannot for a valid descriptor.
  uint64_t Size() const override;
  int NativeHandle() const override { return fd_; }

 private:
  // CopyTarget is a descriptor of this file opened without O_APPEND, which
  // copy_file_range(2) refuses to write to; opened on first use. -1 when
  // the kernel cannot copy here (then AppendFrom goes through a buffer).
  absl::StatusOr<int> CopyTarget();

  const int fd_;
  const std::string path_;
  const bool sync_;  // false: Sync does nothing (PosixFileSystemOptions)
  // Touched only by the writer (Append's caller), like the file's end.
  int copy_fd_ = -1;
  bool copy_unsupported_ = false;
};

// PosixFileSystem holds no state of its own beyond its options (the OS
// does), so it is thread-safe; NewPosixFileSystem() hands out shared
// instances.
class PosixFileSystem final : public FileSystem {
 public:
  explicit PosixFileSystem(PosixFileSystemOptions options = {})
      : options_(options) {}

  absl::StatusOr<std::unique_ptr<File>> OpenFile(
      const std::string& path, const OpenOptions& options) override;
  absl::Status CreateDirs(const std::string& path) override;
  absl::StatusOr<std::vector<std::string>> ListDir(
      const std::string& path) override;
  absl::StatusOr<bool> Exists(const std::string& path) override;
  absl::Status RemoveFile(const std::string& path) override;
  absl::Status RemoveDir(const std::string& path) override;
  absl::Status Rename(const std::string& from, const std::string& to) override;
  absl::Status SyncDir(const std::string& path) override;

 private:
  const PosixFileSystemOptions options_;
};

namespace internal {

// ErrnoToStatus maps `err` from system call `call` on `path` to the codes
// file_system.h promises: ENOENT -> kNotFound, EEXIST -> kAlreadyExists,
// ENOSPC/EDQUOT -> kResourceExhausted, EACCES/EPERM/EROFS ->
// kPermissionDenied, ENOTDIR/EISDIR/ENOTEMPTY -> kFailedPrecondition, any
// other -> kInternal. The message reads "<call> <path>: <strerror>".
absl::Status ErrnoToStatus(int err, std::string_view call,
                           std::string_view path);

}  // namespace internal
}  // namespace rill::io

#endif  // RILL_IO_POSIX_FILE_SYSTEM_H_
