// FetchPurgatory: long-poll fetches answered at once, by an append, by
// their deadline or by shutdown — exactly once, with the byte budget rules.
#include "broker/fetch_purgatory.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "partition_test_util.h"
#include "util/timer_queue.h"

namespace rill::broker_test {
namespace {

using broker::FetchPurgatory;

TopicPartition Tp(int p) { return {"t", PartitionId(p)}; }

// ThreadCount reads this process's thread count.
int ThreadCount() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  FAIL("no Threads: line in /proc/self/status");
  return -1;
}

// Answer records what a fetch callback received. The callback shares the
// record, so a fetch answered after a failed test returned is harmless.
class Answer {
 public:
  FetchCallback Callback() {
    return [state = state_](FetchResult r) {
      {
        absl::MutexLock lock(&state->mu);
        state->result = std::move(r);
        state->thread = std::this_thread::get_id();
      }
      state->calls.fetch_add(1);
    };
  }
  int calls() const { return state_->calls.load(); }
  FetchResult Result() {
    absl::MutexLock lock(&state_->mu);
    return state_->result;
  }
  std::thread::id Thread() {
    absl::MutexLock lock(&state_->mu);
    return state_->thread;
  }

 private:
  struct State {
    std::atomic<int> calls{0};
    absl::Mutex mu;
    FetchResult result ABSL_GUARDED_BY(mu);
    std::thread::id thread ABSL_GUARDED_BY(mu);
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

int64_t Bytes(const FetchPartitionResult& r) {
  return static_cast<int64_t>(r.records.size_bytes);
}

int BatchCount(const FetchPartitionResult& r) {
  absl::StatusOr<std::string> bytes = r.records.ReadAll();
  REQUIRE_OK(bytes);
  record::BatchIterator it(*bytes);
  int n = 0;
  while (it.Next()) ++n;
  return n;
}

// PurgatoryFixture: partitions t-0..t-(n-1) over logs on one in-memory file
// system, a timer queue on a manual clock, and a purgatory the partitions
// wake.
struct PurgatoryFixture {
  explicit PurgatoryFixture(int n = 2) {
    for (int i = 0; i < n; ++i) {
      absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(
          {.dir = "/data/t-" + std::to_string(i), .fs = fs, .clock = clock});
      REQUIRE_OK(log);
      absl::StatusOr<std::shared_ptr<Partition>> p =
          Partition::Open({.tp = Tp(i),
                           .log = log->get(),
                           .fs = fs,
                           .clock = clock,
                           .on_advance = [this](const TopicPartition& tp) {
                             purgatory->OnPartitionChange(tp);
                           }});
      REQUIRE_OK(p);
      logs.push_back(*std::move(log));
      partitions[Tp(i)] = *std::move(p);
    }
    purgatory = std::make_unique<FetchPurgatory>(
        [this](const TopicPartition& tp)
            -> absl::StatusOr<std::shared_ptr<Partition>> {
          auto it = partitions.find(tp);
          if (it == partitions.end()) {
            return MakeError(ErrorReason::kUnknownTopicOrPartition,
                             tp.ToString());
          }
          return it->second;
        },
        &timers);
  }
  ~PurgatoryFixture() {
    purgatory->Shutdown();
    purgatory.reset();
    for (auto& [tp, p] : partitions) REQUIRE_OK(p->Close());
    partitions.clear();
    for (auto& log : logs) REQUIRE_OK(log->Close());
    timers.Shutdown();
  }

