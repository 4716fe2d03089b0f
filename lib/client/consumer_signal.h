// client/consumer_signal.h — how a consumer's Poll learns that something
// happened on another thread: a fetch was answered, a JoinGroup or
// SyncGroup completed, a heartbeat found a rebalance, a commit finished, or
// Wakeup() was called.
#ifndef RILL_CLIENT_CONSUMER_SIGNAL_H_
#define RILL_CLIENT_CONSUMER_SIGNAL_H_

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace rill::client {

// ConsumerSignal counts events. Shared (std::shared_ptr) between a consumer
// and the callbacks it hands to the broker, the group coordinator and its
// timers, which may outlive it. Thread-safe. The events themselves are kept
// by whoever produced them; this only wakes the polling thread.
class ConsumerSignal {
 public:
  // events is a counter to pass to Wait: read it before looking at state,
  // so an event that lands in between is not slept through.
  uint64_t events() const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return events_;
  }

  // Notify records an event and wakes Wait.
  void Notify() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    ++events_;
    changed_.SignalAll();
  }

  // Wakeup asks the current (or next) Poll to return early.
  void Wakeup() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    wakeup_ = true;
    changed_.SignalAll();
  }

  // TakeWakeup returns and clears a pending Wakeup.
  bool TakeWakeup() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    const bool wakeup = wakeup_;
    wakeup_ = false;
    return wakeup;
  }

  // Wait blocks until an event after `seen`, a pending Wakeup (unless
  // `heed_wakeup` is false), or `deadline` (real time).
  void Wait(uint64_t seen, absl::Time deadline, bool heed_wakeup = true)
      ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    while (events_ == seen && !(heed_wakeup && wakeup_)) {
      if (changed_.WaitWithDeadline(&mu_, deadline)) return;
    }
  }

 private:
  mutable absl::Mutex mu_;
  absl::CondVar changed_;
  uint64_t events_ ABSL_GUARDED_BY(mu_) = 0;
  bool wakeup_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace rill::client

#endif  // RILL_CLIENT_CONSUMER_SIGNAL_H_
