// An io::FileSystem held entirely in memory: for tests, for the fault-
// injecting file system to wrap, and for brokers that need no durability.
#ifndef RILL_IO_MEM_FILE_SYSTEM_H_
#define RILL_IO_MEM_FILE_SYSTEM_H_

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "rill/io/file_system.h"

namespace rill::io {
namespace internal {

// MemFileData is one file's bytes (an "inode"), shared by the name that
// points at it and every File open on it, so a removed file stays readable
// until its last File closes.
//
// Storage is a list of chunks that never move once allocated (4 KiB
// doubling up to 1 MiB, so small files stay small): ReadAt can hand out a
// view into a chunk, and a later Append writes only past the end, never
// into bytes already handed out. Truncate frees whole chunks past the new
// end (views into a truncated range are invalid, as File::ReadAt says).
//
// Thread-safe: reads share mu_; Append and Truncate take it exclusively.
// ChunkPool keeps the full-size chunks of deleted and truncated files, up
// to a byte cap, for files that grow later. A broker in memory streams its
// log through retention: reusing memory it has already touched spares it a
// page fault per 4 KiB written (and the allocator's unmapping of freed
// memory). Thread-safe.
class ChunkPool {
 public:
  ChunkPool(size_t chunk_size, size_t max_bytes)
      : chunk_size_(chunk_size), max_chunks_(max_bytes / chunk_size) {}
  ChunkPool(const ChunkPool&) = delete;
  ChunkPool& operator=(const ChunkPool&) = delete;

  // Take returns a pooled chunk of chunk_size bytes, or a new one.
  std::unique_ptr<char[]> Take() ABSL_LOCKS_EXCLUDED(mu_);
  // Give keeps `chunk` (of chunk_size bytes) unless the pool is full.
  void Give(std::unique_ptr<char[]> chunk) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const size_t chunk_size_;
  const size_t max_chunks_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<char[]>> chunks_ ABSL_GUARDED_BY(mu_);
};

class MemFileData {
 public:
  explicit MemFileData(std::shared_ptr<ChunkPool> pool)
      : pool_(std::move(pool)) {}
  ~MemFileData();
  MemFileData(const MemFileData&) = delete;
  MemFileData& operator=(const MemFileData&) = delete;

  absl::StatusOr<std::string_view> ReadAt(uint64_t offset, size_t n,
                                          char* scratch) const;
  void Append(std::string_view data);
  void Truncate(uint64_t size);
  uint64_t Size() const;

 private:
  // Makes chunks_ cover [0, end); new bytes are not initialized.
  void EnsureCapacity(uint64_t end) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Copies `n` bytes from `src` to the file at `offset` (within capacity),
  // or zero-fills them when `src` is null.
  void WriteAt(uint64_t offset, const char* src, size_t n)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // ReleaseChunksFrom gives chunks [k, end) back to the pool.
  void ReleaseChunksFrom(size_t k) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::shared_ptr<ChunkPool> pool_;
  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<char[]>> chunks_ ABSL_GUARDED_BY(mu_);
  uint64_t size_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace internal

// MemFileSystem: created by NewMemFileSystem() and shared by its users.
// Thread-safe: one mutex guards the namespace; file contents have their own.
// Paths are normalized and relative ones taken from "/", which always
// exists. Behaves like POSIX where tests can tell (a parent directory must
// exist, RemoveDir wants an empty directory, Rename replaces its target and
// moves whole directories). Nothing is ever lost, so Sync and SyncDir only
// check their argument.
class MemFileSystem final : public FileSystem {
 public:
  MemFileSystem();
  MemFileSystem(const MemFileSystem&) = delete;
  MemFileSystem& operator=(const MemFileSystem&) = delete;

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
  // Checks that the directory that would hold `key` exists.
  absl::Status CheckParent(const std::string& key) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  bool HasChildren(const std::string& dir_key) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  absl::Status RenameDir(const std::string& from, const std::string& to)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  // Normalized absolute path -> contents.
  std::map<std::string, std::shared_ptr<internal::MemFileData>> files_
      ABSL_GUARDED_BY(mu_);
  // Normalized absolute paths of directories, "/" included.
  std::set<std::string> dirs_ ABSL_GUARDED_BY(mu_);
  const std::shared_ptr<internal::ChunkPool> pool_;
};

}  // namespace rill::io

#endif  // RILL_IO_MEM_FILE_SYSTEM_H_
