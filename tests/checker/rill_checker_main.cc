// rill-checker: the cluster checker (tests/checker/cluster_checker.h) over
// many seeds, for campaigns longer than CI's.
//
//   $ rill-checker --seeds 1000              # seeds 1..1000
//   $ rill-checker --first_seed 4242 --seeds 1 --steps 12
//
// Prints a line per seed that fails (with its schedule) and a summary;
// exits 1 if any failed.
#include <chrono>
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "checker/cluster_checker.h"

ABSL_FLAG(uint64_t, first_seed, 1, "first seed to run");
ABSL_FLAG(int, seeds, 100, "how many seeds to run");
ABSL_FLAG(int, steps, 6, "faults per seed");
ABSL_FLAG(bool, verbose, false, "print a line for every seed");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "runs the cluster checker over many seeds: three brokers under seeded "
      "faults, idempotent acks=all producers and consumers, every "
      "acknowledged record checked\n\n"
      "  rill-checker --seeds 1000              # seeds 1..1000\n"
      "  rill-checker --first_seed 4242 --seeds 1 --steps 12 --verbose");
  absl::ParseCommandLine(argc, argv);
  const uint64_t first = absl::GetFlag(FLAGS_first_seed);
  const int seeds = absl::GetFlag(FLAGS_seeds);
  const auto start = std::chrono::steady_clock::now();
  int failed = 0;
  int64_t acked = 0;
  int64_t elections = 0;
  for (int i = 0; i < seeds; ++i) {
    rill::checker::CheckOptions options{.seed = first + i};
    options.schedule.steps = absl::GetFlag(FLAGS_steps);
    const rill::checker::CheckResult r = rill::checker::RunCheck(options);
    acked += r.acked;
    elections += r.metrics.leader_elections;
    if (!r.ok) ++failed;
    if (!r.ok || absl::GetFlag(FLAGS_verbose)) {
      std::fputs(r.Report().c_str(), stdout);
      std::fflush(stdout);
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::printf(
      "%d seeds (%llu..%llu), %d failed; %lld acknowledged records checked, "
      "%lld leader elections; %.1f s\n",
      seeds, static_cast<unsigned long long>(first),
      static_cast<unsigned long long>(first + seeds - 1), failed,
      static_cast<long long>(acked), static_cast<long long>(elections),
      seconds);
  return failed == 0 ? 0 : 1;
}
