// FaultInjectionFileSystem: the durability model of file_system.h, made
// observable.
//
// Design: the wrapped `base` always holds the *current* state (what a
// process that has not crashed would read back). Beside it, this file keeps
// the *durable* state, which is what DropUnsyncedData() writes back into the
// base:
//
//  - An Inode per file identity (names can change by Rename; an inode can
//    outlive its last name while a File is open). It keeps `durable`, the
//    bytes as of the last successful Sync() through any File on it, and
//    `low_water`, the smallest size the file has had since then. Bytes below
//    low_water cannot have changed (appends only write past the end,
//    truncates lower low_water), so Sync() updates `durable` by reading just
//    [low_water, size) back from the base: an append-only log pays only for
//    what it appended.
//  - Two name tables, directory -> (name -> inode): `current` (mirrors the
//    base) and `durable` (as of each directory's last SyncDir()).
//
// DropUnsyncedData() deletes every tracked name from the base, then writes
// each durable name back with its inode's durable bytes. Each restored name
// gets a fresh inode, so two names that happened to share one (a rename
// whose source and target directories were synced separately) do not stay
// linked.
//
// Files that were already in the base when first touched are "adopted" as
// durable (name and bytes). Untracked files are never touched.
//
// Simplification: directories themselves (CreateDirs, RemoveDir, renaming a
// directory) are durable at once; only the file entries inside them follow
// the SyncDir rule. RemoveDir forgets the directory's durable entries.
#include "rill/io/fault_injection_file_system.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "io/path.h"
#include "util/status_macros.h"

namespace rill::io {
namespace {

// Inode is one file's durable image. Its fields are guarded by the owning
// FaultState's mutex (not expressible as an annotation here).
struct Inode {
  std::string durable;     // contents at the last successful Sync()
  uint64_t low_water = 0;  // smallest size since then; bytes below unchanged
};

using Entries = std::map<std::string, std::shared_ptr<Inode>>;

struct SplitPath {
  std::string dir;
  std::string name;
};

SplitPath Split(const std::string& path) {
  const std::string key = internal::NormalizePath(path);
  return {internal::Dirname(key), internal::Basename(key)};
}

// ReadRange reads [offset, offset + n) of `file` into `dst` at `offset`.
absl::Status ReadRange(const File& file, uint64_t offset, size_t n,
                       std::string* dst) {
  dst->resize(offset + n);
  size_t done = 0;
  while (done < n) {
    char* scratch = dst->data() + offset + done;
    ASSIGN_OR_RETURN(std::string_view got,
                     file.ReadAt(offset + done, n - done, scratch));
    if (got.empty()) break;
    if (got.data() != scratch) std::memcpy(scratch, got.data(), got.size());
    done += got.size();
  }
  dst->resize(offset + done);
  return absl::OkStatus();
}

// FaultState is shared by the file system and every File it opened, so
// Files stay valid after the file system object is gone. Thread-safe:
// everything mutable is under mu. Base calls made under mu never call back
// here.
struct FaultState {
  explicit FaultState(std::shared_ptr<FileSystem> b) : base(std::move(b)) {}

  // BeginMutation counts a mutating call and fails it once crashed.
  absl::Status BeginMutation(std::string_view op, std::string_view path)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    ++operations;
    if (crashed) {
      return absl::UnavailableError(
          absl::StrCat(absl::string_view(op.data(), op.size()), " ",
                       absl::string_view(path.data(), path.size()),
                       ": file system crashed (simulated)"));
    }
    if (crash_armed && --operations_before_crash == 0) {
      crash_armed = false;
      crashed = true;  // this call was the last to succeed
    }
    return absl::OkStatus();
  }

  // TakeFailedSync consumes one armed sync failure, if any.
  absl::Status TakeFailedSync(std::string_view op, std::string_view path)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (failing_syncs == 0) return absl::OkStatus();
    --failing_syncs;
    return absl::DataLossError(absl::StrCat(
        absl::string_view(op.data(), op.size()), " ",
        absl::string_view(path.data(), path.size()), ": injected I/O error"));
  }

