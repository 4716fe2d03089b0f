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
#include <memory>

namespace rill {

// Clock tells wall-clock time in milliseconds since the Unix epoch, Kafka's
// timestamp unit. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMs() const = 0;
};

// SystemClock reads the system's real-time clock. Stateless; thread-safe.
class SystemClock final : public Clock {
 public:
  int64_t NowMs() const override;
};

// ManualClock moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 0) : now_ms_(start_ms) {}
  int64_t NowMs() const override {
    return now_ms_.load(std::memory_order_acquire);
  }
  void AdvanceMs(int64_t ms) {
    now_ms_.fetch_add(ms, std::memory_order_acq_rel);
  }
  void SetMs(int64_t ms) { now_ms_.store(ms, std::memory_order_release); }

 private:
  std::atomic<int64_t> now_ms_;
};

// DefaultClock returns a shared SystemClock for options that were given none.
std::shared_ptr<Clock> DefaultClock();

}  // namespace rill

#endif  // RILL_CLOCK_H_
