// rill/io/file_system.h — the file seam every durable part of rill goes
// through.
//
// The log touches storage only through io::FileSystem, so an embedder can
// supply their own (encrypted, remote) and tests can use the in-memory or the
// fault-injecting one. Paths are '/'-separated strings.
//
//   std::shared_ptr<io::FileSystem> fs = io::NewPosixFileSystem();
//   ASSIGN_OR_RETURN(auto file, fs->OpenFile("/data/t-0/0.log",
//                                            {.create = true}));
//   RETURN_IF_ERROR(file->Append(bytes));
//   RETURN_IF_ERROR(file->Sync());
//
// Durability contract (the fault-injecting file system enforces it): bytes a
// File appended or a Truncate are durable after that File's Sync(); a file's
// creation, a Rename and a RemoveFile are durable after SyncDir() of the
// directory that holds the name.
//
// Errors: kNotFound for a missing path, kAlreadyExists for an exclusive create
// of an existing one, kResourceExhausted for a full device (ENOSPC), kDataLoss
// for a failed fsync, kUnavailable once a simulated crash has happened,
// kInternal for other I/O errors. Messages include the path.
#ifndef RILL_IO_FILE_SYSTEM_H_
#define RILL_IO_FILE_SYSTEM_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rill::io {

// File is an open file: positional reads anywhere, writes only at the end.
// Thread-safe: reads may run concurrently with each other and with Append;
// Append, Truncate and Sync are serialized by the caller (one writer).
class File {
 public:
  virtual ~File() = default;

  // ReadAt reads up to `n` bytes at `offset`. The result points either into
  // `scratch` (which must hold n bytes) or into memory the File owns that stays
  // valid until the File is destroyed or that range is truncated. Fewer than n
  // bytes come back only at end of file.
  virtual absl::StatusOr<std::string_view> ReadAt(uint64_t offset, size_t n,
                                                  char* scratch) const = 0;

  // Append writes `data` at the end of the file.
  virtual absl::Status Append(std::string_view data) = 0;

  // AppendFrom appends `n` bytes of `source` from `offset` (a follower
  // copying its leader's log within one process), without passing them
  // through this process's memory where the OS can copy file to file
  // (copy_file_range(2)); otherwise through a buffer. Fewer bytes are
  // copied only when `source` ends first: returns how many were. On an
  // error part of the range may have been appended.
  virtual absl::StatusOr<uint64_t> AppendFrom(const File& source,
                                              uint64_t offset, uint64_t n);

  // Truncate cuts (or zero-extends) the file to `size` bytes.
  virtual absl::Status Truncate(uint64_t size) = 0;

  // Sync makes the file's contents durable (fdatasync).
  virtual absl::Status Sync() = 0;

  // Size is the file's current length, including unsynced appends.
  virtual uint64_t Size() const = 0;

  // NativeHandle is an OS file descriptor for sendfile(2), or -1 when the
  // file is not backed by one.
  virtual int NativeHandle() const { return -1; }
};

// OpenOptions choose how OpenFile treats a missing or existing file.
struct OpenOptions {
  // Create the file when it does not exist. Default: false.
  bool create = false;
  // With `create`, fail with kAlreadyExists when the file exists.
  // Default: false.
  bool exclusive = false;
  // Truncate an existing file to zero length. Default: false.
  bool truncate = false;
};

// FileSystem names, opens, lists and removes files. Implementations are
// thread-safe.
class FileSystem {
 public:
  virtual ~FileSystem() = default;

  virtual absl::StatusOr<std::unique_ptr<File>> OpenFile(
      const std::string& path, const OpenOptions& options) = 0;

  // CreateDirs creates `path` and any missing parents; OK if it exists.
  virtual absl::Status CreateDirs(const std::string& path) = 0;

  // ListDir returns the names (not paths) of the entries in `path`, sorted.
  virtual absl::StatusOr<std::vector<std::string>> ListDir(
      const std::string& path) = 0;

  virtual absl::StatusOr<bool> Exists(const std::string& path) = 0;

  // RemoveFile unlinks a file. Open Files stay readable until closed.
  virtual absl::Status RemoveFile(const std::string& path) = 0;

  // RemoveDir removes an empty directory.
  virtual absl::Status RemoveDir(const std::string& path) = 0;

  // Rename atomically moves `from` to `to`, replacing `to` if it exists.
  virtual absl::Status Rename(const std::string& from,
                              const std::string& to) = 0;

  // SyncDir makes creations, renames and removals in directory `path`
  // durable.
  virtual absl::Status SyncDir(const std::string& path) = 0;
};

// PosixFileSystemOptions configure NewPosixFileSystem.
struct PosixFileSystemOptions {
  // false: File::Sync and SyncDir return at once without asking the kernel,
  // for files that never need to survive a machine crash (a test cluster's
  // temporary directory, removed when it is destroyed). Default: true.
  bool sync = true;
};

// NewPosixFileSystem returns the operating system's file system.
std::shared_ptr<FileSystem> NewPosixFileSystem(
    PosixFileSystemOptions options = {});

// NewMemFileSystem returns an empty file system held in memory, for tests and
// for brokers that need no durability. Everything written is "durable".
std::shared_ptr<FileSystem> NewMemFileSystem();

// ReadFileToString reads a whole file.
absl::StatusOr<std::string> ReadFileToString(FileSystem& fs,
                                             const std::string& path);

// RemoveFileIfExists unlinks `path`; a missing file is not an error.
absl::Status RemoveFileIfExists(FileSystem& fs, const std::string& path);

// WriteFileAtomically replaces `path` with `contents` so that after a crash
// the file holds either the old or the new contents: write "<path>.tmp",
// sync it, rename it over `path`, sync the directory.
absl::Status WriteFileAtomically(FileSystem& fs, const std::string& path,
                                 std::string_view contents);

// JoinPath joins two path parts with exactly one '/'.
std::string JoinPath(std::string_view dir, std::string_view name);

}  // namespace rill::io

#endif  // RILL_IO_FILE_SYSTEM_H_
