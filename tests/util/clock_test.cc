#include "rill/clock.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

namespace rill {
namespace {

TEST_CASE("ManualClock moves only when told to", "[util]") {
  ManualClock clock(1'000);
  CHECK(clock.NowMs() == 1'000);
  CHECK(clock.NowMs() == 1'000);
  clock.AdvanceMs(250);
  CHECK(clock.NowMs() == 1'250);
  clock.SetMs(5);
  CHECK(clock.NowMs() == 5);
  CHECK(ManualClock().NowMs() == 0);
}

TEST_CASE("ManualClock advances atomically from many threads", "[util]") {
  ManualClock clock;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&clock] {
      for (int i = 0; i < 10'000; ++i) clock.AdvanceMs(1);
    });
  }
  for (auto& t : threads) t.join();
  CHECK(clock.NowMs() == 40'000);
}

TEST_CASE("SystemClock reads wall-clock milliseconds since the epoch",
          "[util]") {
  SystemClock clock;
  const int64_t expected =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  const int64_t now = clock.NowMs();
  // Within a minute of std::chrono's reading, and after 2020-01-01.
  CHECK(now >= expected - 60'000);
  CHECK(now <= expected + 60'000);
  CHECK(now > 1'577'836'800'000);
}

TEST_CASE("DefaultClock is a system clock usable through the interface",
          "[util]") {
  std::shared_ptr<Clock> clock = DefaultClock();
  REQUIRE(clock != nullptr);
  CHECK(dynamic_cast<SystemClock*>(clock.get()) != nullptr);
  const int64_t a = clock->NowMs();
  const int64_t b = clock->NowMs();
  CHECK(b >= a - 1'000);  // tolerate small wall-clock steps
}

TEST_CASE("ManualClock runs its observers after every move", "[util]") {
  ManualClock clock(0);
  std::vector<int64_t> seen;
  const uint64_t id = clock.AddObserver([&] { seen.push_back(clock.NowMs()); });
  CHECK(id != 0);
  clock.AdvanceMs(10);
  clock.SetMs(100);
  clock.RemoveObserver(id);
  clock.AdvanceMs(1);
  CHECK(seen == std::vector<int64_t>{10, 100});
}

TEST_CASE("An observer may remove itself while it runs", "[util]") {
  ManualClock clock;
  uint64_t id = 0;
  int calls = 0;
  id = clock.AddObserver([&] {
    ++calls;
    clock.RemoveObserver(id);
  });
  clock.AdvanceMs(1);
  clock.AdvanceMs(1);
  CHECK(calls == 1);
}

TEST_CASE("SystemClock has no observers: it moves by itself", "[util]") {
  SystemClock clock;
  CHECK(clock.AddObserver([] {}) == 0);
}

}  // namespace
}  // namespace rill
