#include "rill/clock.h"

#include <chrono>

namespace rill {

int64_t SystemClock::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void ManualClock::AdvanceMs(int64_t ms) {
  absl::MutexLock move(&move_mu_);
  now_ms_.fetch_add(ms, std::memory_order_acq_rel);
  NotifyObservers();
}

void ManualClock::SetMs(int64_t ms) {
  absl::MutexLock move(&move_mu_);
  now_ms_.store(ms, std::memory_order_release);
  NotifyObservers();
}

uint64_t ManualClock::AddObserver(std::function<void()> on_move) {
  absl::MutexLock lock(&mu_);
  const uint64_t id = next_id_++;
  observers_.emplace(
      id, std::make_shared<std::function<void()>>(std::move(on_move)));
  return id;
}

void ManualClock::RemoveObserver(uint64_t id) {
  absl::MutexLock lock(&mu_);
  observers_.erase(id);
  if (running_thread_ == std::this_thread::get_id()) return;
  while (running_id_ == id) idle_.Wait(&mu_);
}

void ManualClock::NotifyObservers() {
  // Observers run one at a time without mu_ held, so they may schedule
  // timers or remove themselves.
  uint64_t next = 0;
  while (true) {
    std::shared_ptr<std::function<void()>> observer;
    {
      absl::MutexLock lock(&mu_);
      auto it = observers_.lower_bound(next);
      if (it == observers_.end()) break;
      observer = it->second;
      next = it->first + 1;
      running_id_ = it->first;
      running_thread_ = std::this_thread::get_id();
    }
    (*observer)();
    absl::MutexLock lock(&mu_);
    running_id_ = 0;
    running_thread_ = std::thread::id();
    idle_.SignalAll();
  }
}

std::shared_ptr<Clock> DefaultClock() {
  return std::make_shared<SystemClock>();
}

}  // namespace rill
