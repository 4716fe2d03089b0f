#include "client/consumer_fetch_buffers.h"

#include <algorithm>
#include <cstring>

#include "util/status_macros.h"

namespace rill::client {

FetchBuffer::~FetchBuffer() {
  if (pool_ && data_) pool_->Give(std::move(data_), capacity_);
}

absl::StatusOr<FetchBuffer> FetchBufferPool::Read(const LogReadResult& read) {
  const size_t size = static_cast<size_t>(read.size_bytes);
  FetchBuffer buffer;
  buffer.pool_ = shared_from_this();
  {
    absl::MutexLock lock(&mu_);
    // The smallest idle buffer that fits.
    auto best = idle_.end();
    for (auto it = idle_.begin(); it != idle_.end(); ++it) {
      if (it->second >= size &&
          (best == idle_.end() || it->second < best->second)) {
        best = it;
      }
    }
    if (best != idle_.end()) {
      buffer.data_ = std::move(best->first);
      buffer.capacity_ = best->second;
      idle_.erase(best);
    }
  }
  if (!buffer.data_) {
    buffer.data_.reset(new char[size]);  // not zero-filled: overwritten below
    buffer.capacity_ = size;
  }
  size_t at = 0;
  for (const LogSlice& slice : read.slices) {
    char* scratch = buffer.data_.get() + at;
    ASSIGN_OR_RETURN(std::string_view got,
                     slice.file->ReadAt(slice.position, slice.size, scratch));
    if (got.size() != slice.size || at + got.size() > size) {
      return absl::DataLossError("log slice was truncated while being read");
    }
    if (got.data() != scratch) std::memcpy(scratch, got.data(), got.size());
    at += got.size();
  }
  buffer.size_ = at;
  return buffer;
}

void FetchBufferPool::Give(std::unique_ptr<char[]> data, size_t capacity) {
  absl::MutexLock lock(&mu_);
  if (idle_.size() < kMaxIdle) idle_.emplace_back(std::move(data), capacity);
}

}  // namespace rill::client
