// ParallelFor: run a blocking step over many items on a few short-lived
// threads. For shutdown-style work that waits on the disk (closing and
// fsyncing dozens of partitions), where overlapping the waits is the win;
// not for CPU-bound loops.
#ifndef RILL_UTIL_PARALLEL_FOR_H_
#define RILL_UTIL_PARALLEL_FOR_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace rill::util {

// ParallelFor calls fn(i) for every i in [0, n), each exactly once, on up
// to `max_threads` threads (the caller's among them), and returns when all
// calls have. `fn` must be safe to call concurrently.
inline void ParallelFor(size_t n, size_t max_threads,
                        const std::function<void(size_t)>& fn) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) fn(i);
  };
  const size_t helpers =
      std::min(n, std::max<size_t>(max_threads, 1)) - (n > 0);
  std::vector<std::thread> threads;
  threads.reserve(helpers);
  for (size_t t = 0; t < helpers; ++t) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
}

}  // namespace rill::util

#endif  // RILL_UTIL_PARALLEL_FOR_H_