  // TryProduce appends one batch of `records` records to partition `p`.
  // No Catch2 assertions: other threads call it.
  absl::Status TryProduce(int p, int records = 1, size_t value_size = 16) {
    record::RecordBatchBuilder builder;
    const std::string value(value_size, 'v');
    for (int i = 0; i < records; ++i) {
      builder.Append({.timestamp_ms = 1'000, .key = "k", .value = value});
    }
    absl::StatusOr<std::string> batch = builder.Build();
    if (!batch.ok()) return batch.status();
    absl::Status status = absl::UnknownError("produce callback did not run");
    partitions.at(Tp(p))->Produce(
        std::span<char>(batch->data(), batch->size()), {},
        [&](absl::StatusOr<ProduceResult> r) { status = r.status(); });
    return status;
  }
  void Produce(int p, int records = 1, size_t value_size = 16) {
    REQUIRE_OK(TryProduce(p, records, value_size));
  }

  // BatchSize is the stored size of what Produce(p, 1, value_size) appends.
  int64_t BatchSize(size_t value_size = 16) {
    REQUIRE_OK(TryProduce(0, 1, value_size));
    FetchPartitionResult r = partitions.at(Tp(0))->Read(
        {.tp = Tp(0),
         .fetch_offset = partitions.at(Tp(0))->high_watermark() - 1},
        IsolationLevel::kReadUncommitted, 0, true);
    REQUIRE_OK(r.status);
    return static_cast<int64_t>(r.records.size_bytes);
  }

  std::shared_ptr<io::FileSystem> fs = io::NewMemFileSystem();
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(1'000'000);
  util::TimerQueue timers{clock};
  std::vector<std::unique_ptr<Log>> logs;
  std::map<TopicPartition, std::shared_ptr<Partition>> partitions;
  std::unique_ptr<FetchPurgatory> purgatory;
};

FetchRequest Request(std::vector<int> parts, int32_t min_bytes = 1,
                     int64_t max_wait_ms = 500) {
  FetchRequest request{.min_bytes = min_bytes, .max_wait_ms = max_wait_ms};
  for (int p : parts) request.partitions.push_back({.tp = Tp(p)});
  return request;
}

TEST_CASE("a fetch with data available is answered at once",
          "[fetch_purgatory]") {
  PurgatoryFixture f;
  f.Produce(0, 3);
  Answer answer;
  f.purgatory->Fetch(Request({0, 1}), answer.Callback());
  REQUIRE(answer.calls() == 1);
  CHECK(answer.Thread() == std::this_thread::get_id());
  const FetchResult r = answer.Result();
  REQUIRE(r.partitions.size() == 2);
  CHECK(r.partitions[0].tp == Tp(0));
  CHECK(r.partitions[1].tp == Tp(1));
  CHECK(BatchCount(r.partitions[0]) == 1);
  CHECK(r.partitions[0].high_watermark == Offset(3));
  CHECK(Bytes(r.partitions[1]) == 0);
  CHECK(f.purgatory->parked() == 0);
  CHECK(f.timers.pending() == 0);
}

TEST_CASE("fetches that may not wait are answered at once",
          "[fetch_purgatory]") {
  PurgatoryFixture f;
  Answer no_wait, no_partitions, zero_min;
  f.purgatory->Fetch(Request({0}, 1, 0), no_wait.Callback());
  f.purgatory->Fetch(Request({}), no_partitions.Callback());
  f.purgatory->Fetch(Request({0}, 0), zero_min.Callback());
  CHECK(no_wait.calls() == 1);
  CHECK(no_partitions.calls() == 1);
  CHECK(zero_min.calls() == 1);
  CHECK(f.purgatory->parked() == 0);
}

TEST_CASE("a fetch with a partition in error is answered at once",
          "[fetch_purgatory]") {
  PurgatoryFixture f;
  Answer unknown, out_of_range;
  f.purgatory->Fetch(Request({0, 7}), unknown.Callback());
  REQUIRE(unknown.calls() == 1);
  CHECK(GetErrorReason(unknown.Result().partitions[1].status) ==
        ErrorReason::kUnknownTopicOrPartition);
  CHECK(unknown.Result().partitions[1].tp == Tp(7));
  FetchRequest request = Request({0});
  request.partitions[0].fetch_offset = Offset(5);
  f.purgatory->Fetch(request, out_of_range.Callback());
  REQUIRE(out_of_range.calls() == 1);
  CHECK(GetErrorReason(out_of_range.Result().partitions[0].status) ==
        ErrorReason::kOffsetOutOfRange);
  CHECK(f.purgatory->parked() == 0);
}

TEST_CASE(
    "a parked fetch is completed once, on the producing thread, by an "
    "append",
    "[fetch_purgatory]") {
  PurgatoryFixture f;
  Answer answer;
  f.purgatory->Fetch(Request({0}), answer.Callback());
  CHECK(answer.calls() == 0);
  CHECK(f.purgatory->parked() == 1);
  CHECK(f.timers.pending() == 1);

  std::thread::id producer;
  absl::Status produced;
  std::thread t([&] {
    producer = std::this_thread::get_id();
    produced = f.TryProduce(0, 2);
  });
  t.join();
  REQUIRE_OK(produced);
  REQUIRE(answer.calls() == 1);
  CHECK(answer.Thread() == producer);
  CHECK(BatchCount(answer.Result().partitions[0]) == 1);
  CHECK(f.purgatory->parked() == 0);
  CHECK(f.timers.pending() == 0);  // its deadline was cancelled
  f.clock->AdvanceMs(1'000);
  f.Produce(0);
  CHECK(answer.calls() == 1);
}

TEST_CASE("a parked fetch is answered empty at max_wait", "[fetch_purgatory]") {
  PurgatoryFixture f;
  Answer answer;
  f.purgatory->Fetch(Request({0, 1}), answer.Callback());
  f.clock->AdvanceMs(499);
  CHECK(answer.calls() == 0);
  f.clock->AdvanceMs(1);
  REQUIRE(answer.calls() == 1);
  CHECK(answer.Thread() != std::this_thread::get_id());  // the timer thread
  const FetchResult r = answer.Result();
  REQUIRE(r.partitions.size() == 2);
  for (const FetchPartitionResult& p : r.partitions) {
    REQUIRE_OK(p.status);
    CHECK(Bytes(p) == 0);
    CHECK(p.high_watermark == Offset(0));
  }
  CHECK(f.purgatory->parked() == 0);
  f.Produce(0);
  CHECK(answer.calls() == 1);
}

TEST_CASE("a fetch with an enormous max_wait waits for data",
          "[fetch_purgatory]") {
  PurgatoryFixture f;
  Answer answer;
  f.purgatory->Fetch(Request({0}, 1, std::numeric_limits<int64_t>::max()),
                     answer.Callback());
  f.clock->AdvanceMs(24 * 3600 * 1000LL);
  CHECK(answer.calls() == 0);
  f.Produce(0);
  CHECK(answer.calls() == 1);
}

TEST_CASE("a fetch waits until appends add up to min_bytes",
          "[fetch_purgatory]") {
  PurgatoryFixture f;
  const int64_t size = f.BatchSize();  // appends to t-0: fetch after it
  Answer answer;
  FetchRequest request = Request({0}, static_cast<int32_t>(2 * size - 1));
  request.partitions[0].fetch_offset = Offset(1);
  f.purgatory->Fetch(request, answer.Callback());
  f.Produce(0);
  CHECK(answer.calls() == 0);
  CHECK(f.purgatory->parked() == 1);
  f.Produce(0);
  REQUIRE(answer.calls() == 1);
  CHECK(BatchCount(answer.Result().partitions[0]) == 2);
}

TEST_CASE("a fetch watching two partitions wakes from either",
          "[fetch_purgatory]") {
  for (int woken : {0, 1}) {
    PurgatoryFixture f(3);
    Answer answer, other;
    f.purgatory->Fetch(Request({0, 1}), answer.Callback());
    f.purgatory->Fetch(Request({2}), other.Callback());
    f.Produce(woken);
    REQUIRE(answer.calls() == 1);
    CHECK(Bytes(answer.Result().partitions[woken]) > 0);
    CHECK(Bytes(answer.Result().partitions[1 - woken]) == 0);
    CHECK(other.calls() == 0);  // only the watchers of that partition re-check
    CHECK(f.purgatory->parked() == 1);
  }
}

TEST_CASE(
    "max_bytes is one budget across partitions, with KIP-74's whole "
    "first batch",
    "[fetch_purgatory]") {
  PurgatoryFixture f(2);
  const int64_t size = f.BatchSize(100);  // the first of t-0's batches
  for (int i = 0; i < 3; ++i) {
    if (i > 0) f.Produce(0, 1, 100);
    f.Produce(1, 1, 100);
  }
  auto fetch = [&](int32_t max_bytes, int32_t p0_max, int32_t p1_max,
                   Offset p0_offset = Offset(0)) {
    FetchRequest request = Request({0, 1}, 1, /*max_wait_ms=*/0);
    request.max_bytes = max_bytes;
    request.partitions[0].max_bytes = p0_max;
    request.partitions[0].fetch_offset = p0_offset;
    request.partitions[1].max_bytes = p1_max;
    Answer answer;
    f.purgatory->Fetch(request, answer.Callback());
    REQUIRE(answer.calls() == 1);
    const FetchResult r = answer.Result();
    return std::make_pair(BatchCount(r.partitions[0]),
                          BatchCount(r.partitions[1]));
  };
  const int32_t big = 1 << 20;
  // Everything fits.
  CHECK(fetch(big, big, big) == std::make_pair(3, 3));
  // The budget is smaller than one batch: the first comes back whole.
  CHECK(fetch(1, big, big) == std::make_pair(1, 0));
  // So is the partition limit of the first partition.
  CHECK(fetch(big, 1, big) == std::make_pair(1, 3));
  // Later partitions get a batch only if it fits their limit...
  CHECK(fetch(big, big, static_cast<int32_t>(size - 1)) ==
        std::make_pair(3, 0));
  // ... and what is left of the budget.
  CHECK(fetch(static_cast<int32_t>(4 * size), big, big) ==
        std::make_pair(3, 1));
  CHECK(fetch(static_cast<int32_t>(2.5 * size),
              static_cast<int32_t>(1.5 * size), big) == std::make_pair(1, 1));
  // The first partition *with data* gets the whole-batch exception.
  CHECK(fetch(1, big, big, Offset(3)) == std::make_pair(0, 1));
}

TEST_CASE("Shutdown answers parked fetches, and later ones at once",
          "[fetch_purgatory]") {
  PurgatoryFixture f;
  Answer a, b, later;
  f.purgatory->Fetch(Request({0}), a.Callback());
  f.purgatory->Fetch(Request({1}), b.Callback());
  REQUIRE(f.purgatory->parked() == 2);
  f.purgatory->Shutdown();
  CHECK(a.calls() == 1);
  CHECK(b.calls() == 1);
  CHECK(f.purgatory->parked() == 0);
  CHECK(f.timers.pending() == 0);
  f.purgatory->Fetch(Request({0}), later.Callback());
  CHECK(later.calls() == 1);
  f.clock->AdvanceMs(1'000);
  CHECK(a.calls() == 1);
  CHECK(later.calls() == 1);
}

TEST_CASE("1000 parked fetches are 1000 timers and no threads",
          "[fetch_purgatory]") {
  PurgatoryFixture f;
  const int threads_before = ThreadCount();
  std::vector<std::unique_ptr<Answer>> answers;
  for (int i = 0; i < 1000; ++i) {
    answers.push_back(std::make_unique<Answer>());
    f.purgatory->Fetch(Request({i % 2}, 1, 60'000), answers.back()->Callback());
  }
  CHECK(f.purgatory->parked() == 1000);
  CHECK(f.timers.pending() == 1000);
  CHECK(ThreadCount() == threads_before);
  f.Produce(0);
  CHECK(f.purgatory->parked() == 500);
  CHECK(f.timers.pending() == 500);
  f.clock->AdvanceMs(60'000);
  CHECK(f.purgatory->parked() == 0);
  CHECK(f.timers.pending() == 0);
  for (const auto& answer : answers) CHECK(answer->calls() == 1);
}

TEST_CASE("an append racing the deadline completes the fetch once",
          "[fetch_purgatory]") {
  PurgatoryFixture f;
  for (int round = 0; round < 50; ++round) {
    Answer answer;
    FetchRequest request = Request({0}, 1, 10);
    request.partitions[0].fetch_offset = Offset(round);
    f.purgatory->Fetch(request, answer.Callback());
    absl::Status produced;
    std::thread producer([&] { produced = f.TryProduce(0); });
    f.clock->AdvanceMs(10);
    producer.join();
    REQUIRE_OK(produced);
    CHECK(answer.calls() == 1);
    CHECK(f.purgatory->parked() == 0);
  }
  CHECK(f.timers.pending() == 0);
}

}  // namespace
}  // namespace rill::broker_test
