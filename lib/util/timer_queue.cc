#include "util/timer_queue.h"

#include <algorithm>

#include "absl/time/time.h"

namespace rill::util {
namespace {

constexpr int64_t kIdleTickMs = 50;

}  // namespace

TimerQueue::TimerQueue(std::shared_ptr<Clock> clock)
    : clock_(clock ? std::move(clock) : DefaultClock()) {
  observer_id_ = clock_->AddObserver([this] { OnClockMoved(); });
  thread_ = std::thread([this] { Run(); });
}

TimerQueue::~TimerQueue() { Shutdown(); }

TimerQueue::Id TimerQueue::Schedule(int64_t deadline_ms,
                                    absl::AnyInvocable<void()> fn) {
  absl::MutexLock lock(&mu_);
  if (shutdown_) return 0;
  const Id id = next_id_++;
  timers_.emplace(std::make_pair(deadline_ms, id), std::move(fn));
  deadlines_.emplace(id, deadline_ms);
  if (deadline_ms < sleeping_until_) {
    sleeping_until_ = deadline_ms;  // one wake-up is enough
    wake_.Signal();
  }
  return id;
}

bool TimerQueue::Cancel(Id id) {
  absl::MutexLock lock(&mu_);
  auto it = deadlines_.find(id);
  if (it == deadlines_.end()) return false;
  timers_.erase({it->second, id});
  deadlines_.erase(it);
  return true;
}

size_t TimerQueue::pending() const {
  absl::MutexLock lock(&mu_);
  return timers_.size();
}

void TimerQueue::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    if (shutdown_) return;
    shutdown_ = true;
    timers_.clear();
    deadlines_.clear();
    wake_.SignalAll();
    drained_.SignalAll();
  }
  if (observer_id_ != 0) clock_->RemoveObserver(observer_id_);
  if (thread_.joinable()) {
    if (thread_.get_id() == std::this_thread::get_id()) {
      thread_.detach();  // shut down from one of our own callbacks
    } else {
      thread_.join();
    }
  }
}

void TimerQueue::OnClockMoved() {
  absl::MutexLock lock(&mu_);
  if (shutdown_) return;
  const uint64_t move = ++moves_;
  wake_.Signal();
  while (!shutdown_ && moves_drained_ < move) drained_.Wait(&mu_);
}

void TimerQueue::Run() {
  const bool manual = observer_id_ != 0;
  absl::MutexLock lock(&mu_);
  while (!shutdown_) {
    const uint64_t moves_seen = moves_;
    const int64_t now = clock_->NowMs();
    if (!timers_.empty() && timers_.begin()->first.first <= now) {
      auto node = timers_.extract(timers_.begin());
      deadlines_.erase(node.key().second);
      mu_.Unlock();
      std::move(node.mapped())();
      mu_.Lock();
      continue;
    }
    // Nothing is due: a manual clock's move is caught up with.
    moves_drained_ = moves_seen;
    drained_.SignalAll();
    if (moves_ != moves_seen) continue;
    if (manual) {
      // A manual clock's due timers are found on moves; Schedule still
      // wakes the thread for a timer that is already due.
      sleeping_until_ = clock_->NowMs() + 1;
      wake_.Wait(&mu_);
    } else if (timers_.empty()) {
      // Idle: wake up now and then rather than never, so that the next
      // timer (typically a parked fetch, due in hundreds of ms) is found by
      // this tick instead of costing Schedule a signal and us a context
      // switch — with one parked fetch per request, that was one per
      // request.
      sleeping_until_ = now + kIdleTickMs;
      wake_.WaitWithTimeout(&mu_, absl::Milliseconds(kIdleTickMs));
    } else {
      const int64_t deadline = timers_.begin()->first.first;
      sleeping_until_ = deadline;
      wake_.WaitWithTimeout(&mu_,
                            absl::Milliseconds(std::max<int64_t>(
                                1, std::min<int64_t>(deadline - now, 60'000))));
    }
    sleeping_until_ = 0;  // awake: Schedule need not signal
  }
}

}  // namespace rill::util
