#include "wire/results.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

namespace rill::wire_bench {
namespace {

double MedianOf(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::string Optional(const std::optional<double>& value) {
  return value ? fmt::format("{:.0f}", *value) : "-";
}

std::string Ratio(double value, double reference) {
  return value > 0 && reference > 0 ? fmt::format("{:.2f}x", value / reference)
                                    : "-";
}

// Figure prints `value` with `decimals`, or "-" for none (0: the floor
// rows have only a CPU figure).
std::string Figure(double value, int decimals) {
  return value > 0 ? fmt::format("{:.{}f}", value, decimals) : "-";
}

bool IsFloor(const std::string& server) { return server.starts_with("Floor"); }

std::string Ratio(const std::optional<double>& value,
                  const std::optional<double>& reference) {
  return value && reference ? Ratio(*value, *reference) : "-";
}

}  // namespace

std::optional<CaseResult> ResultBook::Median(const std::string& case_name,
                                             const std::string& server) const {
  std::vector<const CaseResult*> runs;
  for (const CaseResult& r : results_) {
    if (r.case_name == case_name && r.server == server) runs.push_back(&r);
  }
  if (runs.empty()) return std::nullopt;
  auto median = [&](const std::function<double(const CaseResult&)>& get) {
    std::vector<double> values;
    for (const CaseResult* r : runs) values.push_back(get(*r));
    return MedianOf(std::move(values));
  };
  auto optional_median =
      [&](std::optional<double> CaseResult::*field) -> std::optional<double> {
    std::vector<double> values;
    for (const CaseResult* r : runs) {
      if (r->*field) values.push_back(*(r->*field));
    }
    if (values.empty()) return std::nullopt;
    return MedianOf(std::move(values));
  };
  CaseResult m{.case_name = case_name, .server = server};
  m.msgs_per_s = median([](const CaseResult& r) { return r.msgs_per_s; });
  m.mb_per_s = median([](const CaseResult& r) { return r.mb_per_s; });
  m.server_cpu_s_per_m =
      median([](const CaseResult& r) { return r.server_cpu_s_per_m; });
  m.client_cpu_s_per_m =
      median([](const CaseResult& r) { return r.client_cpu_s_per_m; });
  m.p50_us = optional_median(&CaseResult::p50_us);
  m.p99_us = optional_median(&CaseResult::p99_us);
  m.p999_us = optional_median(&CaseResult::p999_us);
  m.lost = static_cast<int64_t>(
      median([](const CaseResult& r) { return static_cast<double>(r.lost); }));
  return m;
}

std::optional<CaseResult> ResultBook::Reference(
    const std::string& case_name) const {
  return Median(case_name, reference_);
}

void ResultBook::PrintSummary(std::FILE* out) const {
  if (results_.empty()) return;
  std::vector<std::string> cases, servers;
  for (const CaseResult& r : results_) {
    if (std::find(cases.begin(), cases.end(), r.case_name) == cases.end()) {
      cases.push_back(r.case_name);
    }
    if (std::find(servers.begin(), servers.end(), r.server) == servers.end()) {
      servers.push_back(r.server);
    }
  }
  constexpr const char* kRow =
      "{:<34} {:<10} {:>11} {:>8} {:>11} {:>11} {:>8} {:>8} {:>8} {:>7}\n";
  fmt::print(out,
             "\nwire_bench summary (medians over repetitions; CPU in seconds "
             "per million messages; ratio rows: server / {}; /Floor rows: "
             "server CPU / the physical floor's)\n",
             reference_);
  fmt::print(out, kRow, "case", "server", "msgs/s", "MB/s", "srv CPU/M",
             "cli CPU/M", "p50 us", "p99 us", "p999 us", "lost");
  for (const std::string& case_name : cases) {
    const std::optional<CaseResult> reference = Reference(case_name);
    for (const std::string& server : servers) {
      const std::optional<CaseResult> m = Median(case_name, server);
      if (!m) continue;
      fmt::print(out, kRow, case_name, server, Figure(m->msgs_per_s, 0),
                 Figure(m->mb_per_s, 1), Figure(m->server_cpu_s_per_m, 3),
                 Figure(m->client_cpu_s_per_m, 3), Optional(m->p50_us),
                 Optional(m->p99_us), Optional(m->p999_us), m->lost);
      // Against the physical floor, where the case has one.
      if (!IsFloor(server)) {
        for (const char* floor : {"Floor", "FloorFile"}) {
          const std::optional<CaseResult> f = Median(case_name, floor);
          if (!f) continue;
          fmt::print(out, kRow, "", fmt::format("/{}", floor), "", "",
                     Ratio(m->server_cpu_s_per_m, f->server_cpu_s_per_m), "",
                     "", "", "", "");
        }
      }
      if (server == reference_ || !reference) continue;
      fmt::print(out, kRow, "", "ratio",
                 Ratio(m->msgs_per_s, reference->msgs_per_s),
                 Ratio(m->mb_per_s, reference->mb_per_s),
                 Ratio(m->server_cpu_s_per_m, reference->server_cpu_s_per_m),
                 Ratio(m->client_cpu_s_per_m, reference->client_cpu_s_per_m),
                 Ratio(m->p50_us, reference->p50_us),
                 Ratio(m->p99_us, reference->p99_us),
                 Ratio(m->p999_us, reference->p999_us), "");
    }
  }
  std::fflush(out);
}

}  // namespace rill::wire_bench
