// Benchmarks of the in-process path: Producer -> Broker -> Consumer, and
// consumer-group rebalances, each beside a physical limit measured in the
// same run (see bench/README.md):
//
//   BM_InProcessProduceConsume/record_bytes:R/on_disk:D  vs
//   BM_MemcpyReference/R BM_InProcessLatency (100 k records/s; p50 / p99
//   produce->consume, us) BM_GroupJoin/members:N            (time until every
//   member is assigned) BM_GroupRebalanceAfterLeave/members:N (a member leaves
//   until all settle)
//
//   ./build/bench/client_bench --benchmark_filter=BM_InProcessProduceConsume
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "rill/broker/broker.h"
#include "rill/client/consumer.h"
#include "rill/client/producer.h"

namespace rill {
namespace {

// Debian builds Abseil without NDEBUG, which leaves absl::Mutex's deadlock
// detector on: a global graph update on every lock. Production binaries turn
// it off (rill-server does); so do these benchmarks.
const bool kDeadlockDetectionOff = [] {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return true;
}();

using SteadyClock = std::chrono::steady_clock;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             SteadyClock::now().time_since_epoch())
      .count();
}

void Check(const absl::Status& status, const char* what) {
  if (!status.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, status.ToString().c_str());
    std::abort();
  }
}

template <typename T>
T Value(absl::StatusOr<T> value, const char* what) {
  Check(value.status(), what);
  return *std::move(value);
}

