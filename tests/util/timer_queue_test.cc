#include "util/timer_queue.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <vector>

#include "absl/synchronization/notification.h"
#include "rill/clock.h"

namespace rill::util {
namespace {

TEST_CASE("Timers on a manual clock have run when AdvanceMs returns",
          "[util]") {
  auto clock = std::make_shared<ManualClock>(1'000);
  TimerQueue timers(clock);
  std::vector<int> fired;
  timers.Schedule(1'050, [&] { fired.push_back(2); });
  timers.Schedule(1'010, [&] { fired.push_back(1); });
  timers.Schedule(2'000, [&] { fired.push_back(3); });
  CHECK(timers.pending() == 3);

  clock->AdvanceMs(9);
  CHECK(fired.empty());
  clock->AdvanceMs(41);  // 1'050: the first two, in deadline order
  CHECK(fired == std::vector<int>{1, 2});
  CHECK(timers.pending() == 1);
  clock->SetMs(5'000);
  CHECK(fired == std::vector<int>{1, 2, 3});
  CHECK(timers.pending() == 0);
}

TEST_CASE(
    "A cancelled timer never runs and Cancel reports whether it was "
    "pending",
    "[util]") {
  auto clock = std::make_shared<ManualClock>();
  TimerQueue timers(clock);
  bool ran = false;
  const TimerQueue::Id id = timers.ScheduleAfter(10, [&] { ran = true; });
  CHECK(timers.Cancel(id));
  CHECK_FALSE(timers.Cancel(id));
  clock->AdvanceMs(100);
  CHECK_FALSE(ran);
  CHECK_FALSE(timers.Cancel(12345));
}

TEST_CASE("A timer already due runs without the manual clock moving",
          "[util]") {
  auto clock = std::make_shared<ManualClock>(50);
  TimerQueue timers(clock);
  absl::Notification done;
  timers.Schedule(10, [&] { done.Notify(); });
  CHECK(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
}

TEST_CASE("Callbacks may schedule more timers, which run in the same move",
          "[util]") {
  auto clock = std::make_shared<ManualClock>();
  TimerQueue timers(clock);
  std::vector<int> fired;
  timers.ScheduleAfter(5, [&] {
    fired.push_back(1);
    timers.ScheduleAfter(0, [&] { fired.push_back(2); });
  });
  clock->AdvanceMs(5);
  CHECK(fired == std::vector<int>{1, 2});
}

TEST_CASE("Timers on the system clock fire at their deadline", "[util]") {
  auto clock = std::make_shared<SystemClock>();
  TimerQueue timers(clock);
  absl::Notification done;
  std::atomic<int64_t> fired_at{0};
  const int64_t deadline = clock->NowMs() + 20;
  timers.Schedule(deadline, [&] {
    fired_at = clock->NowMs();
    done.Notify();
  });
  REQUIRE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  CHECK(fired_at.load() >= deadline);
}

TEST_CASE("Shutdown drops pending timers and refuses new ones", "[util]") {
  auto clock = std::make_shared<ManualClock>();
  bool ran = false;
  {
    TimerQueue timers(clock);
    timers.ScheduleAfter(10, [&] { ran = true; });
    timers.Shutdown();
    CHECK(timers.pending() == 0);
    CHECK(timers.ScheduleAfter(1, [&] { ran = true; }) == 0);
  }
  clock->AdvanceMs(100);  // the queue's observer is gone
  CHECK_FALSE(ran);
}

}  // namespace
}  // namespace rill::util
