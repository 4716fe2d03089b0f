#include "io/posix_file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "io/path.h"
#include "util/status_macros.h"

namespace rill::io {
namespace internal {

absl::Status ErrnoToStatus(int err, std::string_view call,
                           std::string_view path) {
  const std::string message = absl::StrCat(
      absl::string_view(call.data(), call.size()), " ",
      absl::string_view(path.data(), path.size()), ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(message);
    case EEXIST:
      return absl::AlreadyExistsError(message);
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(message);
    case EACCES:
    case EPERM:
    case EROFS:
      return absl::PermissionDeniedError(message);
    case ENOTDIR:
    case EISDIR:
    case ENOTEMPTY:
      return absl::FailedPreconditionError(message);
    default:
      return absl::InternalError(message);
  }
}

}  // namespace internal

namespace {

using internal::ErrnoToStatus;

// SyncError: a failed fsync leaves the page cache's state unknown (Linux may
// already have dropped the dirty pages), so it is always kDataLoss.
absl::Status SyncError(int err, std::string_view call, std::string_view path) {
  return absl::DataLossError(ErrnoToStatus(err, call, path).message());
}

}  // namespace

PosixFile::~PosixFile() {
  if (copy_fd_ >= 0) ::close(copy_fd_);
  ::close(fd_);
}

absl::StatusOr<int> PosixFile::CopyTarget() {
  if (copy_fd_ >= 0 || copy_unsupported_) return copy_fd_;
  // The same open file, reopened through /proc so that it is this inode
  // even if the path has been renamed or replaced since.
  const std::string self = absl::StrCat("/proc/self/fd/", fd_);
  do {
    copy_fd_ = ::open(self.c_str(), O_WRONLY | O_CLOEXEC);
  } while (copy_fd_ < 0 && errno == EINTR);
  if (copy_fd_ < 0) copy_unsupported_ = true;  // no /proc: use a buffer
  return copy_fd_;
}

absl::StatusOr<uint64_t> PosixFile::AppendFrom(const File& source,
                                               uint64_t offset, uint64_t n) {
  const int in = source.NativeHandle();
  ASSIGN_OR_RETURN(const int out, CopyTarget());
  if (in < 0 || out < 0) return File::AppendFrom(source, offset, n);
  loff_t in_at = static_cast<loff_t>(offset);
  loff_t out_at = static_cast<loff_t>(Size());
  uint64_t done = 0;
  while (done < n) {
    const ssize_t c = ::copy_file_range(in, &in_at, out, &out_at,
                                        static_cast<size_t>(n - done), 0);
    if (c < 0) {
      if (errno == EINTR) continue;
      // Kernels and file systems that cannot copy between these files say
      // so before copying anything.
      if (done == 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
                        errno == EOPNOTSUPP || errno == EBADF)) {
        copy_unsupported_ = true;
        return File::AppendFrom(source, offset, n);
      }
      return ErrnoToStatus(errno, "copy_file_range", path_);
    }
    if (c == 0) break;  // the source ended
    done += static_cast<uint64_t>(c);
  }
  return done;
}

absl::StatusOr<std::string_view> PosixFile::ReadAt(uint64_t offset, size_t n,
                                                   char* scratch) const {
  size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd_, scratch + done, n - done,
                              static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return ErrnoToStatus(errno, "pread", path_);
    }
    if (r == 0) break;  // end of file
    done += static_cast<size_t>(r);
  }
  return std::string_view(scratch, done);
}

absl::Status PosixFile::Append(std::string_view data) {
  // The log's hot path: straight from the caller's buffer to write(2),
  // looping only for short writes.
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    const ssize_t w = ::write(fd_, p, left);
    if (w < 0) {
      if (errno == EINTR) continue;
      return ErrnoToStatus(errno, "write", path_);
    }
    p += w;
    left -= static_cast<size_t>(w);
  }
  return absl::OkStatus();
}

absl::Status PosixFile::Truncate(uint64_t size) {
  while (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
    if (errno != EINTR) return ErrnoToStatus(errno, "ftruncate", path_);
  }
  return absl::OkStatus();
}

