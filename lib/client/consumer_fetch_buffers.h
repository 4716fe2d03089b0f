// client/consumer_fetch_buffers.h — where a consumer copies fetched bytes.
//
// A fetch answer is a list of log slices; the consumer copies them once
// into a buffer that the records it hands out point into. Allocating a
// fresh megabyte per fetch (zero-filled, as std::string would) costs page
// faults and a memset per fetch — more than decoding at high rates — so
// buffers come back to a small pool when the last ConsumerRecords viewing
// them is gone.
#ifndef RILL_CLIENT_CONSUMER_FETCH_BUFFERS_H_
#define RILL_CLIENT_CONSUMER_FETCH_BUFFERS_H_

#include <cstddef>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "rill/log/log.h"

namespace rill::client {

class FetchBufferPool;

// FetchBuffer holds the bytes of one partition's fetch answer. Move-only;
// returns its memory to the pool it came from when destroyed.
class FetchBuffer {
 public:
  FetchBuffer() = default;
  FetchBuffer(FetchBuffer&&) = default;
  FetchBuffer& operator=(FetchBuffer&&) = default;
  ~FetchBuffer();

  std::string_view bytes() const { return {data_.get(), size_}; }

 private:
  friend class FetchBufferPool;
  std::shared_ptr<FetchBufferPool> pool_;
  std::unique_ptr<char[]> data_;
  size_t capacity_ = 0;
  size_t size_ = 0;
};

// FetchBufferPool is shared by a consumer's fetcher and the buffers it
// handed out (which may be destroyed on any thread). Thread-safe.
class FetchBufferPool : public std::enable_shared_from_this<FetchBufferPool> {
 public:
  // Read copies the bytes of `read` into a buffer. kDataLoss if a slice
  // came back short (the log was truncated meanwhile).
  absl::StatusOr<FetchBuffer> Read(const LogReadResult& read);

 private:
  friend class FetchBuffer;
  // At most this many idle buffers are kept.
  static constexpr size_t kMaxIdle = 8;

  void Give(std::unique_ptr<char[]> data, size_t capacity)
      ABSL_LOCKS_EXCLUDED(mu_);

  absl::Mutex mu_;
  std::vector<std::pair<std::unique_ptr<char[]>, size_t>> idle_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace rill::client

#endif  // RILL_CLIENT_CONSUMER_FETCH_BUFFERS_H_