// BenchBroker is a broker in memory or in a scratch directory (page cache,
// no fsync), with one topic whose old segments retention drops as the
// benchmark runs (checked every 100 ms), so memory stays bounded: a sustained
// stream, not a growing heap.
struct BenchBroker {
  explicit BenchBroker(bool on_disk, int32_t partitions = 1) {
    BrokerOptions options;
    options.group.group_initial_rebalance_delay_ms = 0;
    options.group.group_min_session_timeout_ms = 1;
    options.maintenance_interval_ms = 100;
    if (on_disk) {
      const char* env = std::getenv("RILL_BENCH_DIR");
      dir = std::filesystem::path(env && *env ? env : "/tmp") /
            ("rill-client-bench-" + std::to_string(::getpid()));
      std::filesystem::remove_all(dir);
      options.data_dir = dir.string();
    }
    broker = Value(Broker::Open(options), "open broker");
    Check(broker->CreateTopic({.name = "bench",
                               .num_partitions = partitions,
                               // Records carry a fixed, old timestamp:
                               // retention is by size only.
                               .configs = {{"segment.bytes", "8388608"},
                                           {"retention.bytes", "67108864"},
                                           {"retention.ms", "-1"}}}),
          "create topic");
  }
  ~BenchBroker() {
    (void)broker->Close();
    broker.reset();
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  std::unique_ptr<Broker> broker;
};

const TopicPartition kBench{"bench", PartitionId(0)};

// NewThroughputProducer is the producer every throughput benchmark uses.
std::unique_ptr<Producer> NewThroughputProducer(Broker& broker) {
  return Value(
      Producer::Create(broker, {.batch_size = 256 << 10, .linger_ms = 5}),
      "producer");
}

// SendAndFlush sends `count` records of `value` to partition 0 of "bench"
// (a fixed, old timestamp: no clock read per record) and flushes.
void SendAndFlush(Producer& producer, int64_t count, const std::string& value) {
  for (int64_t i = 0; i < count; ++i) {
    Check(producer.Send({.topic = "bench",
                         .partition = PartitionId(0),
                         .value = value,
                         .timestamp_ms = 1'700'000'000'000}),
          "send");
  }
  Check(producer.Flush(), "flush");
}

// One producer thread sends records_per_iteration records while the
// benchmark thread consumes them; an iteration ends when the consumer has
// them all.
void BM_InProcessProduceConsume(benchmark::State& state) {
  const size_t record_bytes = static_cast<size_t>(state.range(0));
  const bool on_disk = state.range(1) != 0;
  const int64_t records_per_iteration =
      record_bytes <= 100 ? 2'000'000 : 400'000;
  BenchBroker bench(on_disk);
  auto producer = NewThroughputProducer(*bench.broker);
  auto consumer =
      Value(Consumer::Create(*bench.broker, {.enable_auto_commit = false,
                                             .max_poll_records = 100'000}),
            "consumer");
  Check(consumer->Assign({kBench}), "assign");
  const std::string value(record_bytes, 'v');

  int64_t consumed_total = 0;
  for (auto _ : state) {
    std::thread sender(
        [&] { SendAndFlush(*producer, records_per_iteration, value); });
    int64_t consumed = 0;
    const auto deadline = SteadyClock::now() + std::chrono::seconds(60);
    while (consumed < records_per_iteration) {
      if (SteadyClock::now() > deadline) {
        // E.g. retention deleted records before the consumer got to them.
        std::fprintf(stderr, "consumed %lld of %lld records in 60 s\n",
                     static_cast<long long>(consumed),
                     static_cast<long long>(records_per_iteration));
        std::abort();
      }
      ConsumerRecords records = Value(consumer->Poll(1'000), "poll");
      for (const ConsumerRecord& r : records) {
        benchmark::DoNotOptimize(r.value->data());
      }
      consumed += static_cast<int64_t>(records.size());
    }
    sender.join();
    consumed_total += consumed;
  }
  state.SetItemsProcessed(consumed_total);
  state.SetBytesProcessed(consumed_total * static_cast<int64_t>(record_bytes));
  (void)consumer->Close();
  (void)producer->Close();
}
BENCHMARK(BM_InProcessProduceConsume)
    ->ArgNames({"record_bytes", "on_disk"})
    ->Args({100, 0})
    ->Args({1024, 0})
    ->Args({100, 1})
    ->Args({1024, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The two halves alone, to see which one bounds the pair: the producer
// sending into the broker, and the consumer reading what is already there.
void BM_InProcessProduceOnly(benchmark::State& state) {
  const size_t record_bytes = static_cast<size_t>(state.range(0));
  BenchBroker bench(/*on_disk=*/false);
  auto producer = NewThroughputProducer(*bench.broker);
  const std::string value(record_bytes, 'v');
  constexpr int64_t kRecords = 1'000'000;
  for (auto _ : state) SendAndFlush(*producer, kRecords, value);
  state.SetItemsProcessed(state.iterations() * kRecords);
  (void)producer->Close();
}
BENCHMARK(BM_InProcessProduceOnly)
    ->ArgName("record_bytes")
    ->Arg(100)
    ->Unit(benchmark::kMillisecond);

void BM_InProcessConsumeOnly(benchmark::State& state) {
  const size_t record_bytes = static_cast<size_t>(state.range(0));
  BenchBroker bench(/*on_disk=*/false);
  // Within the topic's retention.bytes, so every iteration reads them all.
  constexpr int64_t kRecords = 400'000;
  {
    auto producer = NewThroughputProducer(*bench.broker);
    SendAndFlush(*producer, kRecords, std::string(record_bytes, 'v'));
    Check(producer->Close(), "close");
  }
  auto consumer =
      Value(Consumer::Create(*bench.broker, {.enable_auto_commit = false,
                                             .max_poll_records = 100'000}),
            "consumer");
  Check(consumer->Assign({kBench}), "assign");
  for (auto _ : state) {
    Check(consumer->SeekToBeginning({kBench}), "seek");
    int64_t consumed = 0;
    while (consumed < kRecords) {
      ConsumerRecords records = Value(consumer->Poll(1'000), "poll");
      for (const ConsumerRecord& r : records) {
        benchmark::DoNotOptimize(r.value->data());
      }
      consumed += static_cast<int64_t>(records.size());
    }
  }
  state.SetItemsProcessed(state.iterations() * kRecords);
  (void)consumer->Close();
}
BENCHMARK(BM_InProcessConsumeOnly)
    ->ArgName("record_bytes")
    ->Arg(100)
    ->Unit(benchmark::kMillisecond);

// The physical limit: memcpy of the same record bytes, once each.
void BM_MemcpyReference(benchmark::State& state) {
  const size_t record_bytes = static_cast<size_t>(state.range(0));
  constexpr size_t kChunk = 1 << 20;
  const size_t per_chunk = kChunk / record_bytes;
  std::vector<char> from(kChunk, 'v'), to(kChunk);
  int64_t records = 0;
  for (auto _ : state) {
    std::memcpy(to.data(), from.data(), per_chunk * record_bytes);
    benchmark::ClobberMemory();
    records += static_cast<int64_t>(per_chunk);
  }
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(records * static_cast<int64_t>(record_bytes));
}
BENCHMARK(BM_MemcpyReference)->ArgName("record_bytes")->Arg(100)->Arg(1024);

// Paced at 100 k records/s with linger.ms=0; each value starts with its send
// time, and the consumer records how long each took to arrive.
void BM_InProcessLatency(benchmark::State& state) {
  constexpr int64_t kRate = 100'000;
  constexpr int64_t kRecords = 200'000;  // 2 s per iteration
  BenchBroker bench(/*on_disk=*/false);
  auto producer =
      Value(Producer::Create(*bench.broker, {.linger_ms = 0}), "producer");
  auto consumer = Value(
      Consumer::Create(*bench.broker,
                       {.enable_auto_commit = false, .fetch_max_wait_ms = 500}),
      "consumer");
  Check(consumer->Assign({kBench}), "assign");
  Check(consumer->SeekToEnd({kBench}), "seek");
  std::vector<int64_t> latencies_ns;
  latencies_ns.reserve(kRecords);
  for (auto _ : state) {
    latencies_ns.clear();
    std::thread sender([&] {
      std::string value(100, 'v');
      const int64_t start = NowNs();
      for (int64_t i = 0; i < kRecords; ++i) {
        // Paced by sleeping to each record's due time (the kernel wakes
        // us late by tens of microseconds; records then go out back to
        // back): a spinning sender would take a whole core of two from the
        // broker's own threads.
        const int64_t due = start + i * (1'000'000'000 / kRate);
        if (NowNs() < due) {
          std::this_thread::sleep_until(
              SteadyClock::time_point(std::chrono::nanoseconds(due)));
        }
        const int64_t sent = NowNs();
        std::memcpy(value.data(), &sent, sizeof(sent));
        Check(producer->Send({.topic = "bench",
                              .partition = PartitionId(0),
                              .value = value,
                              .timestamp_ms = 1'700'000'000'000}),
              "send");
      }
    });
    while (static_cast<int64_t>(latencies_ns.size()) < kRecords) {
      ConsumerRecords records = Value(consumer->Poll(1'000), "poll");
      const int64_t now = NowNs();
      for (const ConsumerRecord& r : records) {
        int64_t sent;
        std::memcpy(&sent, r.value->data(), sizeof(sent));
        latencies_ns.push_back(now - sent);
      }
    }
    sender.join();
  }
  std::sort(latencies_ns.begin(), latencies_ns.end());
  state.counters["p50_us"] = latencies_ns[latencies_ns.size() / 2] / 1e3;
  state.counters["p99_us"] = latencies_ns[latencies_ns.size() * 99 / 100] / 1e3;
  state.counters["max_us"] = latencies_ns.back() / 1e3;
  state.SetItemsProcessed(state.iterations() * kRecords);
  (void)consumer->Close();
  (void)producer->Close();
}
BENCHMARK(BM_InProcessLatency)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

// GroupMember polls its consumer on a thread of its own until told to stop.
class GroupMember {
 public:
  GroupMember(Broker& broker, int index)
      : consumer_(Value(
            Consumer::Create(broker, {.group_id = "bench-group",
                                      .client_id = "m" + std::to_string(index),
                                      .session_timeout_ms = 30'000,
                                      .heartbeat_interval_ms = 1'000}),
            "consumer")) {
    Check(consumer_->Subscribe({"bench"}), "subscribe");
    thread_ = std::thread([this] {
      while (!stop_) {
        (void)consumer_->Poll(5);
        generation_ = consumer_->generation_id();
        assigned_ = static_cast<int>(consumer_->Assignment().size());
      }
      (void)consumer_->Close();
    });
  }
  ~GroupMember() {
    stop_ = true;
    consumer_->Wakeup();
    thread_.join();
  }
  int generation() const { return generation_; }
  int assigned() const { return assigned_; }

 private:
  std::unique_ptr<Consumer> consumer_;
  std::atomic<bool> stop_{false};
  std::atomic<int> generation_{-1};
  std::atomic<int> assigned_{0};
  std::thread thread_;
};

// Settled: every member is in generation >= `generation` and the group's
// partitions are all assigned.
bool Settled(const std::vector<std::unique_ptr<GroupMember>>& members,
             int generation, int partitions) {
  int assigned = 0;
  for (const auto& m : members) {
    if (m->generation() < generation) return false;
    assigned += m->assigned();
  }
  return assigned == partitions;
}

void WaitSettled(const std::vector<std::unique_ptr<GroupMember>>& members,
                 int generation, int partitions) {
  const auto deadline = SteadyClock::now() + std::chrono::seconds(30);
  while (!Settled(members, generation, partitions)) {
    if (SteadyClock::now() > deadline) {
      std::fprintf(stderr, "group did not settle\n");
      std::abort();
    }
    std::this_thread::yield();
  }
}

// Members are created and subscribe; the time until all are assigned.
void BM_GroupJoin(benchmark::State& state) {
  const int members = static_cast<int>(state.range(0));
  BenchBroker bench(/*on_disk=*/false, /*partitions=*/10);
  for (auto _ : state) {
    const auto start = SteadyClock::now();
    std::vector<std::unique_ptr<GroupMember>> group;
    for (int i = 0; i < members; ++i) {
      group.push_back(std::make_unique<GroupMember>(*bench.broker, i));
    }
    WaitSettled(group, 1, 10);
    state.SetIterationTime(
        std::chrono::duration<double>(SteadyClock::now() - start).count());
    group.clear();  // untimed: members leave
  }
}
BENCHMARK(BM_GroupJoin)
    ->ArgName("members")
    ->Arg(1)
    ->Arg(10)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(10);

// A stable group loses one member; the time until the rest hold every
// partition in the next generation.
void BM_GroupRebalanceAfterLeave(benchmark::State& state) {
  const int members = static_cast<int>(state.range(0));
  BenchBroker bench(/*on_disk=*/false, /*partitions=*/10);
  for (auto _ : state) {
    std::vector<std::unique_ptr<GroupMember>> group;
    for (int i = 0; i < members; ++i) {
      group.push_back(std::make_unique<GroupMember>(*bench.broker, i));
    }
    WaitSettled(group, 1, 10);
    int generation = 0;
    for (const auto& m : group)
      generation = std::max(generation, m->generation());
    const auto start = SteadyClock::now();
    group.erase(group.begin());  // closes: LeaveGroup
    WaitSettled(group, generation + 1, 10);
    state.SetIterationTime(
        std::chrono::duration<double>(SteadyClock::now() - start).count());
    group.clear();
  }
}
BENCHMARK(BM_GroupRebalanceAfterLeave)
    ->ArgName("members")
    ->Arg(2)
    ->Arg(10)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(10);

}  // namespace
}  // namespace rill
