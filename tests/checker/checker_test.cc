// The cluster checker over a range of seeds: every acknowledged record
// survives each seed's faults exactly once and in order, and the healed
// cluster converges. Two ranges of RILL_CHECKER_SEEDS seeds each (default
// 75, so 150 in all);
// `rill-checker --seeds 1000` runs long campaigns outside ctest.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "checker/cluster_checker.h"

namespace rill::checker {
namespace {

// SeedCount is how many seeds each of the two ranges runs.
int SeedCount() {
  const char* env = std::getenv("RILL_CHECKER_SEEDS");
  return env != nullptr ? std::atoi(env) : 75;
}

// CheckSeeds runs seeds [first, first + count) and fails with the report
// of each seed that fails.
void CheckSeeds(int first, int count) {
  int failures = 0;
  for (int seed = first; seed < first + count; ++seed) {
    const CheckResult r = RunCheck({.seed = static_cast<uint64_t>(seed)});
    if (!r.ok) {
      ++failures;
      FAIL_CHECK(r.Report());
    }
  }
  CHECK(failures == 0);
}

// Two ranges, so that ctest runs them side by side.
TEST_CASE(
    "acknowledged records survive seeded faults exactly once and in "
    "order, and the healed cluster converges (first seeds)",
    "[checker]") {
  CheckSeeds(1, SeedCount());
}

TEST_CASE(
    "acknowledged records survive seeded faults exactly once and in "
    "order, and the healed cluster converges (next seeds)",
    "[checker]") {
  CheckSeeds(1 + SeedCount(), SeedCount());
}

TEST_CASE("the same seed draws the same fault schedule", "[checker]") {
  CHECK(DescribeSchedule(GenerateSchedule(7, {})) ==
        DescribeSchedule(GenerateSchedule(7, {})));
  CHECK(DescribeSchedule(GenerateSchedule(7, {})) !=
        DescribeSchedule(GenerateSchedule(8, {})));
}

}  // namespace
}  // namespace rill::checker
