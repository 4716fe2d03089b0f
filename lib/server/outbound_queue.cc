#include "server/outbound_queue.h"

#include <algorithm>

#include "util/status_macros.h"

namespace rill::server {
namespace {

// Views of in-memory files are taken at most this much at a time, so a
// read never straddles the in-memory file system's chunks by more than
// one boundary (where it copies into scratch).
constexpr uint64_t kViewBytes = 64 << 10;
// File slices up to this size are read into memory and sent with the rest
// of the frame in one gather write: for a consumer at the tail, one
// system call and one TCP segment instead of a write and a sendfile(2)
// (whose set-up costs more than copying a few KiB).
constexpr uint64_t kCopyFileSliceBelow = 32 << 10;

}  // namespace

absl::Status OutboundQueue::AddSlice(Frame& frame, const LogSlice& slice) {
  const int fd = slice.file->NativeHandle();
  if (fd >= 0 && slice.size > kCopyFileSliceBelow) {
    pieces_.push_back({.bytes = {},
                       .fd = fd,
                       .file_offset = slice.position,
                       .file_size = slice.size});
    ++frame.pieces_left;
    return absl::OkStatus();
  }
  std::string scratch;
  for (uint64_t done = 0; done < slice.size;) {
    const uint64_t n = std::min(kViewBytes, slice.size - done);
    scratch.resize(n);
    ASSIGN_OR_RETURN(
        std::string_view view,
        slice.file->ReadAt(slice.position + done, n, scratch.data()));
    if (view.size() != n) {
      return absl::DataLossError("log slice shorter than its size");
    }
    if (view.data() == scratch.data()) {
      frame.copies.push_back(std::move(scratch));
      view = frame.copies.back();
      scratch = std::string();
    }
    pieces_.push_back(
        {.bytes = view, .fd = -1, .file_offset = 0, .file_size = 0});
    ++frame.pieces_left;
    done += n;
  }
  return absl::OkStatus();
}

absl::Status OutboundQueue::Push(std::unique_ptr<protocol::WireWriter> frame) {
  Frame& f = frames_.emplace_back();
  f.writer = std::move(frame);
  const std::string& buffer = f.writer->buffer();
  size_t copied = 0;
  auto add_buffer = [&](size_t end) {
    if (end > copied) {
      pieces_.push_back(
          {.bytes = std::string_view(buffer).substr(copied, end - copied),
           .fd = -1,
           .file_offset = 0,
           .file_size = 0});
      ++f.pieces_left;
    }
    copied = end;
  };
  for (const auto& anchored : f.writer->slices()) {
    add_buffer(anchored.at);
    absl::Status added = AddSlice(f, anchored.slice);
    if (!added.ok()) return added;
  }
  add_buffer(buffer.size());
  return absl::OkStatus();
}

std::vector<std::string_view> OutboundQueue::MemoryRun(size_t max) const {
  std::vector<std::string_view> run;
  for (const OutboundPiece& piece : pieces_) {
    if (piece.is_file() || run.size() == max) break;
    run.push_back(piece.bytes);
  }
  return run;
}

void OutboundQueue::Consume(uint64_t n) {
  while (n > 0 && !pieces_.empty()) {
    OutboundPiece& piece = pieces_.front();
    const uint64_t take = std::min(n, piece.size());
    n -= take;
    if (take < piece.size()) {
      if (piece.is_file()) {
        piece.file_offset += take;
        piece.file_size -= take;
      } else {
        piece.bytes.remove_prefix(take);
      }
      return;
    }
    pieces_.pop_front();
    // Pieces go out in frame order and every frame has at least one.
    if (--frames_.front().pieces_left == 0) frames_.pop_front();
  }
}

}  // namespace rill::server
