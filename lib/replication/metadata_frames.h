// Frames of the durable metadata store's files: [u32 length][u32 crc32c]
// [payload] (format in metadata_format.h), and the scan that finds where
// the good ones end.
//
//   RETURN_IF_ERROR(file->Append(EncodeFrame(payload)));
//   ASSIGN_OR_RETURN(FrameScan scan, ScanFrames(contents));
//   for (const Frame& frame : scan.frames) Replay(frame.payload);
#ifndef RILL_REPLICATION_METADATA_FRAMES_H_
#define RILL_REPLICATION_METADATA_FRAMES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace rill::replication::internal {

// EncodeFrame returns `payload` framed. kInvalidArgument if it is empty or
// longer than a uint32 can say.
absl::StatusOr<std::string> EncodeFrame(std::string_view payload);

// Frame is one good frame of a file.
struct Frame {
  // Where the frame's header starts. Default: 0.
  uint64_t offset = 0;
  // The payload, pointing into the scanned bytes. Default: empty.
  std::string_view payload = {};
};

// FrameScan is what ScanFrames found.
struct FrameScan {
  // The good frames, in file order. Default: none.
  std::vector<Frame> frames = {};
  // Where the good frames end: the rest is a torn write to cut away.
  // Default: 0.
  uint64_t valid_bytes = 0;
};

// ScanFrames reads `contents` as back-to-back frames. A bad frame (short
// header, zero length, length past the end, CRC mismatch) ends the good
// ones: when no good frame starts anywhere after it, it is the torn tail of
// a crashed append; when one does, it is corruption in the middle of the
// file, and the result is kDataLoss naming both offsets.
absl::StatusOr<FrameScan> ScanFrames(std::string_view contents);

// ReadSingleFrame returns the payload of `contents` holding exactly one
// good frame (a snapshot file), and kDataLoss otherwise.
absl::StatusOr<std::string_view> ReadSingleFrame(std::string_view contents);

}  // namespace rill::replication::internal

#endif  // RILL_REPLICATION_METADATA_FRAMES_H_
