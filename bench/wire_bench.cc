// Loopback benchmark of Kafka servers driven by librdkafka: rill-server
// beside librdkafka's mock cluster (the reference), in the same run, so the
// results read as ratios:
//
//   BM_WireProduce_<Server>/record_bytes:R         R = 100 (2 M messages),
//                                                  1024 (500 k messages)
//   BM_WireProduceConsume_<Server>/record_bytes:R  the same, consumed back
//                                                  while they are produced
//   BM_WireLatency_<Server>/rate:N                 produce->consume at N/s
//   BM_WireFloor/record_bytes:R                    the physical floor under
//                                                  a produce case
//
// Each server runs as a process of its own (bench/wire/servers.h), started
// the first time a case needs it and kept for the run; its CPU time (the
// process's CPU clock, as /proc/<pid>/stat's utime + stime) is read around
// each measured phase, so the clients' CPU is not counted. Each server's
// case runs right after the mock's and carries ratio counters against it
// (rate_vs_mock, cpu_vs_mock, p99_vs_mock); a summary table follows the run.
//
// Why consume while producing: the mock keeps only a partition's newest
// 5 MiB, so it cannot serve 200 MB back from the start; the producer stays
// at most 3 MiB ahead of the consumer. Latency percentiles are over the
// messages that arrived; `lost` counts those that did not (the mock drops
// them at 100 k/s). Server CPU is per million messages sent.
//
// Sizes, for a quick smoke run (flag, or environment variable):
//   --wire_messages_100b=N    RILL_WIRE_MESSAGES_100B    default 2000000
//   --wire_messages_1kib=N    RILL_WIRE_MESSAGES_1KIB    default 500000
//   --wire_latency_seconds=S  RILL_WIRE_LATENCY_SECONDS  default 10
// Servers: RILL_WIRE_MOCK_SERVER, RILL_WIRE_RILL_SERVER (paths; default:
// the binaries the build made). Scratch files: under $RILL_BENCH_DIR (/tmp).
//
//   ./build/bench/wire_bench
//   ./build/bench/wire_bench --benchmark_filter=Mock --wire_messages_100b=1e5
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "wire/floor.h"
#include "wire/kafka_clients.h"
#include "wire/meter.h"
#include "wire/results.h"
#include "wire/servers.h"
#include "wire/sessions.h"

