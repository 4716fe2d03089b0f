// ForwardingFileSystem and ForwardingFile: a test file system and file that
// hand every call to another one, for tests that change one call (a refused
// create, files that corrupt what they read, appends that wait) and keep the
// rest.
#ifndef RILL_TESTS_IO_FORWARDING_FILE_SYSTEM_H_
#define RILL_TESTS_IO_FORWARDING_FILE_SYSTEM_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rill/io/file_system.h"

namespace rill::io::testing {

// ForwardingFile forwards to `base`. Thread-safe as `base` is.
class ForwardingFile : public File {
 public:
  explicit ForwardingFile(std::unique_ptr<File> base)
      : base_(std::move(base)) {}

  absl::StatusOr<std::string_view> ReadAt(uint64_t offset, size_t n,
                                          char* scratch) const override {
    return base_->ReadAt(offset, n, scratch);
  }
  absl::Status Append(std::string_view data) override {
    return base_->Append(data);
  }
  absl::StatusOr<uint64_t> AppendFrom(const File& source, uint64_t offset,
                                      uint64_t n) override {
    return base_->AppendFrom(source, offset, n);
  }
  absl::Status Truncate(uint64_t size) override {
    return base_->Truncate(size);
  }
  absl::Status Sync() override { return base_->Sync(); }
  uint64_t Size() const override { return base_->Size(); }
  int NativeHandle() const override { return base_->NativeHandle(); }

 private:
  const std::unique_ptr<File> base_;
};

// ForwardingFileSystem forwards to `base`. Thread-safe as `base` is.
class ForwardingFileSystem : public FileSystem {
 public:
  explicit ForwardingFileSystem(std::shared_ptr<FileSystem> base)
      : base_(std::move(base)) {}

  absl::StatusOr<std::unique_ptr<File>> OpenFile(
      const std::string& path, const OpenOptions& options) override {
    return base_->OpenFile(path, options);
  }
  absl::Status CreateDirs(const std::string& path) override {
    return base_->CreateDirs(path);
  }
  absl::StatusOr<std::vector<std::string>> ListDir(
      const std::string& path) override {
    return base_->ListDir(path);
  }
  absl::StatusOr<bool> Exists(const std::string& path) override {
    return base_->Exists(path);
  }
  absl::Status RemoveFile(const std::string& path) override {
    return base_->RemoveFile(path);
  }
  absl::Status RemoveDir(const std::string& path) override {
    return base_->RemoveDir(path);
  }
  absl::Status Rename(const std::string& from, const std::string& to) override {
    return base_->Rename(from, to);
  }
  absl::Status SyncDir(const std::string& path) override {
    return base_->SyncDir(path);
  }

 private:
  const std::shared_ptr<FileSystem> base_;
};

}  // namespace rill::io::testing

#endif  // RILL_TESTS_IO_FORWARDING_FILE_SYSTEM_H_
