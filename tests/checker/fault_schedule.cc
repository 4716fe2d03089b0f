#include "checker/fault_schedule.h"

#include <random>
#include <set>

#include "absl/strings/str_cat.h"

namespace rill::checker {

std::string FaultStep::ToString() const {
  std::string what;
  switch (kind) {
    case FaultKind::kKill:
      what = absl::StrCat("kill broker ", a);
      break;
    case FaultKind::kStop:
      what = absl::StrCat("stop broker ", a);
      break;
    case FaultKind::kStart:
      what = absl::StrCat("start broker ", a);
      break;
    case FaultKind::kIsolate:
      what = absl::StrCat("isolate broker ", a);
      break;
    case FaultKind::kCutLink:
      what = absl::StrCat("cut link ", a, "-", b);
      break;
    case FaultKind::kLatency:
      what = absl::StrCat("latency ", a, "-", b, " ", latency_ms, " ms");
      break;
    case FaultKind::kDiskFull:
      what = absl::StrCat("disk full on broker ", a);
      break;
    case FaultKind::kHealAll:
      what = "heal all links and disks";
      break;
  }
  return absl::StrCat(what, ", then ", run_ms, " ms of traffic");
}

std::vector<FaultStep> GenerateSchedule(uint64_t seed,
                                        const ScheduleOptions& options) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  // What the schedule has done so far, to stay inside the model.
  std::set<int> down;
  bool isolated = false;
  bool disk_full = false;
  std::vector<FaultStep> steps;
  while (static_cast<int>(steps.size()) < options.steps) {
    FaultStep step;
    step.kind = static_cast<FaultKind>(uniform(0, 7));
    step.a = static_cast<int>(uniform(0, options.brokers - 1));
    step.b = static_cast<int>(uniform(0, options.brokers - 2));
    if (step.b >= step.a) ++step.b;
    bool fits = true;
    switch (step.kind) {
      case FaultKind::kKill:
      case FaultKind::kStop:
        fits = down.empty();
        if (fits) down.insert(step.a);
        break;
      case FaultKind::kStart:
        fits = !down.empty();
        if (fits) step.a = *down.begin();
        down.clear();
        break;
      case FaultKind::kIsolate:
        fits = !isolated;
        isolated = true;
        break;
      case FaultKind::kCutLink:
        break;
      case FaultKind::kLatency:
        step.latency_ms = uniform(1, options.max_latency_ms);
        break;
      case FaultKind::kDiskFull:
        fits = !disk_full;
        disk_full = true;
        break;
      case FaultKind::kHealAll:
        isolated = false;
        disk_full = false;
        break;
    }
    if (!fits) continue;
    if (step.kind != FaultKind::kCutLink && step.kind != FaultKind::kLatency) {
      step.b = -1;
    }
    step.run_ms = uniform(options.min_run_ms, options.max_run_ms);
    steps.push_back(step);
  }
  return steps;
}

std::string DescribeSchedule(const std::vector<FaultStep>& steps) {
  std::string out;
  for (size_t i = 0; i < steps.size(); ++i) {
    absl::StrAppend(&out, "  ", i + 1, ". ", steps[i].ToString(), "\n");
  }
  return out;
}

}  // namespace rill::checker