namespace rill::wire_bench {
namespace {

// Sizes is how much each case sends.
struct Sizes {
  // Messages per run of the 100 B and the 1 KiB throughput cases.
  // Default: 2,000,000 and 500,000 (issue 4).
  int64_t messages_100b = 2'000'000;
  int64_t messages_1kib = 500'000;
  // Seconds each latency case sends for.
  // Default: 10.
  double latency_seconds = 10;
};

// The process-wide state of the benchmark binary, set up by main().
Sizes g_sizes;
RunningServers* g_servers = nullptr;
ResultBook* g_results = nullptr;

constexpr int64_t kLatencyRates[] = {10'000, 100'000};
// The producer of a ProduceConsume case stays at most this many payload
// bytes ahead of the consumer: the mock keeps only a partition's newest
// 5 MiB, and a consumer that falls further behind would lose messages.
constexpr int64_t kProduceAheadBytes = 3 << 20;
// How long a case may wait for the last message before it gives up.
constexpr absl::Duration kDrainTimeout = absl::Seconds(10);
constexpr absl::Duration kCaseTimeout = absl::Seconds(600);

std::string ProduceTopic(int64_t record_bytes) {
  return "produce-" + std::to_string(record_bytes);
}
std::string PairTopic(int64_t record_bytes) {
  return "pair-" + std::to_string(record_bytes);
}
std::string LatencyTopic(int64_t rate) {
  return "latency-" + std::to_string(rate);
}

std::vector<std::string> AllTopics() {
  std::vector<std::string> topics;
  for (int64_t bytes : {100, 1024}) {
    topics.push_back(ProduceTopic(bytes));
    topics.push_back(PairTopic(bytes));
  }
  for (int64_t rate : kLatencyRates) topics.push_back(LatencyTopic(rate));
  return topics;
}

// Report sets the case's counters, records its result and, for a server
// other than the reference, adds ratios to the reference's result.
void Report(benchmark::State& state, CaseResult result, const Meter& meter,
            int64_t messages, int64_t record_bytes) {
  const double millions = messages / 1e6;
  result.msgs_per_s = messages / meter.seconds();
  result.mb_per_s = messages * record_bytes / 1e6 / meter.seconds();
  result.server_cpu_s_per_m = meter.server_cpu() / millions;
  result.client_cpu_s_per_m = meter.client_cpu() / millions;
  state.SetItemsProcessed(messages);
  state.SetBytesProcessed(messages * record_bytes);
  state.counters["msgs_per_s"] = result.msgs_per_s;
  state.counters["MB_per_s"] = result.mb_per_s;
  state.counters["server_cpu_s_per_M"] = result.server_cpu_s_per_m;
  state.counters["client_cpu_s_per_M"] = result.client_cpu_s_per_m;
  state.counters["lost"] = static_cast<double>(result.lost);
  if (result.p50_us) {
    state.counters["p50_us"] = *result.p50_us;
    state.counters["p99_us"] = *result.p99_us;
    state.counters["p999_us"] = *result.p999_us;
  }
  if (std::optional<CaseResult> ref = g_results->Reference(result.case_name);
      ref && ref->server != result.server) {
    auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
    state.counters["rate_vs_mock"] = ratio(result.msgs_per_s, ref->msgs_per_s);
    state.counters["cpu_vs_mock"] =
        ratio(result.server_cpu_s_per_m, ref->server_cpu_s_per_m);
    if (result.p99_us && ref->p99_us) {
      state.counters["p99_vs_mock"] = ratio(*result.p99_us, *ref->p99_us);
    }
  }
  g_results->Add(std::move(result));
}

int64_t ThroughputMessages(int64_t record_bytes) {
  return record_bytes <= 100 ? g_sizes.messages_100b : g_sizes.messages_1kib;
}

absl::StatusOr<ServerProcess*> Server(const WireServer& server) {
  return g_servers->Get(server);
}

#define WIRE_CHECK(state, expr)                               \
  do {                                                        \
    const absl::Status wire_status_ = (expr);                 \
    if (!wire_status_.ok()) {                                 \
      (state).SkipWithError(wire_status_.ToString().c_str()); \
      return;                                                 \
    }                                                         \
  } while (false)

// Produces the case's messages (librdkafka's default producer settings:
// acks=all, linger.ms=5, batches of up to 10,000 messages / 1 MB) and
// flushes.
void BM_WireProduce(benchmark::State& state, const WireServer& spec) {
  const int64_t record_bytes = state.range(0);
  const int64_t messages = ThroughputMessages(record_bytes);
  absl::StatusOr<ServerProcess*> server = Server(spec);
  WIRE_CHECK(state, server.status());
  ProducerSession c;
  WIRE_CHECK(state, OpenProducer((*server)->bootstrap(),
                                 ProduceTopic(record_bytes), {}, c));
  const std::string value(record_bytes, 'v');
  Meter meter(**server);
  for (auto _ : state) {
    meter.Start();
    for (int64_t i = 0; i < messages; ++i) {
      WIRE_CHECK(state, ProduceOne(c.producer.get(), c.topic, value.data(),
                                   value.size(), /*copy=*/false));
      if ((i & 1023) == 0) rd_kafka_poll(c.producer.get(), 0);
    }
    WIRE_CHECK(state, Flush(c.producer.get(), c.counts, kCaseTimeout));
    meter.Stop();
  }
  Report(state,
         {.case_name = "Produce/record_bytes:" + std::to_string(record_bytes),
          .server = spec.name},
         meter, messages, record_bytes);
}

// A producer thread sends the case's messages while this thread consumes
// them; done when the consumer has them all. The consumer's
// fetch.wait.max.ms is 10 ms, not 500: the mock answers an empty fetch only
// after the full wait, which would stall this case every time the consumer
// catches up with the producer (BM_WireLatency measures the long poll).
void BM_WireProduceConsume(benchmark::State& state, const WireServer& spec) {
  const int64_t record_bytes = state.range(0);
  const int64_t messages = ThroughputMessages(record_bytes);
  const int64_t ahead_limit = kProduceAheadBytes / record_bytes;
  absl::StatusOr<ServerProcess*> server = Server(spec);
  WIRE_CHECK(state, server.status());
  const std::string topic = PairTopic(record_bytes);
  ProducerSession c;
  WIRE_CHECK(state, OpenProducer((*server)->bootstrap(), topic, {}, c));
  KafkaClient consumer;
  absl::StatusOr<int64_t> start = OpenCaughtUpConsumer(
      (*server)->bootstrap(), topic, {{"fetch.wait.max.ms", "10"}}, consumer);
  WIRE_CHECK(state, start.status());
  const std::string value(record_bytes, 'v');
  OffsetTracker tracker{.next = *start, .end = *start + messages};
  Meter meter(**server);
  for (auto _ : state) {
    std::atomic<int64_t> consumed{0};
    // Set by the consumer when it gives up, and by the sender when it fails.
    std::atomic<bool> consumer_gone{false}, sender_failed{false};
    absl::Status produced;
    meter.Start();
    std::thread sender([&] {
      for (int64_t i = 0; i < messages && produced.ok(); ++i) {
        while (i - consumed.load(std::memory_order_relaxed) > ahead_limit &&
               !consumer_gone.load(std::memory_order_relaxed)) {
          rd_kafka_poll(c.producer.get(), 1);
        }
        produced = ProduceOne(c.producer.get(), c.topic, value.data(),
                              value.size(), /*copy=*/false);
        if ((i & 1023) == 0) rd_kafka_poll(c.producer.get(), 0);
      }
      if (produced.ok()) {
        produced = Flush(c.producer.get(), c.counts, kCaseTimeout);
      }
      if (!produced.ok()) sender_failed = true;
    });
    const absl::Time deadline = absl::Now() + kCaseTimeout;
    while (!tracker.done() && !sender_failed && absl::Now() < deadline) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer.get(), 100);
      if (m == nullptr) continue;
      if (tracker.Take(*m)) {
        benchmark::DoNotOptimize(m->payload);
        consumed.store(tracker.received + tracker.lost,
                       std::memory_order_relaxed);
      }
      rd_kafka_message_destroy(m);
    }
    consumer_gone = true;
    sender.join();
    meter.Stop();
    WIRE_CHECK(state, produced);
    if (!tracker.done()) {
      state.SkipWithError("consumer did not reach the last message in time");
      return;
    }
  }
  Report(state,
         {.case_name =
              "ProduceConsume/record_bytes:" + std::to_string(record_bytes),
          .server = spec.name,
          .lost = tracker.lost},
         meter, messages, record_bytes);
}