absl::Status PosixFile::Sync() {
  if (!sync_) return absl::OkStatus();
  while (::fdatasync(fd_) != 0) {
    if (errno != EINTR) return SyncError(errno, "fdatasync", path_);
  }
  return absl::OkStatus();
}

uint64_t PosixFile::Size() const {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return 0;
  return static_cast<uint64_t>(st.st_size);
}

absl::StatusOr<std::unique_ptr<File>> PosixFileSystem::OpenFile(
    const std::string& path, const OpenOptions& options) {
  int flags = O_RDWR | O_APPEND | O_CLOEXEC;
  if (options.create) flags |= O_CREAT;
  if (options.create && options.exclusive) flags |= O_EXCL;
  if (options.truncate) flags |= O_TRUNC;
  int fd;
  do {
    fd = ::open(path.c_str(), flags, 0644);
  } while (fd < 0 && errno == EINTR);
  // A file we may only read (e.g. on a read-only mount) still opens for
  // reading; Append on it then fails with the OS's error.
  if (fd < 0 && (errno == EACCES || errno == EROFS) && !options.create &&
      !options.truncate) {
    do {
      fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
  }
  if (fd < 0) return ErrnoToStatus(errno, "open", path);
  return std::make_unique<PosixFile>(fd, path, options_.sync);
}

absl::Status PosixFileSystem::CreateDirs(const std::string& path) {
  const std::string norm = internal::NormalizePath(path);
  // Create each prefix in turn: "/a", "/a/b", ...
  size_t pos = norm.front() == '/' ? 1 : 0;
  while (pos <= norm.size()) {
    size_t slash = norm.find('/', pos);
    if (slash == std::string::npos) slash = norm.size();
    const std::string prefix = norm.substr(0, slash);
    pos = slash + 1;
    if (prefix.empty() || prefix == "." || prefix == "/") continue;
    if (::mkdir(prefix.c_str(), 0755) == 0) continue;
    if (errno != EEXIST) return ErrnoToStatus(errno, "mkdir", prefix);
    struct stat st;
    if (::stat(prefix.c_str(), &st) != 0) {
      return ErrnoToStatus(errno, "stat", prefix);
    }
    if (!S_ISDIR(st.st_mode)) return ErrnoToStatus(ENOTDIR, "mkdir", prefix);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> PosixFileSystem::ListDir(
    const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return ErrnoToStatus(errno, "opendir", path);
  std::vector<std::string> names;
  while (true) {
    errno = 0;
    const struct dirent* entry = ::readdir(dir);
    if (entry == nullptr) break;
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  const int err = errno;
  ::closedir(dir);
  if (err != 0) return ErrnoToStatus(err, "readdir", path);
  std::sort(names.begin(), names.end());
  return names;
}

absl::StatusOr<bool> PosixFileSystem::Exists(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) return true;
  if (errno == ENOENT || errno == ENOTDIR) return false;
  return ErrnoToStatus(errno, "stat", path);
}

absl::Status PosixFileSystem::RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return ErrnoToStatus(errno, "unlink", path);
  return absl::OkStatus();
}

absl::Status PosixFileSystem::RemoveDir(const std::string& path) {
  if (::rmdir(path.c_str()) != 0) return ErrnoToStatus(errno, "rmdir", path);
  return absl::OkStatus();
}

absl::Status PosixFileSystem::Rename(const std::string& from,
                                     const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return ErrnoToStatus(errno, "rename", absl::StrCat(from, " -> ", to));
  }
  return absl::OkStatus();
}

absl::Status PosixFileSystem::SyncDir(const std::string& path) {
  if (!options_.sync) return absl::OkStatus();
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return ErrnoToStatus(errno, "open", path);
  int rc;
  do {
    rc = ::fsync(fd);
  } while (rc != 0 && errno == EINTR);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return SyncError(err, "fsync", path);
  return absl::OkStatus();
}

std::shared_ptr<FileSystem> NewPosixFileSystem(PosixFileSystemOptions options) {
  return std::make_shared<PosixFileSystem>(options);
}

}  // namespace rill::io