  // Adopt returns the inode `path` names, tracking a file found in the base
  // that was never seen before as durable. Null when there is no file.
  std::shared_ptr<Inode> Adopt(const std::string& path)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    const SplitPath p = Split(path);
    Entries& dir = current[p.dir];
    if (auto it = dir.find(p.name); it != dir.end()) return it->second;
    auto file = base->OpenFile(path, {});
    if (!file.ok()) return nullptr;
    auto inode = std::make_shared<Inode>();
    if (!ReadRange(**file, 0, (*file)->Size(), &inode->durable).ok()) {
      return nullptr;
    }
    inode->low_water = inode->durable.size();
    dir[p.name] = inode;
    durable[p.dir][p.name] = inode;
    return inode;
  }

  // MoveTree re-keys directory `from` and everything under it to `to` in
  // one name table (a directory rename).
  static void MoveTree(std::map<std::string, Entries>& table,
                       const std::string& from, const std::string& to) {
    std::vector<std::pair<std::string, Entries>> moved;
    for (auto it = table.begin(); it != table.end();) {
      const std::string& k = it->first;
      const bool under =
          k == from || (k.size() > from.size() && k[from.size()] == '/' &&
                        k.compare(0, from.size(), from) == 0);
      if (under) {
        moved.emplace_back(to + k.substr(from.size()), std::move(it->second));
        it = table.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& [k, entries] : moved) table[k] = std::move(entries);
  }

  const std::shared_ptr<FileSystem> base;

  mutable absl::Mutex mu;
  // Directory (normalized) -> name -> inode, as the base has it now ...
  std::map<std::string, Entries> current ABSL_GUARDED_BY(mu);
  // ... and as of that directory's last SyncDir().
  std::map<std::string, Entries> durable ABSL_GUARDED_BY(mu);

  uint64_t operations ABSL_GUARDED_BY(mu) = 0;
  bool crashed ABSL_GUARDED_BY(mu) = false;
  bool crash_armed ABSL_GUARDED_BY(mu) = false;
  uint64_t operations_before_crash ABSL_GUARDED_BY(mu) = 0;
  int failing_syncs ABSL_GUARDED_BY(mu) = 0;
  bool no_space ABSL_GUARDED_BY(mu) = false;
  bool torn_armed ABSL_GUARDED_BY(mu) = false;
  uint64_t torn_bytes_left ABSL_GUARDED_BY(mu) = 0;
  std::string torn_path_substring ABSL_GUARDED_BY(mu);
};

// FaultFile wraps a base File, applying the faults and keeping its inode's
// durable image. Owns the base File; shares FaultState. Thread-safe: reads
// go straight to the base File; mutations serialize on FaultState::mu.
class FaultFile final : public File {
 public:
  FaultFile(std::shared_ptr<FaultState> state, std::shared_ptr<Inode> inode,
            std::unique_ptr<File> base, std::string path)
      : state_(std::move(state)),
        inode_(std::move(inode)),
        base_(std::move(base)),
        path_(std::move(path)) {}

  absl::StatusOr<std::string_view> ReadAt(uint64_t offset, size_t n,
                                          char* scratch) const override {
    return base_->ReadAt(offset, n, scratch);  // reads work even crashed
  }

  absl::Status Append(std::string_view data) override {
    absl::MutexLock lock(&state_->mu);
    RETURN_IF_ERROR(state_->BeginMutation("append", path_));
    if (state_->no_space) {
      return absl::ResourceExhaustedError(
          absl::StrCat("append ", path_, ": no space left (injected)"));
    }
    if (state_->torn_armed &&
        path_.find(state_->torn_path_substring) != std::string::npos) {
      if (data.size() > state_->torn_bytes_left) {
        const size_t keep = static_cast<size_t>(state_->torn_bytes_left);
        state_->torn_armed = false;
        state_->crashed = true;
        RETURN_IF_ERROR(base_->Append(data.substr(0, keep)));
        return absl::UnavailableError(
            absl::StrCat("append ", path_, ": torn write after ", keep, " of ",
                         data.size(), " bytes (simulated crash)"));
      }
      state_->torn_bytes_left -= data.size();
    }
    return base_->Append(data);
  }

  absl::Status Truncate(uint64_t size) override {
    absl::MutexLock lock(&state_->mu);
    RETURN_IF_ERROR(state_->BeginMutation("truncate", path_));
    if (state_->no_space && size > base_->Size()) {
      return absl::ResourceExhaustedError(
          absl::StrCat("truncate ", path_, ": no space left (injected)"));
    }
    RETURN_IF_ERROR(base_->Truncate(size));
    inode_->low_water = std::min(inode_->low_water, size);
    return absl::OkStatus();
  }