// The floor under a produce case (wire/floor.h): the CPU time this machine
// needs to receive the case's payload bytes over loopback TCP, verify a
// CRC-32C over them and copy them into warm memory ("Floor", under an
// in-memory broker), or append them to a file beside rill's data instead
// ("FloorFile", under a durable one). Protocol bytes are left out, so the
// true floor is a little higher. Reported as two servers of the Produce
// case, so the summary shows each server against them and them against
// the mock: a target below the floor is out of reach for any broker.
void BM_WireFloor(benchmark::State& state) {
  const int64_t record_bytes = state.range(0);
  const int64_t messages = ThroughputMessages(record_bytes);
  const int64_t bytes = messages * record_bytes;
  absl::StatusOr<std::string> dir = g_servers->ScratchDir();
  WIRE_CHECK(state, dir.status());
  double receive = 0, receive_and_append = 0;
  for (auto _ : state) {
    absl::StatusOr<double> cpu = ReceiveCpuSeconds(
        {.bytes = bytes, .chunk_bytes = 1 << 20, .append_to = ""});
    WIRE_CHECK(state, cpu.status());
    receive = *cpu;
    cpu = ReceiveCpuSeconds({.bytes = bytes,
                             .chunk_bytes = 1 << 20,
                             .append_to = *dir + "/floor.log"});
    WIRE_CHECK(state, cpu.status());
    receive_and_append = *cpu;
  }
  const std::string case_name =
      "Produce/record_bytes:" + std::to_string(record_bytes);
  const double millions = messages / 1e6;
  state.counters["floor_cpu_s_per_M"] = receive / millions;
  state.counters["floor_file_cpu_s_per_M"] = receive_and_append / millions;
  for (auto [server, cpu] : {std::pair{"Floor", receive},
                             std::pair{"FloorFile", receive_and_append}}) {
    g_results->Add({.case_name = case_name,
                    .server = server,
                    .server_cpu_s_per_m = cpu / millions});
  }
}

