// rill/io/fault_injection_file_system.h — a file system that fails on purpose.
//
// Wraps another FileSystem (usually the in-memory one) and lets a test inject
// the failures real disks and machines produce, then check that what rill
// reopens afterwards is consistent:
//
//   auto fs = std::make_shared<io::FaultInjectionFileSystem>(
//       io::NewMemFileSystem());
//   ... open a log on fs, append, flush ...
//   fs->CrashAfterOperations(3);    // the 4th mutating call and later fail
//   (void)log->Append(batch);       // fails part-way
//   log.reset();
//   fs->DropUnsyncedData();         // power loss: only what was synced stays
//   fs->Reset();                    // the "machine" restarts
//   ... reopen the log and check it ...
//
// Durability model (see file_system.h): a file's contents revert on
// DropUnsyncedData() to what they were at its last Sync(); a name created,
// renamed or removed reverts to its state at the last SyncDir() of its
// directory. A file created but never dir-synced disappears. Contents follow
// the file, not the name: a Sync() after a Rename makes the bytes durable
// under whichever name survives. Directories themselves (CreateDirs,
// RemoveDir, renaming a directory) are durable at once. Files already in
// `base` when first touched count as durable.
//
// A process crash is a crash without DropUnsyncedData(): everything written
// stays, including the first part of a torn write. Power loss is a crash
// followed by DropUnsyncedData(): the torn part, never synced, goes too.
#ifndef RILL_IO_FAULT_INJECTION_FILE_SYSTEM_H_
#define RILL_IO_FAULT_INJECTION_FILE_SYSTEM_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "rill/io/file_system.h"

namespace rill::io {

// FaultInjectionFileSystem: owned by the test (shared with what it opens);
// lives as long as any File it opened. Thread-safe.
class FaultInjectionFileSystem final : public FileSystem {
 public:
  explicit FaultInjectionFileSystem(std::shared_ptr<FileSystem> base);
  ~FaultInjectionFileSystem() override;

  FaultInjectionFileSystem(const FaultInjectionFileSystem&) = delete;
  FaultInjectionFileSystem& operator=(const FaultInjectionFileSystem&) = delete;

  // --- Faults. Each stays armed until it fires or Reset() is called. ---

  // InjectTornWrite: after `bytes` more bytes have been appended (to any
  // file whose path contains `path_substring`), the Append that crosses that
  // point writes only its first part and fails with kUnavailable, and the
  // file system is "crashed" (see CrashAfterOperations).
  void InjectTornWrite(uint64_t bytes, std::string path_substring = "");

  // FailSyncs: the next `count` Sync()/SyncDir() calls fail with kDataLoss
  // and make nothing durable.
  void FailSyncs(int count);

  // SetNoSpace: while on, Append and Truncate growing a file fail with
  // kResourceExhausted (ENOSPC) and write nothing.
  void SetNoSpace(bool on);

  // CrashAfterOperations: the next `n` mutating calls (Append, Truncate,
  // Sync, OpenFile with create or truncate, CreateDirs, RemoveFile,
  // RemoveDir, Rename, SyncDir) succeed; then the file system is "crashed":
  // every mutating call fails with kUnavailable and changes nothing. Reads
  // keep working.
  void CrashAfterOperations(uint64_t n);

  // DropUnsyncedData simulates power loss: every file and directory entry
  // reverts to its durable state (see the model above).
  void DropUnsyncedData();

  // Reset disarms every fault and ends a "crash". Does not restore data.
  void Reset();

  // MutatingOperations counts mutating calls so far (for crash-point loops).
  uint64_t MutatingOperations() const;
  bool crashed() const;

  // --- FileSystem ---
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
  struct State;
  std::shared_ptr<State> state_;  // shared with the Files it opened
};

}  // namespace rill::io

#endif  // RILL_IO_FAULT_INJECTION_FILE_SYSTEM_H_
