#include "io/mem_file_system.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "io/path.h"

namespace rill::io {
namespace internal {
namespace {

// Chunk k holds kFirstChunk << min(k, kDoublings) bytes.
constexpr uint64_t kFirstChunk = 4096;
// Up to 64 KiB: below malloc's mmap threshold, so the chunks of deleted
// segments are reused from the heap instead of being unmapped and faulted in
// afresh (an in-memory broker writes its whole log to new memory).
constexpr int kDoublings = 4;
constexpr uint64_t kBigChunk = kFirstChunk << kDoublings;
constexpr uint64_t kSmallChunksEnd = kFirstChunk * ((1u << kDoublings) - 1);

uint64_t ChunkSize(size_t k) {
  return kFirstChunk << std::min<size_t>(k, kDoublings);
}
uint64_t ChunkStart(size_t k) {
  if (k <= kDoublings) return kFirstChunk * ((uint64_t{1} << k) - 1);
  return kSmallChunksEnd + (k - kDoublings) * kBigChunk;
}
size_t ChunkOf(uint64_t offset) {
  if (offset < kSmallChunksEnd) {
    return std::bit_width(offset / kFirstChunk + 1) - 1;
  }
  return kDoublings + (offset - kSmallChunksEnd) / kBigChunk;
}

}  // namespace

absl::StatusOr<std::string_view> MemFileData::ReadAt(uint64_t offset, size_t n,
                                                     char* scratch) const {
  absl::ReaderMutexLock lock(&mu_);
  if (offset >= size_) return std::string_view();
  n = static_cast<size_t>(std::min<uint64_t>(n, size_ - offset));
  if (n == 0) return std::string_view();
  size_t k = ChunkOf(offset);
  uint64_t in_chunk = offset - ChunkStart(k);
  if (in_chunk + n <= ChunkSize(k)) {
    // Contiguous: a view into the chunk, which outlives this lock because
    // chunks never move and Append never rewrites bytes below size_.
    return std::string_view(chunks_[k].get() + in_chunk, n);
  }
  size_t done = 0;
  while (done < n) {
    const size_t part = static_cast<size_t>(
        std::min<uint64_t>(n - done, ChunkSize(k) - in_chunk));
    std::memcpy(scratch + done, chunks_[k].get() + in_chunk, part);
    done += part;
    ++k;
    in_chunk = 0;
  }
  return std::string_view(scratch, n);
}

void MemFileData::EnsureCapacity(uint64_t end) {
  while (ChunkStart(chunks_.size()) < end) {
    chunks_.push_back(
        std::make_unique_for_overwrite<char[]>(ChunkSize(chunks_.size())));
  }
}

void MemFileData::WriteAt(uint64_t offset, const char* src, size_t n) {
  size_t k = ChunkOf(offset);
  uint64_t in_chunk = offset - ChunkStart(k);
  size_t done = 0;
  while (done < n) {
    const size_t part = static_cast<size_t>(
        std::min<uint64_t>(n - done, ChunkSize(k) - in_chunk));
    char* dst = chunks_[k].get() + in_chunk;
    if (src != nullptr) {
      std::memcpy(dst, src + done, part);
    } else {
      std::memset(dst, 0, part);
    }
    done += part;
    ++k;
    in_chunk = 0;
  }
}

void MemFileData::Append(std::string_view data) {
  if (data.empty()) return;
  absl::MutexLock lock(&mu_);
  EnsureCapacity(size_ + data.size());
  WriteAt(size_, data.data(), data.size());
  size_ += data.size();
}

void MemFileData::Truncate(uint64_t size) {
  absl::MutexLock lock(&mu_);
  if (size > size_) {
    EnsureCapacity(size);
    WriteAt(size_, nullptr, static_cast<size_t>(size - size_));
  } else {
    chunks_.resize(size == 0 ? 0 : ChunkOf(size - 1) + 1);
  }
  size_ = size;
}

uint64_t MemFileData::Size() const {
  absl::ReaderMutexLock lock(&mu_);
  return size_;
}

}  // namespace internal

namespace {

using internal::MemFileData;

// Key is the normalized absolute form of `path`, the map key.
std::string Key(std::string_view path) {
  return internal::NormalizePath(
      absl::StrCat("/", absl::string_view(path.data(), path.size())));
}

bool IsUnder(const std::string& key, const std::string& dir_key) {
  if (dir_key == "/") return key.size() > 1;
  return key.size() > dir_key.size() && key[dir_key.size()] == '/' &&
         key.compare(0, dir_key.size(), dir_key) == 0;
}

std::string ChildPrefix(const std::string& dir_key) {
  return dir_key == "/" ? dir_key : dir_key + "/";
}

// MemFile is a handle on shared MemFileData. Thread-safe (the data is).
class MemFile final : public File {
 public:
  explicit MemFile(std::shared_ptr<MemFileData> data)
      : data_(std::move(data)) {}

