// TimerQueue: callbacks run at deadlines of a Clock, by one thread.
//
// The one mechanism behind every delayed operation in rill (a long-poll
// fetch's max_wait, a join waiting for members, a session timeout, a
// producer's linger.ms): an operation registers a deadline callback and is
// otherwise completed by the event it waits for. No thread sleeps per
// waiter and nothing polls.
//
//   util::TimerQueue timers(clock);
//   util::TimerQueue::Id id = timers.ScheduleAfter(500, [&] { Expire(); });
//   ...
//   if (timers.Cancel(id)) { /* Expire will not run */ }
//
// On a real-time clock the thread waits for the earliest deadline. On a
// clock that moves only when told to (ManualClock), the thread waits for
// moves, and a move returns only once every callback it made due has run, so
// tests see time's effects as soon as AdvanceMs returns.
#ifndef RILL_UTIL_TIMER_QUEUE_H_
#define RILL_UTIL_TIMER_QUEUE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "rill/clock.h"

namespace rill::util {

// TimerQueue owns its thread and its pending callbacks. Thread-safe;
// callbacks run on the queue's thread, one at a time, with no lock of the
// queue held (they may Schedule and Cancel).
class TimerQueue {
 public:
  using Id = uint64_t;

  explicit TimerQueue(std::shared_ptr<Clock> clock);
  // Shuts down: pending callbacks are dropped, a running one finishes.
  ~TimerQueue();
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  // Schedule runs `fn` once the clock reads >= deadline_ms. Returns an id
  // (never 0) for Cancel. After Shutdown, drops `fn` and returns 0.
  Id Schedule(int64_t deadline_ms, absl::AnyInvocable<void()> fn)
      ABSL_LOCKS_EXCLUDED(mu_);
  // ScheduleAfter runs `fn` delay_ms from now.
  Id ScheduleAfter(int64_t delay_ms, absl::AnyInvocable<void()> fn) {
    return Schedule(clock_->NowMs() + delay_ms, std::move(fn));
  }
  // Cancel drops a pending callback and returns true; false if it has run,
  // is running, or was never scheduled.
  bool Cancel(Id id) ABSL_LOCKS_EXCLUDED(mu_);

  // Shutdown drops every pending callback, waits for a running one (unless
  // called from it) and stops the thread. Idempotent. A callback may call
  // Shutdown but must not destroy its own queue.
  void Shutdown() ABSL_LOCKS_EXCLUDED(mu_);

  const std::shared_ptr<Clock>& clock() const { return clock_; }
  // pending is the number of callbacks waiting for their deadline.
  size_t pending() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  // OnClockMoved wakes the thread and waits until it has run what is due.
  void OnClockMoved() ABSL_LOCKS_EXCLUDED(mu_);

  const std::shared_ptr<Clock> clock_;

  mutable absl::Mutex mu_;
  absl::CondVar wake_;     // new earliest deadline, clock move, shutdown
  absl::CondVar drained_;  // the thread caught up with a clock move
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  Id next_id_ ABSL_GUARDED_BY(mu_) = 1;
  // Pending callbacks by (deadline, id): ids break ties in schedule order.
  std::map<std::pair<int64_t, Id>, absl::AnyInvocable<void()>> timers_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<Id, int64_t> deadlines_ ABSL_GUARDED_BY(mu_);
  // Clock moves requested and caught up with (manual clocks only).
  // The deadline the thread sleeps until (INT64_MAX: until woken), so that
  // Schedule wakes it only for an earlier one. Cancelled timers are not
  // un-scheduled: the thread wakes at their deadline once and sleeps again,
  // which costs less than a wake-up per Schedule (a producer schedules and
  // cancels a linger timer per batch).
  int64_t sleeping_until_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t moves_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t moves_drained_ ABSL_GUARDED_BY(mu_) = 0;

  uint64_t observer_id_ = 0;  // 0: real-time clock
  std::thread thread_;
};

}  // namespace rill::util

#endif  // RILL_UTIL_TIMER_QUEUE_H_
