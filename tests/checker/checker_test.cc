// The cluster checker over a range of seeds: every acknowledged record
// survives each seed's faults exactly once and in order, and the healed
// cluster converges. RILL_CHECKER_SEEDS sets how many seeds (default 100);
// `rill-checker --seeds 1000` runs long campaigns outside ctest.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "checker/cluster_checker.h"

namespace rill::checker {
namespace {

int SeedCount() {
  const char* env = std::getenv("RILL_CHECKER_SEEDS");
  return env != nullptr ? std::atoi(env) : 100;
}

TEST_CASE(
    "acknowledged records survive seeded faults exactly once and in "
    "order, and the healed cluster converges",
    "[checker]") {
  const int seeds = SeedCount();
  int failures = 0;
  for (int seed = 1; seed <= seeds; ++seed) {
    const CheckResult r = RunCheck({.seed = static_cast<uint64_t>(seed)});
    if (!r.ok) {
      ++failures;
      FAIL_CHECK(r.Report());
    }
  }
  CHECK(failures == 0);
}

TEST_CASE("the same seed draws the same fault schedule", "[checker]") {
  CHECK(DescribeSchedule(GenerateSchedule(7, {})) ==
        DescribeSchedule(GenerateSchedule(7, {})));
  CHECK(DescribeSchedule(GenerateSchedule(7, {})) !=
        DescribeSchedule(GenerateSchedule(8, {})));
}

}  // namespace
}  // namespace rill::checker
