#include "replication/metadata_frames.h"

#include <limits>
#include <optional>

#include "absl/strings/str_cat.h"
#include "replication/metadata_format.h"
#include "util/crc32c.h"
#include "util/endian.h"

namespace rill::replication::internal {
namespace {

// FrameAt returns the payload of a good frame starting at `offset`, or
// nullopt.
std::optional<std::string_view> FrameAt(std::string_view contents,
                                        uint64_t offset) {
  if (offset > contents.size() ||
      contents.size() - offset < kFrameHeaderBytes) {
    return std::nullopt;
  }
  const char* header = contents.data() + offset;
  const auto length = util::LoadBigEndian<uint32_t>(header);
  const auto crc = util::LoadBigEndian<uint32_t>(header + 4);
  const uint64_t room = contents.size() - offset - kFrameHeaderBytes;
  if (length == 0 || length > room) return std::nullopt;
  std::string_view payload(header + kFrameHeaderBytes, length);
  if (util::crc32c::Value(payload.data(), payload.size()) != crc) {
    return std::nullopt;
  }
  return payload;
}

}  // namespace

absl::StatusOr<std::string> EncodeFrame(std::string_view payload) {
  if (payload.empty() ||
      payload.size() > std::numeric_limits<uint32_t>::max()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a metadata frame cannot hold ", payload.size(), " bytes"));
  }
  std::string frame;
  frame.reserve(kFrameHeaderBytes + payload.size());
  util::AppendBigEndian(&frame, static_cast<uint32_t>(payload.size()));
  util::AppendBigEndian(&frame,
                        util::crc32c::Value(payload.data(), payload.size()));
  frame.append(payload);
  return frame;
}

absl::StatusOr<FrameScan> ScanFrames(std::string_view contents) {
  FrameScan scan;
  uint64_t offset = 0;
  while (offset < contents.size()) {
    std::optional<std::string_view> payload = FrameAt(contents, offset);
    if (!payload.has_value()) break;
    scan.frames.push_back({.offset = offset, .payload = *payload});
    offset += kFrameHeaderBytes + payload->size();
  }
  scan.valid_bytes = offset;
  // Commits are appended and synced one at a time, so a crash tears at most
  // the last frame: a good frame after a bad one means the bad one was
  // damaged in place.
  for (uint64_t later = offset + 1; later + kFrameHeaderBytes < contents.size();
       ++later) {
    if (FrameAt(contents, later).has_value()) {
      return absl::DataLossError(
          absl::StrCat("metadata frame at byte ", offset,
                       " is corrupt and a good frame follows at byte ", later));
    }
  }
  return scan;
}

absl::StatusOr<std::string_view> ReadSingleFrame(std::string_view contents) {
  std::optional<std::string_view> payload = FrameAt(contents, 0);
  if (!payload.has_value() ||
      kFrameHeaderBytes + payload->size() != contents.size()) {
    return absl::DataLossError("not a single good metadata frame");
  }
  return *payload;
}

}  // namespace rill::replication::internal
