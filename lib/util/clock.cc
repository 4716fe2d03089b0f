#include "rill/clock.h"

#include <chrono>

namespace rill {

int64_t SystemClock::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::shared_ptr<Clock> DefaultClock() {
  return std::make_shared<SystemClock>();
}

}  // namespace rill
