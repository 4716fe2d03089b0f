// rill/clock.h — the time seam.
//
// Everything in rill that acts on time (segment.ms rolls, retention.ms,
// flush.ms, session timeouts) reads it from a Clock passed in through options,
// so tests drive time by hand:
//
//   auto clock = std::make_shared<rill::ManualClock>(/*start_ms=*/1'000);
//   ... Log::Open({.clock = clock, ...});
//   clock->AdvanceMs(7 * 24 * 3600 * 1000);   // a week passes
#ifndef RILL_CLOCK_H_
#define RILL_CLOCK_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace rill {

// Clock tells wall-clock time in milliseconds since the Unix epoch, Kafka's
// timestamp unit. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMs() const = 0;

  // AddObserver registers `on_move` to run, in the mover's thread, after
  // every jump of a clock that moves only when told to (ManualClock), so
  // timers on that clock fire when a test advances it. Returns an id for
  // RemoveObserver, or 0 for a clock that moves by itself (real time), which
  // never calls observers: waiters on it use timed waits.
  virtual uint64_t AddObserver(std::function<void()> on_move) {
    (void)on_move;
    return 0;
  }
  // RemoveObserver unregisters an observer; when it returns, the observer
  // is not running and will not run again (unless called from inside it).
  virtual void RemoveObserver(uint64_t id) { (void)id; }
};

// SystemClock reads the system's real-time clock. Stateless; thread-safe.
class SystemClock final : public Clock {
 public:
  int64_t NowMs() const override;
};

// ManualClock moves only when told to. AdvanceMs and SetMs run the
// observers (timers of brokers, group coordinators and clients on this clock)
// before returning, so what falls due has happened when they return.
// Thread-safe; moves are serialized.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 0) : now_ms_(start_ms) {}
  int64_t NowMs() const override {
    return now_ms_.load(std::memory_order_acquire);
  }
  void AdvanceMs(int64_t ms);
  void SetMs(int64_t ms);

  uint64_t AddObserver(std::function<void()> on_move) override;
  void RemoveObserver(uint64_t id) override;

 private:
  void NotifyObservers() ABSL_LOCKS_EXCLUDED(mu_);

  std::atomic<int64_t> now_ms_;
  // Serializes moves, so observers see time only go forward one jump at a
  // time.
  absl::Mutex move_mu_;
  absl::Mutex mu_;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<uint64_t, std::shared_ptr<std::function<void()>>> observers_
      ABSL_GUARDED_BY(mu_);
  // The observer running now and the thread running it, so RemoveObserver
  // can wait for it (unless called from inside it).
  uint64_t running_id_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread::id running_thread_ ABSL_GUARDED_BY(mu_);
  absl::CondVar idle_;  // signalled when an observer finishes
};

// DefaultClock returns a shared SystemClock for options that were given none.
std::shared_ptr<Clock> DefaultClock();

}  // namespace rill

#endif  // RILL_CLOCK_H_
