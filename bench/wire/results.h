// What each wire_bench case measured, kept for the ratios against the
// reference server and the summary table printed after the run.
#ifndef RILL_BENCH_WIRE_RESULTS_H_
#define RILL_BENCH_WIRE_RESULTS_H_

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace rill::wire_bench {

// CaseResult is one run of one case against one server.
struct CaseResult {
  // The case without its server: "Produce/record_bytes:100".
  // Default: none (required).
  std::string case_name;
  // The server's WireServer::name: "Mock".
  // Default: none (required).
  std::string server;
  // Messages (and payload bytes, 10^6 to the MB) per second of real time.
  // Default: 0.
  double msgs_per_s = 0;
  double mb_per_s = 0;
  // CPU seconds (user + system) per million messages: the server's, and
  // this process's (the librdkafka clients) for context.
  // Default: 0.
  double server_cpu_s_per_m = 0;
  double client_cpu_s_per_m = 0;
  // Produce-to-consume latency percentiles in microseconds (latency cases).
  // Default: none.
  std::optional<double> p50_us = std::nullopt;
  std::optional<double> p99_us = std::nullopt;
  std::optional<double> p999_us = std::nullopt;
  // Messages produced but never consumed (gaps in the offsets the consumer
  // saw, or missing at the deadline).
  // Default: 0.
  int64_t lost = 0;
};

// ResultBook collects CaseResults in the order the cases ran. Not
// thread-safe: the benchmark thread uses it.
class ResultBook {
 public:
  explicit ResultBook(std::string reference_server)
      : reference_(std::move(reference_server)) {}

  void Add(CaseResult result) { results_.push_back(std::move(result)); }

  // Reference is the median, over the runs so far, of the reference
  // server's results for `case_name` (none if it has not run).
  std::optional<CaseResult> Reference(const std::string& case_name) const;

  // PrintSummary writes one row per (case, server), medians over
  // repetitions, and for every other server a row of ratios to the
  // reference. Prints nothing when no case ran.
  void PrintSummary(std::FILE* out) const;

 private:
  // Median of every figure over the runs of (case_name, server).
  std::optional<CaseResult> Median(const std::string& case_name,
                                   const std::string& server) const;

  const std::string reference_;
  std::vector<CaseResult> results_;
};

}  // namespace rill::wire_bench

#endif  // RILL_BENCH_WIRE_RESULTS_H_