  absl::StatusOr<std::string_view> ReadAt(uint64_t offset, size_t n,
                                          char* scratch) const override {
    return data_->ReadAt(offset, n, scratch);
  }
  absl::Status Append(std::string_view data) override {
    data_->Append(data);
    return absl::OkStatus();
  }
  absl::Status Truncate(uint64_t size) override {
    data_->Truncate(size);
    return absl::OkStatus();
  }
  absl::Status Sync() override { return absl::OkStatus(); }
  uint64_t Size() const override { return data_->Size(); }

 private:
  const std::shared_ptr<MemFileData> data_;
};

}  // namespace

MemFileSystem::MemFileSystem() { dirs_.insert("/"); }

absl::Status MemFileSystem::CheckParent(const std::string& key) const {
  const std::string parent = internal::Dirname(key);
  if (dirs_.count(parent) > 0) return absl::OkStatus();
  if (files_.count(parent) > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(key, ": ", parent, " is not a directory"));
  }
  return absl::NotFoundError(absl::StrCat(key, ": no directory ", parent));
}

bool MemFileSystem::HasChildren(const std::string& dir_key) const {
  // Everything under a directory sorts contiguously from "<dir>/" (unlike
  // from "<dir>": "/a-b" sorts between "/a" and "/a/x").
  const std::string prefix = ChildPrefix(dir_key);
  auto f = files_.lower_bound(prefix);
  if (f != files_.end() && IsUnder(f->first, dir_key)) return true;
  auto d = dirs_.lower_bound(prefix);
  if (d != dirs_.end() && *d == dir_key) ++d;  // the root is its own prefix
  return d != dirs_.end() && IsUnder(*d, dir_key);
}

absl::StatusOr<std::unique_ptr<File>> MemFileSystem::OpenFile(
    const std::string& path, const OpenOptions& options) {
  const std::string key = Key(path);
  absl::MutexLock lock(&mu_);
  if (dirs_.count(key) > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("open ", path, ": is a directory"));
  }
  auto it = files_.find(key);
  if (it != files_.end()) {
    if (options.create && options.exclusive) {
      return absl::AlreadyExistsError(absl::StrCat("open ", path, ": exists"));
    }
    if (options.truncate) it->second->Truncate(0);
    return std::make_unique<MemFile>(it->second);
  }
  if (!options.create) {
    return absl::NotFoundError(absl::StrCat("open ", path, ": no such file"));
  }
  if (absl::Status s = CheckParent(key); !s.ok()) return s;
  auto data = std::make_shared<MemFileData>();
  files_.emplace(key, data);
  return std::make_unique<MemFile>(std::move(data));
}

absl::Status MemFileSystem::CreateDirs(const std::string& path) {
  const std::string key = Key(path);
  absl::MutexLock lock(&mu_);
  for (size_t slash = 1; slash <= key.size(); ++slash) {
    if (slash < key.size() && key[slash] != '/') continue;
    const std::string prefix = key.substr(0, slash);
    if (files_.count(prefix) > 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("mkdir ", path, ": ", prefix, " is a file"));
    }
    dirs_.insert(prefix);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> MemFileSystem::ListDir(
    const std::string& path) {
  const std::string key = Key(path);
  absl::ReaderMutexLock lock(&mu_);
  if (dirs_.count(key) == 0) {
    if (files_.count(key) > 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("list ", path, ": not a directory"));
    }
    return absl::NotFoundError(absl::StrCat("list ", path, ": no such dir"));
  }
  const std::string prefix = ChildPrefix(key);
  std::vector<std::string> names;
  auto add_if_child = [&](const std::string& k) {
    const std::string_view rest = std::string_view(k).substr(prefix.size());
    if (rest.find('/') == std::string_view::npos) names.emplace_back(rest);
  };
  for (auto it = files_.lower_bound(prefix);
       it != files_.end() && IsUnder(it->first, key); ++it) {
    add_if_child(it->first);
  }
  for (auto it = dirs_.lower_bound(prefix); it != dirs_.end(); ++it) {
    if (*it == key) continue;  // the root is its own prefix
    if (!IsUnder(*it, key)) break;
    add_if_child(*it);
  }
  std::sort(names.begin(), names.end());
  return names;
}

