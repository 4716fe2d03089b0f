// OutboundQueue: response frames waiting for the socket, as pieces.
//
// A frame is a WireWriter: buffered bytes with stored log slices anchored
// in between. Pushing a frame turns it into pieces the connection can send
// without copying: buffer ranges, in-memory slices as views (the in-memory
// file system hands out views into its chunks), and file slices as
// (descriptor, offset, size) for sendfile(2), except small ones, which are
// copied so that they go out in the same write as the frame around them. The
// queue owns the frames (and so the files) until their last byte is consumed.
#ifndef RILL_SERVER_OUTBOUND_QUEUE_H_
#define RILL_SERVER_OUTBOUND_QUEUE_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "protocol/wire_writer.h"

namespace rill::server {

// OutboundPiece is bytes in memory (fd < 0) or a range of a file.
struct OutboundPiece {
  std::string_view bytes;
  int fd = -1;
  uint64_t file_offset = 0;
  uint64_t file_size = 0;

  bool is_file() const { return fd >= 0; }
  uint64_t size() const { return is_file() ? file_size : bytes.size(); }
};

// OutboundQueue is owned by one connection. Not thread-safe.
class OutboundQueue {
 public:
  // Push queues a frame; an error (a slice that cannot be read) means the
  // frame cannot be sent and the connection must close.
  absl::Status Push(std::unique_ptr<protocol::WireWriter> frame);

  bool empty() const { return pieces_.empty(); }
  size_t frames() const { return frames_.size(); }
  // front is the first unsent piece (with what was already sent of it
  // removed).
  const OutboundPiece& front() const { return pieces_.front(); }
  // MemoryRun lists up to `max` leading pieces that are in memory.
  std::vector<std::string_view> MemoryRun(size_t max) const;
  // Consume drops `n` sent bytes from the front.
  void Consume(uint64_t n);

 private:
  struct Frame {
    std::unique_ptr<protocol::WireWriter> writer;
    // Slice bytes copied because they were not contiguous in memory (a
    // deque: pieces view them, so they must never move).
    std::deque<std::string> copies;
    size_t pieces_left = 0;
  };
  absl::Status AddSlice(Frame& frame, const LogSlice& slice);

  std::deque<Frame> frames_;
  // Pieces of all frames, in frame order.
  std::deque<OutboundPiece> pieces_;
};

}  // namespace rill::server

#endif  // RILL_SERVER_OUTBOUND_QUEUE_H_
