#include "broker/clean_shutdown.h"

#include "util/status_macros.h"

namespace rill::broker {
namespace {

constexpr char kMarker[] = ".rill_clean_shutdown";

}  // namespace

absl::StatusOr<bool> TakeCleanShutdownMarker(io::FileSystem& fs,
                                             const std::string& data_dir) {
  const std::string path = io::JoinPath(data_dir, kMarker);
  ASSIGN_OR_RETURN(bool clean, fs.Exists(path));
  if (clean) {
    RETURN_IF_ERROR(fs.RemoveFile(path));
    RETURN_IF_ERROR(fs.SyncDir(data_dir));
  }
  return clean;
}

absl::Status WriteCleanShutdownMarker(io::FileSystem& fs,
                                      const std::string& data_dir) {
  return io::WriteFileAtomically(fs, io::JoinPath(data_dir, kMarker), "");
}

}  // namespace rill::broker