  absl::Status Sync() override {
    absl::MutexLock lock(&state_->mu);
    RETURN_IF_ERROR(state_->BeginMutation("fdatasync", path_));
    RETURN_IF_ERROR(state_->TakeFailedSync("fdatasync", path_));
    RETURN_IF_ERROR(base_->Sync());
    const uint64_t size = base_->Size();
    const uint64_t keep =
        std::min({inode_->low_water, size, uint64_t{inode_->durable.size()}});
    inode_->durable.resize(keep);
    RETURN_IF_ERROR(ReadRange(*base_, keep, static_cast<size_t>(size - keep),
                              &inode_->durable));
    inode_->low_water = inode_->durable.size();
    return absl::OkStatus();
  }

  uint64_t Size() const override { return base_->Size(); }

  // NativeHandle stays -1 so every read goes through ReadAt (sendfile on a
  // base descriptor would bypass the model).

 private:
  const std::shared_ptr<FaultState> state_;
  const std::shared_ptr<Inode> inode_;
  const std::unique_ptr<File> base_;
  const std::string path_;
};

}  // namespace

// The header declares State privately; the definition is FaultState, which
// FaultFile can name too.
struct FaultInjectionFileSystem::State : FaultState {
  using FaultState::FaultState;
};

FaultInjectionFileSystem::FaultInjectionFileSystem(
    std::shared_ptr<FileSystem> base)
    : state_(std::make_shared<State>(std::move(base))) {}

FaultInjectionFileSystem::~FaultInjectionFileSystem() = default;

void FaultInjectionFileSystem::InjectTornWrite(uint64_t bytes,
                                               std::string path_substring) {
  absl::MutexLock lock(&state_->mu);
  state_->torn_armed = true;
  state_->torn_bytes_left = bytes;
  state_->torn_path_substring = std::move(path_substring);
}

void FaultInjectionFileSystem::FailSyncs(int count) {
  absl::MutexLock lock(&state_->mu);
  state_->failing_syncs = std::max(count, 0);
}

void FaultInjectionFileSystem::SetNoSpace(bool on) {
  absl::MutexLock lock(&state_->mu);
  state_->no_space = on;
}

void FaultInjectionFileSystem::CrashAfterOperations(uint64_t n) {
  absl::MutexLock lock(&state_->mu);
  if (n == 0) {
    state_->crashed = true;
    state_->crash_armed = false;
  } else {
    state_->crash_armed = true;
    state_->operations_before_crash = n;
  }
}

void FaultInjectionFileSystem::DropUnsyncedData() {
  State& s = *state_;
  absl::MutexLock lock(&s.mu);
  std::set<std::string> dirs;
  for (const auto& [dir, entries] : s.current) dirs.insert(dir);
  for (const auto& [dir, entries] : s.durable) dirs.insert(dir);
  // Base errors are ignored below: a name may already be gone (NotFound),
  // and the in-memory base this is meant for fails nothing else.
  for (const std::string& dir : dirs) {
    for (const auto& [name, inode] : s.current[dir]) {
      (void)s.base->RemoveFile(JoinPath(dir, name));
    }
  }
  for (const std::string& dir : dirs) {
    Entries restored;
    for (const auto& [name, inode] : s.durable[dir]) {
      (void)s.base->CreateDirs(dir);
      auto file = s.base->OpenFile(JoinPath(dir, name),
                                   {.create = true, .truncate = true});
      if (!file.ok()) continue;
      (void)(*file)->Append(inode->durable);
      auto fresh = std::make_shared<Inode>();
      fresh->durable = inode->durable;
      fresh->low_water = fresh->durable.size();
      restored[name] = std::move(fresh);
    }
    s.current[dir] = restored;
    s.durable[dir] = std::move(restored);
  }
}

void FaultInjectionFileSystem::Reset() {
  absl::MutexLock lock(&state_->mu);
  state_->crashed = false;
  state_->crash_armed = false;
  state_->failing_syncs = 0;
  state_->no_space = false;
  state_->torn_armed = false;
}

