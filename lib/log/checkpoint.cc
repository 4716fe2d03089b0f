#include "log/checkpoint.h"

#include <vector>

#include "absl/strings/match.h"
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

// ParseLeaderEpochs reads the text of a leader-epoch-checkpoint; nullopt
// unless it is whole and its entries strictly increase.
std::optional<std::vector<EpochEntry>> ParseLeaderEpochs(
    absl::string_view text) {
  // Every line ends in a newline, so a file cut short mid-number shows.
  if (!absl::ConsumeSuffix(&text, "\n")) return std::nullopt;
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  int version;
  size_t count;
  if (lines.size() < 2 || !absl::SimpleAtoi(lines[0], &version) ||
      version != kLeaderEpochCheckpointVersion ||
      !absl::SimpleAtoi(lines[1], &count) || count != lines.size() - 2) {
    return std::nullopt;
  }
  std::vector<EpochEntry> entries;
  for (size_t i = 2; i < lines.size(); ++i) {
    std::vector<absl::string_view> fields = absl::StrSplit(lines[i], ' ');
    int32_t epoch;
    int64_t start;
    if (fields.size() != 2 || !absl::SimpleAtoi(fields[0], &epoch) ||
        !absl::SimpleAtoi(fields[1], &start) || epoch < 0 || start < 0) {
      return std::nullopt;
    }
    if (!entries.empty() && (LeaderEpoch(epoch) <= entries.back().epoch ||
                             Offset(start) <= entries.back().start_offset)) {
      return std::nullopt;
    }
    entries.push_back(
        {.epoch = LeaderEpoch(epoch), .start_offset = Offset(start)});
  }
  return entries;
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

absl::StatusOr<std::optional<std::vector<EpochEntry>>>
ReadLeaderEpochCheckpoint(io::FileSystem& fs, const std::string& dir) {
  auto contents =
      io::ReadFileToString(fs, io::JoinPath(dir, kLeaderEpochCheckpointFile));
  if (absl::IsNotFound(contents.status())) return std::nullopt;
  if (!contents.ok()) return contents.status();
  return ParseLeaderEpochs(*contents);
}

absl::Status WriteLeaderEpochCheckpoint(io::FileSystem& fs,
                                        const std::string& dir,
                                        std::span<const EpochEntry> entries) {
  std::string text =
      absl::StrCat(kLeaderEpochCheckpointVersion, "\n", entries.size(), "\n");
  for (const EpochEntry& e : entries) {
    absl::StrAppend(&text, e.epoch.value(), " ", e.start_offset.value(), "\n");
  }
  return io::WriteFileAtomically(
      fs, io::JoinPath(dir, kLeaderEpochCheckpointFile), text);
}

}  // namespace rill::log