// A latency message is 100 B: when it was handed to the producer (steady
// clock, ns), its sequence number, then padding.
constexpr size_t kLatencyMessageBytes = 100;

// A producer thread sends 100 B messages at `rate` per second (linger.ms=0;
// it sleeps until each is due) for the case's duration; this thread
// consumes them with librdkafka's default fetch.wait.max.ms (500 ms) and
// records arrival - send for each.
void BM_WireLatency(benchmark::State& state, const WireServer& spec) {
  const int64_t rate = state.range(0);
  const int64_t messages = std::max<int64_t>(
      1, static_cast<int64_t>(rate * g_sizes.latency_seconds));
  absl::StatusOr<ServerProcess*> server = Server(spec);
  WIRE_CHECK(state, server.status());
  const std::string topic = LatencyTopic(rate);
  ProducerSession c;
  WIRE_CHECK(state, OpenProducer((*server)->bootstrap(), topic,
                                 {{"linger.ms", "0"}}, c));
  KafkaClient consumer;
  absl::StatusOr<int64_t> start =
      OpenCaughtUpConsumer((*server)->bootstrap(), topic, {}, consumer);
  WIRE_CHECK(state, start.status());
  OffsetTracker tracker{.next = *start, .end = *start + messages};
  std::vector<int64_t> latencies_ns;
  latencies_ns.reserve(messages);
  Meter meter(**server);
  for (auto _ : state) {
    std::atomic<int64_t> sent_at_end_ns{0};
    absl::Status produced;
    meter.Start();
    const int64_t first_due = NowNs();
    std::thread sender([&] {
      char payload[kLatencyMessageBytes] = {};
      for (int64_t i = 0; i < messages && produced.ok(); ++i) {
        const int64_t due = first_due + i * 1'000'000'000 / rate;
        if (NowNs() < due) {
          std::this_thread::sleep_until(std::chrono::steady_clock::time_point(
              std::chrono::nanoseconds(due)));
        }
        const int64_t sent_ns = NowNs();
        std::memcpy(payload, &sent_ns, sizeof(sent_ns));
        std::memcpy(payload + sizeof(sent_ns), &i, sizeof(i));
        produced = ProduceOne(c.producer.get(), c.topic, payload,
                              sizeof(payload), /*copy=*/true);
        rd_kafka_poll(c.producer.get(), 0);
      }
      sent_at_end_ns = NowNs();
      if (produced.ok()) {
        produced = Flush(c.producer.get(), c.counts, kCaseTimeout);
      }
    });
    const absl::Time deadline = absl::Now() + kCaseTimeout;
    while (!tracker.done() && absl::Now() < deadline) {
      const int64_t sent_all = sent_at_end_ns.load();
      if (sent_all != 0 &&
          NowNs() - sent_all > absl::ToInt64Nanoseconds(kDrainTimeout)) {
        break;
      }
      rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer.get(), 100);
      if (m == nullptr) continue;
      const int64_t now = NowNs();
      if (tracker.Take(*m) && m->len == kLatencyMessageBytes) {
        int64_t sent_ns;
        std::memcpy(&sent_ns, m->payload, sizeof(sent_ns));
        latencies_ns.push_back(now - sent_ns);
      }
      rd_kafka_message_destroy(m);
    }
    sender.join();
    meter.Stop();
    WIRE_CHECK(state, produced);
    // Whether the sender kept the pace (it falls behind when starved of CPU).
    state.counters["sent_per_s"] =
        messages / ((sent_at_end_ns.load() - first_due) / 1e9);
  }
  std::sort(latencies_ns.begin(), latencies_ns.end());
  auto percentile_us = [&](double q) -> double {
    if (latencies_ns.empty()) return 0;
    const size_t i = std::min(latencies_ns.size() - 1,
                              static_cast<size_t>(q * latencies_ns.size()));
    return latencies_ns[i] / 1e3;
  };
  CaseResult result{
      .case_name = "Latency/rate:" + std::to_string(rate),
      .server = spec.name,
      .p50_us = percentile_us(0.5),
      .p99_us = percentile_us(0.99),
      .p999_us = percentile_us(0.999),
      .lost = messages - static_cast<int64_t>(latencies_ns.size())};
  // Per message sent: the server handled each, consumed or not.
  Report(state, std::move(result), meter, messages, kLatencyMessageBytes);
}