uint64_t FaultInjectionFileSystem::MutatingOperations() const {
  absl::MutexLock lock(&state_->mu);
  return state_->operations;
}

bool FaultInjectionFileSystem::crashed() const {
  absl::MutexLock lock(&state_->mu);
  return state_->crashed;
}

absl::StatusOr<std::unique_ptr<File>> FaultInjectionFileSystem::OpenFile(
    const std::string& path, const OpenOptions& options) {
  State& s = *state_;
  absl::MutexLock lock(&s.mu);
  if (options.create || options.truncate) {
    RETURN_IF_ERROR(s.BeginMutation("open", path));
  }
  std::shared_ptr<Inode> inode = s.Adopt(path);
  ASSIGN_OR_RETURN(std::unique_ptr<File> file, s.base->OpenFile(path, options));
  if (inode == nullptr) {  // created just now
    inode = std::make_shared<Inode>();
    const SplitPath p = Split(path);
    s.current[p.dir][p.name] = inode;
  } else if (options.truncate) {
    inode->low_water = 0;
  }
  return std::make_unique<FaultFile>(state_, std::move(inode), std::move(file),
                                     internal::NormalizePath(path));
}

absl::Status FaultInjectionFileSystem::CreateDirs(const std::string& path) {
  absl::MutexLock lock(&state_->mu);
  RETURN_IF_ERROR(state_->BeginMutation("mkdir", path));
  return state_->base->CreateDirs(path);
}

absl::StatusOr<std::vector<std::string>> FaultInjectionFileSystem::ListDir(
    const std::string& path) {
  return state_->base->ListDir(path);
}

absl::StatusOr<bool> FaultInjectionFileSystem::Exists(const std::string& path) {
  return state_->base->Exists(path);
}

absl::Status FaultInjectionFileSystem::RemoveFile(const std::string& path) {
  State& s = *state_;
  absl::MutexLock lock(&s.mu);
  RETURN_IF_ERROR(s.BeginMutation("unlink", path));
  s.Adopt(path);  // so an unsynced removal of an old file can be undone
  RETURN_IF_ERROR(s.base->RemoveFile(path));
  const SplitPath p = Split(path);
  s.current[p.dir].erase(p.name);
  return absl::OkStatus();
}

absl::Status FaultInjectionFileSystem::RemoveDir(const std::string& path) {
  State& s = *state_;
  absl::MutexLock lock(&s.mu);
  RETURN_IF_ERROR(s.BeginMutation("rmdir", path));
  RETURN_IF_ERROR(s.base->RemoveDir(path));
  const std::string key = internal::NormalizePath(path);
  s.current.erase(key);
  s.durable.erase(key);
  return absl::OkStatus();
}

absl::Status FaultInjectionFileSystem::Rename(const std::string& from,
                                              const std::string& to) {
  State& s = *state_;
  absl::MutexLock lock(&s.mu);
  RETURN_IF_ERROR(s.BeginMutation("rename", absl::StrCat(from, " -> ", to)));
  std::shared_ptr<Inode> inode = s.Adopt(from);
  s.Adopt(to);  // a replaced old file must come back if this is undone
  RETURN_IF_ERROR(s.base->Rename(from, to));
  if (inode != nullptr) {
    const SplitPath f = Split(from);
    const SplitPath t = Split(to);
    s.current[f.dir].erase(f.name);
    s.current[t.dir][t.name] = std::move(inode);
  } else {  // a directory: durable at once, subtree and all
    const std::string from_key = internal::NormalizePath(from);
    const std::string to_key = internal::NormalizePath(to);
    FaultState::MoveTree(s.current, from_key, to_key);
    FaultState::MoveTree(s.durable, from_key, to_key);
  }
  return absl::OkStatus();
}

absl::Status FaultInjectionFileSystem::SyncDir(const std::string& path) {
  State& s = *state_;
  absl::MutexLock lock(&s.mu);
  RETURN_IF_ERROR(s.BeginMutation("fsync", path));
  RETURN_IF_ERROR(s.TakeFailedSync("fsync", path));
  RETURN_IF_ERROR(s.base->SyncDir(path));
  const std::string key = internal::NormalizePath(path);
  s.durable[key] = s.current[key];
  return absl::OkStatus();
}

}  // namespace rill::io