absl::StatusOr<bool> MemFileSystem::Exists(const std::string& path) {
  const std::string key = Key(path);
  absl::ReaderMutexLock lock(&mu_);
  return files_.count(key) > 0 || dirs_.count(key) > 0;
}

absl::Status MemFileSystem::RemoveFile(const std::string& path) {
  const std::string key = Key(path);
  absl::MutexLock lock(&mu_);
  if (dirs_.count(key) > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("unlink ", path, ": is a directory"));
  }
  if (files_.erase(key) == 0) {
    return absl::NotFoundError(absl::StrCat("unlink ", path, ": no such file"));
  }
  return absl::OkStatus();
}

absl::Status MemFileSystem::RemoveDir(const std::string& path) {
  const std::string key = Key(path);
  absl::MutexLock lock(&mu_);
  if (dirs_.count(key) == 0) {
    if (files_.count(key) > 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("rmdir ", path, ": not a directory"));
    }
    return absl::NotFoundError(absl::StrCat("rmdir ", path, ": no such dir"));
  }
  if (key == "/" || HasChildren(key)) {
    return absl::FailedPreconditionError(
        absl::StrCat("rmdir ", path, ": directory not empty"));
  }
  dirs_.erase(key);
  return absl::OkStatus();
}

absl::Status MemFileSystem::Rename(const std::string& from,
                                   const std::string& to) {
  const std::string from_key = Key(from);
  const std::string to_key = Key(to);
  absl::MutexLock lock(&mu_);
  if (dirs_.count(from_key) > 0) return RenameDir(from_key, to_key);
  auto it = files_.find(from_key);
  if (it == files_.end()) {
    return absl::NotFoundError(
        absl::StrCat("rename ", from, " -> ", to, ": no such file"));
  }
  if (from_key == to_key) return absl::OkStatus();
  if (dirs_.count(to_key) > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("rename ", from, " -> ", to, ": target is a directory"));
  }
  if (absl::Status s = CheckParent(to_key); !s.ok()) return s;
  std::shared_ptr<MemFileData> data = std::move(it->second);
  files_.erase(it);
  files_[to_key] = std::move(data);
  return absl::OkStatus();
}

absl::Status MemFileSystem::RenameDir(const std::string& from,
                                      const std::string& to) {
  const std::string what = absl::StrCat("rename ", from, " -> ", to);
  if (from == to) return absl::OkStatus();
  if (from == "/" || IsUnder(to, from)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": into its own subtree"));
  }
  if (files_.count(to) > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, ": target is not a directory"));
  }
  if (dirs_.count(to) > 0 && HasChildren(to)) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, ": target directory not empty"));
  }
  if (absl::Status s = CheckParent(to); !s.ok()) return s;
  // Re-key the whole subtree: "<from>/x" -> "<to>/x".
  auto rekey = [&](const std::string& k) { return to + k.substr(from.size()); };
  std::vector<std::pair<std::string, std::shared_ptr<MemFileData>>> moved_files;
  for (auto it = files_.lower_bound(ChildPrefix(from));
       it != files_.end() && IsUnder(it->first, from);) {
    moved_files.emplace_back(rekey(it->first), std::move(it->second));
    it = files_.erase(it);
  }
  std::vector<std::string> moved_dirs = {to};
  for (auto it = dirs_.lower_bound(ChildPrefix(from));
       it != dirs_.end() && IsUnder(*it, from);) {
    moved_dirs.push_back(rekey(*it));
    it = dirs_.erase(it);
  }
  dirs_.erase(from);
  for (auto& [k, data] : moved_files) files_[k] = std::move(data);
  dirs_.insert(moved_dirs.begin(), moved_dirs.end());
  return absl::OkStatus();
}

absl::Status MemFileSystem::SyncDir(const std::string& path) {
  const std::string key = Key(path);
  absl::ReaderMutexLock lock(&mu_);
  if (dirs_.count(key) == 0) {
    return absl::NotFoundError(absl::StrCat("fsync ", path, ": no such dir"));
  }
  return absl::OkStatus();
}

std::shared_ptr<FileSystem> NewMemFileSystem() {
  return std::make_shared<MemFileSystem>();
}

}  // namespace rill::io
