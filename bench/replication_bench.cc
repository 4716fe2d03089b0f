// Replication's cost, beside what the same broker does without it:
//
//   BM_ReplicatedProduce/rf:3/acks_all:1  three brokers, every batch
//       acknowledged once the in-sync followers have it
//       (min.insync.replicas 2, so the leader waits for the ISR, all 3)
//   BM_ReplicatedProduce/rf:1/acks_all:0  one broker, acknowledged at
//       append: the limit (target: the first at >= 0.6x of this)
//   BM_PageCacheCopies/threads:3 vs /threads:1  write(2) of the same
//       batches by three writers vs one: what three copies cost on this
//       machine's cores, beside one, with nothing else
//   BM_BarePipeline/followers:2  replication's structure without a broker
//       (bare_pipeline.h): a writer, two copy_file_range followers, acks
//       when both copied, the same window: what rf:3 could reach here
//
// Each iteration hands the leader one batch of 100 records of 1 KiB through
// Broker::Produce, with up to 32 batches unacknowledged (a producer's
// pipeline), on a fresh on-disk cluster in $RILL_BENCH_DIR (default /tmp)
// with nothing fsynced; followers fetch and append on their own threads.
//
// And how long a partition is unavailable when its leader dies:
//
//   BM_FailoverInProcess  kill the leader (crash + power loss; the
//       controller fences it at once) until an idempotent acks=all
//       producer's next record is acknowledged by the new leader; p50 and
//       p99 over the iterations, in ms. Its floor: one acks=all produce to
//       a healthy leader (BM_AcksAllRoundTrip).
//
//   ./build/bench/replication_bench
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "bare_pipeline.h"
#include "failover.h"
#include "rill/record/record_batch.h"
#include "rill/testing/embedded_cluster.h"

namespace rill::testing {
namespace {

constexpr int kRecordsPerBatch = 100;
constexpr size_t kRecordBytes = 1024;
constexpr int kWindow = 32;

using failover::Check;

std::string Batch() {
  record::RecordBatchBuilder builder;
  const std::string value(kRecordBytes, 'v');
  for (int i = 0; i < kRecordsPerBatch; ++i) {
    builder.Append({.timestamp_ms = 1'000, .value = std::string_view(value)});
  }
  absl::StatusOr<std::string> batch = builder.Build();
  Check(batch.status(), "building the batch");
  return *std::move(batch);
}

std::string ScratchDir() {
  const char* env = std::getenv("RILL_BENCH_DIR");
  std::string pattern =
      std::string(env != nullptr ? env : "/tmp") + "/rill-bench-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) std::abort();
  return pattern;
}

// ProcessCpuSeconds is the CPU time of every thread of the process so far
// (user and system): with two cores, a run that keeps both busy shows 2 in
// cores_busy.
double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// MachineBusySeconds is the non-idle CPU time of all cores (every process
// and the kernel's threads: page writeback runs there), from /proc/stat.
double MachineBusySeconds() {
  FILE* f = std::fopen("/proc/stat", "r");
  if (f == nullptr) return 0;
  unsigned long long v[10] = {};
  const int n =
      std::fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
                  &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
  std::fclose(f);
  if (n < 8) return 0;
  const unsigned long long busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
  return static_cast<double>(busy) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// CpuMeter measures from its construction the CPU the process spends per
// iteration, the cores it keeps busy, and the machine's busy cores, and
// reports them as counters.
class CpuMeter {
 public:
  void Report(benchmark::State& state) const {
    const double cpu = ProcessCpuSeconds() - cpu_before_;
    state.counters["cpu_us_per_batch"] =
        benchmark::Counter(cpu * 1e6 / static_cast<double>(state.iterations()));
    state.counters["cores_busy"] =
        benchmark::Counter(cpu, benchmark::Counter::kIsRate);
    state.counters["machine_busy"] = benchmark::Counter(
        MachineBusySeconds() - machine_before_, benchmark::Counter::kIsRate);
  }

 private:
  const double cpu_before_ = ProcessCpuSeconds();
  const double machine_before_ = MachineBusySeconds();
};

// Window counts unacknowledged batches.
class Window {
 public:
  void Acquire() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](int* n) { return *n < kWindow; }, &in_flight_));
    ++in_flight_;
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    --in_flight_;
  }
  void Drain() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](int* n) { return *n == 0; }, &in_flight_));
  }

 private:
  absl::Mutex mu_;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
};

