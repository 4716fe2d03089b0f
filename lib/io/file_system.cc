// The helpers declared in rill/io/file_system.h that work on any FileSystem.
#include "rill/io/file_system.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "io/path.h"
#include "util/status_macros.h"

namespace rill::io {

absl::StatusOr<uint64_t> File::AppendFrom(const File& source, uint64_t offset,
                                          uint64_t n) {
  constexpr uint64_t kChunk = 1 << 20;
  std::string buffer(std::min(n, kChunk), '\0');
  uint64_t done = 0;
  while (done < n) {
    const size_t want = static_cast<size_t>(std::min(n - done, kChunk));
    ASSIGN_OR_RETURN(std::string_view got,
                     source.ReadAt(offset + done, want, buffer.data()));
    RETURN_IF_ERROR(Append(got));
    done += got.size();
    if (got.size() < want) break;  // the source ended
  }
  return done;
}

absl::StatusOr<std::string> ReadFileToString(FileSystem& fs,
                                             const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<File> file, fs.OpenFile(path, {}));
  std::string contents(file->Size(), '\0');
  size_t done = 0;
  // Loop to EOF rather than trusting Size(): the file may grow meanwhile, and
  // a short read may only mean EOF came early.
  while (true) {
    if (done == contents.size()) contents.resize(contents.size() + 4096);
    ASSIGN_OR_RETURN(
        std::string_view got,
        file->ReadAt(done, contents.size() - done, &contents[done]));
    if (got.empty()) break;
    // ReadAt may return a view into the file's own memory instead of
    // filling our buffer.
    if (got.data() != &contents[done]) {
      contents.replace(done, got.size(), got.data(), got.size());
    }
    done += got.size();
  }
  contents.resize(done);
  return contents;
}

absl::Status RemoveFileIfExists(FileSystem& fs, const std::string& path) {
  absl::Status status = fs.RemoveFile(path);
  return absl::IsNotFound(status) ? absl::OkStatus() : status;
}

absl::Status WriteFileAtomically(FileSystem& fs, const std::string& path,
                                 std::string_view contents) {
  const std::string tmp = absl::StrCat(path, ".tmp");
  {
    ASSIGN_OR_RETURN(std::unique_ptr<File> file,
                     fs.OpenFile(tmp, {.create = true, .truncate = true}));
    RETURN_IF_ERROR(file->Append(contents));
    RETURN_IF_ERROR(file->Sync());
  }
  RETURN_IF_ERROR(fs.Rename(tmp, path));
  return fs.SyncDir(internal::Dirname(internal::NormalizePath(path)));
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  while (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
  while (!name.empty() && name.front() == '/') name.remove_prefix(1);
  std::string out(dir);
  if (dir != "/") out += '/';
  out.append(name);
  return out;
}

}  // namespace rill::io