// Registers every case for every server, each server's case right after
// the reference's, so the ratio counters can use it.
void RegisterAll(const std::vector<WireServer>& servers) {
  using Case = void (*)(benchmark::State&, const WireServer&);
  struct Family {
    const char* name;
    Case run;
    const char* arg_name;
    std::vector<int64_t> args;
  };
  const Family families[] = {
      {"BM_WireProduce", BM_WireProduce, "record_bytes", {100, 1024}},
      {"BM_WireProduceConsume",
       BM_WireProduceConsume,
       "record_bytes",
       {100, 1024}},
      {"BM_WireLatency",
       BM_WireLatency,
       "rate",
       {std::begin(kLatencyRates), std::end(kLatencyRates)}},
  };
  for (const Family& family : families) {
    for (int64_t arg : family.args) {
      for (const WireServer& server : servers) {
        const std::string name = std::string(family.name) + "_" + server.name;
        benchmark::RegisterBenchmark(
            name.c_str(), [run = family.run, server](
                              benchmark::State& state) { run(state, server); })
            ->ArgName(family.arg_name)
            ->Arg(arg)
            ->Iterations(1)
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond);
      }
      if (family.run == BM_WireProduce) {
        benchmark::RegisterBenchmark("BM_WireFloor", BM_WireFloor)
            ->ArgName(family.arg_name)
            ->Arg(arg)
            ->Iterations(1)
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond);
      }
    }
  }
}

// TakeFlag removes --<name>=<value> from argv, if present, into `value`.
bool TakeFlag(int& argc, char** argv, std::string_view name,
              std::string& value) {
  const std::string prefix = "--" + std::string(name) + "=";
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]).substr(0, prefix.size()) == prefix) {
      value = argv[i] + prefix.size();
      std::copy(argv + i + 1, argv + argc + 1, argv + i);
      --argc;
      return true;
    }
  }
  return false;
}

// Reads the sizes from the environment, then from flags (which win).
Sizes ParseSizes(int& argc, char** argv) {
  Sizes sizes;
  auto read = [&](const char* env, std::string_view flag, auto& field) {
    std::string value;
    if (const char* from_env = std::getenv(env)) value = from_env;
    TakeFlag(argc, argv, flag, value);
    if (!value.empty()) {
      field = static_cast<std::decay_t<decltype(field)>>(std::stod(value));
    }
  };
  read("RILL_WIRE_MESSAGES_100B", "wire_messages_100b", sizes.messages_100b);
  read("RILL_WIRE_MESSAGES_1KIB", "wire_messages_1kib", sizes.messages_1kib);
  read("RILL_WIRE_LATENCY_SECONDS", "wire_latency_seconds",
       sizes.latency_seconds);
  return sizes;
}

}  // namespace
}  // namespace rill::wire_bench

int main(int argc, char** argv) {
  using namespace rill::wire_bench;
  g_sizes = ParseSizes(argc, argv);
  // The summary goes where the console reporter writes, unless the
  // benchmark output is JSON or CSV: then to stderr, to keep that parseable.
  bool console = true;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--benchmark_format=") &&
        arg != "--benchmark_format=console") {
      console = false;
    }
  }
  const std::vector<WireServer> servers = WireServers();
  RegisterAll(servers);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RunningServers running(AllTopics());
  ResultBook results(servers.front().name);
  g_servers = &running;
  g_results = &results;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  results.PrintSummary(console ? stdout : stderr);
  const absl::Status stopped = running.StopAll();
  if (!stopped.ok()) {
    std::fprintf(stderr, "stopping the servers: %s\n",
                 stopped.ToString().c_str());
    return 1;
  }
  return 0;
}
