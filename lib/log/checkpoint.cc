#include "log/checkpoint.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "log/format.h"
#include "util/crc32c.h"

namespace rill::log {
namespace {

std::string Body(const Checkpoint& c) {
  return absl::StrCat(kCheckpointMagic, " ", kCheckpointVersion, " ",
                      c.recovery_point.value(), " ",
                      c.log_start_offset.value());
}

}  // namespace

absl::StatusOr<std::optional<Checkpoint>> ReadCheckpoint(
    io::FileSystem& fs, const std::string& dir) {
  auto contents = io::ReadFileToString(fs, io::JoinPath(dir, kCheckpointFile));
  if (absl::IsNotFound(contents.status())) return std::nullopt;
  if (!contents.ok()) return contents.status();
  std::vector<absl::string_view> fields =
      absl::StrSplit(absl::StripSuffix(*contents, "\n"), ' ');
  int version;
  int64_t recovery_point, log_start;
  uint32_t crc;
  if (fields.size() != 5 || fields[0] != kCheckpointMagic ||
      !absl::SimpleAtoi(fields[1], &version) || version != kCheckpointVersion ||
      !absl::SimpleAtoi(fields[2], &recovery_point) ||
      !absl::SimpleAtoi(fields[3], &log_start) ||
      !absl::SimpleAtoi(fields[4], &crc)) {
    return std::nullopt;
  }
  Checkpoint c{.recovery_point = Offset(recovery_point),
               .log_start_offset = Offset(log_start)};
  const std::string body = Body(c);
  if (util::crc32c::Value(body.data(), body.size()) != crc) return std::nullopt;
  return c;
}

absl::Status WriteCheckpoint(io::FileSystem& fs, const std::string& dir,
                             const Checkpoint& checkpoint) {
  const std::string body = Body(checkpoint);
  return io::WriteFileAtomically(
      fs, io::JoinPath(dir, kCheckpointFile),
      absl::StrCat(body, " ", util::crc32c::Value(body.data(), body.size()),
                   "\n"));
}

}  // namespace rill::log
