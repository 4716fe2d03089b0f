#include "server/injected_errors.h"

namespace rill::server {

void InjectedErrors::Push(int16_t api_key, const std::vector<int16_t>& codes) {
  if (codes.empty()) return;
  absl::MutexLock lock(&mu_);
  std::deque<int16_t>& queue = queues_[api_key];
  queue.insert(queue.end(), codes.begin(), codes.end());
  queued_.fetch_add(codes.size(), std::memory_order_release);
}

void InjectedErrors::Clear() {
  absl::MutexLock lock(&mu_);
  queues_.clear();
  queued_.store(0, std::memory_order_release);
}

int16_t InjectedErrors::Next(int16_t api_key) {
  if (queued_.load(std::memory_order_acquire) == 0) return 0;
  absl::MutexLock lock(&mu_);
  auto it = queues_.find(api_key);
  if (it == queues_.end()) return 0;
  const int16_t code = it->second.front();
  it->second.pop_front();
  if (it->second.empty()) queues_.erase(it);
  queued_.fetch_sub(1, std::memory_order_release);
  return code;
}

}  // namespace rill::server
