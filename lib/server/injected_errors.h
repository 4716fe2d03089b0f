// InjectedErrors: the error codes KafkaServer::InjectErrors queued, per API.
//
// A connection takes the next code for a request's API as it dispatches the
// request, so codes go to requests in the order they arrive at the server,
// whichever connection they come on. A nonzero code makes the API's handler
// answer with it instead of serving the request (TypedHandler); a queued 0
// lets one request through, so a test can fail the second request alone.
#ifndef RILL_SERVER_INJECTED_ERRORS_H_
#define RILL_SERVER_INJECTED_ERRORS_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace rill::server {

// InjectedErrors is owned by the server and outlives its connections.
// Thread-safe; while nothing is queued, Next costs one atomic load.
class InjectedErrors {
 public:
  InjectedErrors() = default;
  InjectedErrors(const InjectedErrors&) = delete;
  InjectedErrors& operator=(const InjectedErrors&) = delete;

  // Push queues `codes` for `api_key`, after the codes already queued.
  void Push(int16_t api_key, const std::vector<int16_t>& codes);
  // Clear drops every queued code of every API.
  void Clear();
  // Next takes the first code queued for `api_key`; 0 when none is.
  int16_t Next(int16_t api_key);

 private:
  // How many codes are queued in all: Next skips the lock at 0.
  std::atomic<size_t> queued_{0};
  absl::Mutex mu_;
  absl::flat_hash_map<int16_t, std::deque<int16_t>> queues_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace rill::server

#endif  // RILL_SERVER_INJECTED_ERRORS_H_