void BM_ReplicatedProduce(benchmark::State& state) {
  const int replicas = static_cast<int>(state.range(0));
  const bool acks_all = state.range(1) != 0;
  const std::string dir = ScratchDir();
  auto owned = std::make_unique<EmbeddedCluster>(EmbeddedClusterOptions{
      .brokers = replicas, .data_dir = dir, .disk_faults = false});
  EmbeddedCluster& cluster = *owned;
  Check(cluster.CreateTopic("b", 1,
                            {{"min.insync.replicas", replicas > 1 ? "2" : "1"},
                             {"segment.bytes", std::to_string(64 << 20)},
                             {"retention.bytes", std::to_string(256 << 20)}}),
        "creating the topic");
  const TopicPartition tp{"b", PartitionId(0)};
  absl::StatusOr<TopicDescription> topic = cluster.broker(0).DescribeTopic("b");
  Check(topic.status(), "describing the topic");
  Broker& leader = cluster.broker(topic->partitions[0].leader.value());

  const std::string batch = Batch();
  std::string scratch = batch;  // rewritten in place by each produce
  Window window;
  const ProduceOptions produce{.acks = acks_all ? Acks::kAll : Acks::kLeader,
                               .timeout_ms = 30'000};
  const CpuMeter cpu;
  for (auto _ : state) {
    window.Acquire();
    scratch.assign(batch);
    leader.Produce(tp, std::span<char>(scratch.data(), scratch.size()), produce,
                   [&window](absl::StatusOr<ProduceResult> r) {
                     Check(r.status(), "produce");
                     window.Release();
                   });
  }
  window.Drain();
  cpu.Report(state);
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(batch.size()));
  state.SetItemsProcessed(state.iterations() * kRecordsPerBatch);
  owned.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_ReplicatedProduce)
    ->ArgNames({"rf", "acks_all"})
    ->Args({1, 0})
    ->Args({3, 1})
    ->UseRealTime()
    ->MinTime(2.0)
    ->Unit(benchmark::kMillisecond);

// BM_PageCacheCopies is the physical side of that ratio: `threads`
// writers each write(2) the same batches to their own files (64 MiB each,
// the oldest beyond 256 MiB deleted, as the topic's retention does), so
// threads:3 is three replicas' copies into the page cache with nothing
// else, on the cores this machine has. Bytes/s count each batch once (per
// copy made by all writers), comparable with BM_ReplicatedProduce.
void BM_PageCacheCopies(benchmark::State& state) {
  static std::string dir;
  if (state.thread_index() == 0) dir = ScratchDir();
  // A fresh directory per writer, made before the clock starts.
  const std::string mine =
      dir + "/writer-" + std::to_string(state.thread_index());
  std::filesystem::create_directories(mine);
  const std::string batch = Batch();
  constexpr int64_t kFileBytes = int64_t{64} << 20;
  constexpr int kFilesKept = 4;
  int file_number = 0;
  int64_t in_file = kFileBytes;  // opens the first file at once
  int fd = -1;
  for (auto _ : state) {
    if (in_file + static_cast<int64_t>(batch.size()) > kFileBytes) {
      if (fd >= 0) ::close(fd);
      const std::string path = mine + "/" + std::to_string(file_number);
      fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0) std::abort();
      if (file_number >= kFilesKept) {
        ::unlink(
            (mine + "/" + std::to_string(file_number - kFilesKept)).c_str());
      }
      ++file_number;
      in_file = 0;
    }
    if (::write(fd, batch.data(), batch.size()) !=
        static_cast<ssize_t>(batch.size())) {
      std::abort();
    }
    in_file += static_cast<int64_t>(batch.size());
  }
  if (fd >= 0) ::close(fd);
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(batch.size()) / state.threads());
  std::filesystem::remove_all(mine);
}
BENCHMARK(BM_PageCacheCopies)
    ->Threads(1)
    ->Threads(3)
    ->UseRealTime()
    ->MinTime(2.0)
    ->Unit(benchmark::kMillisecond);

void BM_BarePipeline(benchmark::State& state) {
  const std::string dir = ScratchDir();
  const std::string batch = Batch();
  {
    bench::BarePipeline pipeline(dir, static_cast<int>(state.range(0)), kWindow,
                                 batch.size());
    const CpuMeter cpu;
    for (auto _ : state) pipeline.Append(batch);
    pipeline.Drain();
    cpu.Report(state);
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(batch.size()));
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_BarePipeline)
    ->ArgName("followers")
    ->Arg(0)
    ->Arg(2)
    ->UseRealTime()
    ->MinTime(2.0)
    ->Unit(benchmark::kMillisecond);

// FailoverCluster is a three-broker in-memory cluster with partition
// failover::kPartition (min.insync.replicas 2) and a producer of it.
struct FailoverCluster {
  FailoverCluster() {
    EmbeddedClusterOptions options{.brokers = 3, .in_memory = true};
    options.broker.replica_fetch_backoff_ms = 5;
    options.broker.replica_fetch_wait_max_ms = 100;
    cluster = std::make_unique<EmbeddedCluster>(options);
    Check(cluster->CreateTopic(failover::kTopic, 1,
                               {{"min.insync.replicas", "2"}}),
          "creating the topic");
    producer = cluster->NewProducer(
        {.linger_ms = 0, .retry_backoff_ms = 1, .request_timeout_ms = 2'000});
  }
  ~FailoverCluster() {
    (void)producer->Close();
    producer.reset();
    cluster.reset();
  }
  // SendOne sends a record and waits for its acknowledgement.
  void SendOne() {
    auto acked = producer->SendWithFuture(
        {.topic = failover::kTopic, .partition = PartitionId(0), .value = "v"});
    Check(acked.get().status(), "produce");
  }

  std::unique_ptr<EmbeddedCluster> cluster;
  std::unique_ptr<Producer> producer;
};

void BM_FailoverInProcess(benchmark::State& state) {
  FailoverCluster f;
  failover::MeasureFailovers(state, *f.cluster, [&f] { f.SendOne(); });
}
BENCHMARK(BM_FailoverInProcess)
    ->Iterations(100)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

void BM_AcksAllRoundTrip(benchmark::State& state) {
  FailoverCluster f;
  failover::MeasureRoundTrips(state, [&f] { f.SendOne(); });
}
BENCHMARK(BM_AcksAllRoundTrip)->Iterations(1000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rill::testing
