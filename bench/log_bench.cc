// Benchmarks of rill::Log on the POSIX file system, each beside the physical
// limit it is bounded by, so results read as a ratio (see bench/README.md):
//
//   BM_LogAppend/<record bytes>/<records per batch>   vs BM_PosixWriteReference
//   BM_LogRead/<read bytes>                            vs BM_MemcpyReference
//   BM_LogRecovery_Unclean (1 GiB, no checkpoint)      vs BM_LogRecovery_Clean
//   BM_Compaction                                      (MB/s of input)
//
// Files go to a fresh directory under $RILL_BENCH_DIR (default /tmp), removed
// at exit. Nothing is fsynced except where a Log does it on its own (Close).
// Everything measured here runs against the page cache: these are CPU and
// memory-bandwidth figures, not disk figures.
//
//   ./build/bench/log_bench --benchmark_filter=BM_LogAppend
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "log/format.h"
#include "rill/io/file_system.h"
#include "rill/log/log.h"
#include "rill/log/log_config.h"
#include "rill/record/record_batch.h"
#include "rill/types.h"

namespace rill {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kMiB = int64_t{1} << 20;
constexpr int64_t kGiB = int64_t{1} << 30;

// Bytes each BM_LogAppend / BM_PosixWriteReference run writes (the same for
// both, so they meet the same page-cache and writeback conditions), and a cap
// on iterations for tiny batches.
constexpr int64_t kAppendBytesPerRun = kGiB;
constexpr int64_t kMaxAppendIterations = 1'000'000;

// The log's own files that decide how Open() recovers: the recovery-point
// checkpoint and the marker Close() leaves. Deleting both forces a full scan.
constexpr std::string_view kRecoveryFiles[] = {log::kCheckpointFile,
                                               log::kCleanShutdownFile};

// ScratchRoot is this process's directory under $RILL_BENCH_DIR (default
// /tmp), created on first use and removed with everything in it at exit.
class ScratchRoot {
 public:
  static const fs::path& Get() {
    static ScratchRoot root;
    return root.path_;
  }

  ScratchRoot(const ScratchRoot&) = delete;
  ScratchRoot& operator=(const ScratchRoot&) = delete;

 private:
  ScratchRoot() {
    const char* env = std::getenv("RILL_BENCH_DIR");
    fs::path base = (env != nullptr && *env != '\0') ? env : "/tmp";
    path_ = base / ("rill-bench-" + std::to_string(::getpid()));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchRoot() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }

  fs::path path_;
};

// FreshDir returns an empty directory `name` under the scratch root.
std::string FreshDir(const std::string& name) {
  fs::path dir = ScratchRoot::Get() / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

void RemoveDir(const std::string& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Fail reports `status` (prefixed by `what`) as the benchmark's error.
void Fail(benchmark::State& state, std::string_view what,
          const absl::Status& status) {
  std::string message(what);
  message += ": ";
  message += status.ToString();
  state.SkipWithError(message.c_str());
}

// RandomBytes is `n` bytes of deterministic noise (so compression, if anyone
// turns it on, has nothing to exploit).
std::string RandomBytes(size_t n, uint64_t seed) {
  std::string out(n, '\0');
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (char& c : out) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }
  return out;
}

// MakeBatch encodes one uncompressed batch of `records` records, each with
// a null key and a `record_bytes`-byte value.
absl::StatusOr<std::string> MakeBatch(size_t record_bytes, int records) {
  const std::string value = RandomBytes(record_bytes, record_bytes);
  const int64_t now = NowMs();
  record::RecordBatchBuilder builder;
  for (int i = 0; i < records; ++i) {
    builder.Append({.timestamp_ms = now, .value = value});
  }
  return builder.Build();
}

absl::StatusOr<std::unique_ptr<Log>> OpenLog(const std::string& dir,
                                             LogConfig config = {}) {
  return Log::Open({.dir = dir, .config = config});
}

// AppendInPlace appends `batch` through the zero-copy path: the log rewrites
// its baseOffset in place, which leaves the batch valid for the next append.
absl::StatusOr<AppendInfo> AppendInPlace(Log& log, std::string& batch) {
  return log.Append(std::span<char>(batch.data(), batch.size()),
                    AppendOptions{});
}

// AppendUntil appends `batch` until the log holds at least `bytes`.
absl::Status AppendUntil(Log& log, std::string& batch, int64_t bytes) {
  while (log.size_bytes() < bytes) {
    absl::StatusOr<AppendInfo> info = AppendInPlace(log, batch);
    if (!info.ok()) return info.status();
  }
  return absl::OkStatus();
}

// kAppendShapes are the (record bytes, records per batch) arguments of
// BM_LogAppend and BM_PosixWriteReference.
constexpr std::pair<int, int> kAppendShapes[] = {
    {100, 1000}, {1024, 100}, {100, 1}};

// AppendIterations gives a run of about kAppendBytesPerRun bytes. (A batch
// costs 61 header bytes plus ~10 per record on top of the values.)
int64_t AppendIterations(int record_bytes, int records_per_batch) {
  const int64_t batch_bytes =
      61 + int64_t{records_per_batch} * (record_bytes + 10);
  return std::clamp<int64_t>(kAppendBytesPerRun / batch_bytes, 1,
                             kMaxAppendIterations);
}

// WarmUpPageCache writes and deletes one run's worth of bytes, once per
// process, before the first append benchmark: the first GiB a process puts in
// the page cache was measured to cost more than later ones, which would
// otherwise be charged to whichever benchmark happens to run first.
void WarmUpPageCache() {
  [[maybe_unused]] static const bool done = [] {
    const std::string dir = FreshDir("warm-up");
    const std::string path = dir + "/warm-up";
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      const std::string chunk(kMiB, 'w');
      for (int64_t written = 0; written < kAppendBytesPerRun;) {
        const ssize_t n = ::write(fd, chunk.data(), chunk.size());
        if (n <= 0) break;
        written += n;
      }
      ::close(fd);
    }
    RemoveDir(dir);
    return true;
  }();
}

// BM_LogAppend appends one pre-built batch over and over to a fresh log with
// the default configuration (1 GiB segments, no fsync).
void BM_LogAppend(benchmark::State& state) {
  const auto record_bytes = static_cast<size_t>(state.range(0));
  const auto per_batch = static_cast<int>(state.range(1));
  absl::StatusOr<std::string> batch = MakeBatch(record_bytes, per_batch);
  if (!batch.ok()) return Fail(state, "build batch", batch.status());

  WarmUpPageCache();
  const std::string dir = FreshDir("append");
  absl::StatusOr<std::unique_ptr<Log>> log = OpenLog(dir);
  if (!log.ok()) return Fail(state, "open", log.status());

  for (auto _ : state) {
    absl::StatusOr<AppendInfo> info = AppendInPlace(**log, *batch);
    if (!info.ok()) {
      Fail(state, "append", info.status());
      break;
    }
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(batch->size()));
  state.SetItemsProcessed(state.iterations() * per_batch);
  state.counters["segments"] = (*log)->num_segments();
  log->reset();  // no Close(): nothing to fsync, the directory goes anyway
  RemoveDir(dir);
}

// BM_PosixWriteReference write(2)s the same batch bytes in a loop to a file
// in the same place: the physical limit of BM_LogAppend.
void BM_PosixWriteReference(benchmark::State& state) {
  const auto record_bytes = static_cast<size_t>(state.range(0));
  const auto per_batch = static_cast<int>(state.range(1));
  absl::StatusOr<std::string> batch = MakeBatch(record_bytes, per_batch);
  if (!batch.ok()) return Fail(state, "build batch", batch.status());

  WarmUpPageCache();
  const std::string dir = FreshDir("write");
  const std::string path = dir + "/00000000000000000000.log";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    return Fail(state, "open", absl::ErrnoToStatus(errno, path));
  }
  for (auto _ : state) {
    std::string_view rest = *batch;
    while (!rest.empty()) {
      const ssize_t n = ::write(fd, rest.data(), rest.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        Fail(state, "write", absl::ErrnoToStatus(errno, path));
        break;
      }
      rest.remove_prefix(static_cast<size_t>(n));
    }
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(batch->size()));
  state.SetItemsProcessed(state.iterations() * per_batch);
  ::close(fd);
  RemoveDir(dir);
}

// Each shape is registered with a fixed iteration count (Iterations() applies
// to a whole family), log then reference, so the two write the same bytes
// and sit next to each other in the output.
[[maybe_unused]] const bool kAppendRegistered = [] {
  for (auto [record_bytes, per_batch] : kAppendShapes) {
    const int64_t iterations = AppendIterations(record_bytes, per_batch);
    for (auto [name, fn] :
         {std::pair{"BM_LogAppend", &BM_LogAppend},
          std::pair{"BM_PosixWriteReference", &BM_PosixWriteReference}}) {
      benchmark::RegisterBenchmark(name, fn)
          ->ArgNames({"record_bytes", "records_per_batch"})
          ->Args({record_bytes, per_batch})
          ->Iterations(iterations)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
  return true;
}();

// ReadFixture is a 256 MiB log of (1 KiB x 100)-record batches, built on
// first use and shared by every BM_LogRead run.
constexpr int64_t kReadLogBytes = 256 * kMiB;

struct ReadFixture {
  std::unique_ptr<Log> log;
  absl::Status status;
};

ReadFixture BuildReadFixture() {
  ReadFixture f;
  absl::StatusOr<std::string> batch = MakeBatch(1024, 100);
  if (!batch.ok()) {
    f.status = batch.status();
    return f;
  }
  absl::StatusOr<std::unique_ptr<Log>> log = OpenLog(FreshDir("read"));
  if (!log.ok()) {
    f.status = log.status();
    return f;
  }
  f.status = AppendUntil(**log, *batch, kReadLogBytes);
  f.log = *std::move(log);
  return f;
}

// GetReadFixture builds the fixture on first use. (Destroyed at exit before
// the scratch root, which was created first.)
ReadFixture& GetReadFixture() {
  static ReadFixture fixture = BuildReadFixture();
  return fixture;
}

// BM_LogRead reads the log front to back, `max_bytes` per Read(), copying the
// returned slices into a reused buffer (as an in-process consumer would), and
// wraps around at the end.
void BM_LogRead(benchmark::State& state) {
  ReadFixture& fixture = GetReadFixture();
  if (!fixture.status.ok()) return Fail(state, "build log", fixture.status);
  Log& log = *fixture.log;
  const int64_t max_bytes = state.range(0);
  // The first batch is returned whole even past max_bytes: leave room.
  std::string buffer(static_cast<size_t>(max_bytes) + 2 * kMiB, '\0');

  Offset next = log.log_start_offset();
  int64_t bytes = 0;
  for (auto _ : state) {
    if (next >= log.log_end_offset()) next = log.log_start_offset();
    absl::StatusOr<LogReadResult> read =
        log.Read(next, {.max_bytes = max_bytes});
    if (!read.ok()) {
      Fail(state, "read", read.status());
      break;
    }
    size_t filled = 0;
    absl::Status copied;
    for (const LogSlice& slice : read->slices) {
      if (filled + slice.size > buffer.size()) {
        buffer.resize(filled + slice.size);
      }
      absl::StatusOr<std::string_view> got = slice.file->ReadAt(
          slice.position, static_cast<size_t>(slice.size), &buffer[filled]);
      if (!got.ok()) {
        copied = got.status();
        break;
      }
      if (got->data() != &buffer[filled]) {
        std::memcpy(&buffer[filled], got->data(), got->size());
      }
      filled += got->size();
    }
    if (!copied.ok()) {
      Fail(state, "read slice", copied);
      break;
    }
    // The next read starts after the last whole batch returned.
    record::BatchIterator it(std::string_view(buffer.data(), filled));
    int64_t last = -1;
    while (it.Next()) last = it.batch().header().last_offset();
    if (last < 0) {
      state.SkipWithError("read returned no whole batch");
      break;
    }
    next = Offset(last + 1);
    bytes += static_cast<int64_t>(filled);
    benchmark::DoNotOptimize(buffer.data());
  }
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_LogRead)
    ->ArgName("max_bytes")
    ->Arg(1 << 20)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// BM_MemcpyReference copies `bytes` per iteration from a 256 MiB source
// (sequentially, wrapping) into a reused buffer: the limit of BM_LogRead.
void BM_MemcpyReference(benchmark::State& state) {
  const auto chunk = static_cast<size_t>(state.range(0));
  const std::string source = RandomBytes(static_cast<size_t>(kReadLogBytes), 7);
  std::string buffer(chunk, '\0');
  size_t position = 0;
  for (auto _ : state) {
    if (position + chunk > source.size()) position = 0;
    std::memcpy(buffer.data(), source.data() + position, chunk);
    benchmark::DoNotOptimize(buffer.data());
    benchmark::ClobberMemory();
    position += chunk;
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(chunk));
}
BENCHMARK(BM_MemcpyReference)
    ->ArgName("bytes")
    ->Arg(1 << 20)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// RecoveryFixture is a cleanly closed 1 GiB log of (1 KiB x 100)-record
// batches in 256 MiB segments, built on first use.
constexpr int64_t kRecoveryLogBytes = kGiB;
constexpr int32_t kRecoverySegmentBytes = 256 << 20;

struct RecoveryFixture {
  std::string dir;
  Offset log_end;
  int64_t size_bytes = 0;
  int segments = 0;
  absl::Status status;
};

RecoveryFixture BuildRecoveryFixture() {
  RecoveryFixture f;
  f.dir = FreshDir("recovery");
  f.status = [&f]() -> absl::Status {
    absl::StatusOr<std::string> batch = MakeBatch(1024, 100);
    if (!batch.ok()) return batch.status();
    absl::StatusOr<std::unique_ptr<Log>> log =
        OpenLog(f.dir, {.segment_bytes = kRecoverySegmentBytes});
    if (!log.ok()) return log.status();
    if (absl::Status s = AppendUntil(**log, *batch, kRecoveryLogBytes);
        !s.ok()) {
      return s;
    }
    f.log_end = (*log)->log_end_offset();
    f.size_bytes = (*log)->size_bytes();
    f.segments = (*log)->num_segments();
    return (*log)->Close();
  }();
  return f;
}

RecoveryFixture& GetRecoveryFixture() {
  static RecoveryFixture fixture = BuildRecoveryFixture();
  return fixture;
}

// OpenTimed opens the fixture's log, sets `seconds` to how long Open() took,
// checks nothing was lost and returns the log.
absl::StatusOr<std::unique_ptr<Log>> OpenTimed(const RecoveryFixture& f,
                                               double& seconds) {
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<std::unique_ptr<Log>> log =
      OpenLog(f.dir, {.segment_bytes = kRecoverySegmentBytes});
  const std::chrono::duration<double> took =
      std::chrono::steady_clock::now() - start;
  seconds = took.count();
  if (!log.ok()) return log.status();
  if ((*log)->log_end_offset() != f.log_end) {
    return absl::DataLossError("log end moved across reopen");
  }
  return log;
}

// BM_LogRecovery_Unclean reopens the 1 GiB log after an unclean shutdown with
// a stale recovery point: the clean-shutdown marker and the checkpoint are
// deleted, so Open() must scan and CRC-check every batch of every segment
// and rebuild the indexes. The Log is then destroyed without Close(). The
// segment files stay in the page cache, so this is recovery's CPU cost.
void BM_LogRecovery_Unclean(benchmark::State& state) {
  RecoveryFixture& f = GetRecoveryFixture();
  if (!f.status.ok()) return Fail(state, "build log", f.status);
  for (auto _ : state) {
    for (std::string_view name : kRecoveryFiles) {
      std::error_code ec;
      fs::remove(fs::path(f.dir) / name, ec);
    }
    double seconds = 0;
    absl::StatusOr<std::unique_ptr<Log>> log = OpenTimed(f, seconds);
    state.SetIterationTime(seconds);
    if (!log.ok()) {
      Fail(state, "recover", log.status());
      break;
    }
    log->reset();  // crash: no Close(), no marker
  }
  state.SetBytesProcessed(state.iterations() * f.size_bytes);
  state.counters["segments"] = f.segments;
}
BENCHMARK(BM_LogRecovery_Unclean)
    ->UseManualTime()
    ->Iterations(5)
    ->Unit(benchmark::kMillisecond);

// BM_LogRecovery_Clean reopens the same log after a clean Close(): recovery
// is skipped. Close() after each Open() is not timed.
void BM_LogRecovery_Clean(benchmark::State& state) {
  RecoveryFixture& f = GetRecoveryFixture();
  if (!f.status.ok()) return Fail(state, "build log", f.status);
  {  // Leave the log cleanly closed (BM_LogRecovery_Unclean did not).
    double seconds = 0;
    absl::StatusOr<std::unique_ptr<Log>> log = OpenTimed(f, seconds);
    absl::Status s = log.ok() ? (*log)->Close() : log.status();
    if (!s.ok()) return Fail(state, "open and close", s);
  }
  for (auto _ : state) {
    double seconds = 0;
    absl::StatusOr<std::unique_ptr<Log>> log = OpenTimed(f, seconds);
    state.SetIterationTime(seconds);
    if (!log.ok()) {
      Fail(state, "open", log.status());
      break;
    }
    if (absl::Status s = (*log)->Close(); !s.ok()) {
      Fail(state, "close", s);
      break;
    }
  }
  state.counters["segments"] = f.segments;
}
BENCHMARK(BM_LogRecovery_Clean)->UseManualTime()->Unit(benchmark::kMillisecond);

// CompactionInput is ~96 MiB of batches (128 records of 512-byte values per
// batch) over 10,000 distinct keys, so each key appears ~20 times.
constexpr int64_t kCompactionLogBytes = 96 * kMiB;
constexpr int kCompactionKeys = 10'000;

absl::StatusOr<std::vector<std::string>> CompactionInput() {
  const std::string value = RandomBytes(512, 3);
  const int64_t now = NowMs();
  std::vector<std::string> batches;
  int64_t total = 0;
  uint64_t n = 0;
  while (total < kCompactionLogBytes) {
    record::RecordBatchBuilder builder;
    std::vector<std::string> keys;
    keys.reserve(128);
    for (int i = 0; i < 128; ++i, ++n) {
      char key[16];
      std::snprintf(key, sizeof(key), "key-%05d",
                    static_cast<int>((n * 7919) % kCompactionKeys));
      keys.emplace_back(key);
    }
    for (const std::string& key : keys) {
      builder.Append({.timestamp_ms = now, .key = key, .value = value});
    }
    absl::StatusOr<std::string> batch = builder.Build();
    if (!batch.ok()) return batch.status();
    total += static_cast<int64_t>(batch->size());
    batches.push_back(*std::move(batch));
  }
  return batches;
}

// BM_Compaction: each iteration writes the input to a fresh
// cleanup.policy=compact log (8 MiB segments), rolls so every segment is
// inactive, flushes, then times one forced Compact() pass. Bytes processed
// are the bytes the pass read.
void BM_Compaction(benchmark::State& state) {
  absl::StatusOr<std::vector<std::string>> input = CompactionInput();
  if (!input.ok()) return Fail(state, "build input", input.status());
  const LogConfig config{.segment_bytes = 8 << 20,
                         .cleanup_delete = false,
                         .cleanup_compact = true};
  int64_t bytes_read = 0;
  int64_t bytes_written = 0;
  for (auto _ : state) {
    const std::string dir = FreshDir("compact");
    absl::StatusOr<std::unique_ptr<Log>> log = OpenLog(dir, config);
    if (!log.ok()) {
      Fail(state, "open", log.status());
      break;
    }
    absl::Status s;
    for (std::string& batch : *input) {
      if (absl::StatusOr<AppendInfo> info = AppendInPlace(**log, batch);
          !info.ok()) {
        s = info.status();
        break;
      }
    }
    if (s.ok()) s = (*log)->Roll();
    if (s.ok()) s = (*log)->Flush();
    if (!s.ok()) {
      Fail(state, "write input", s);
      break;
    }
    const auto start = std::chrono::steady_clock::now();
    absl::StatusOr<CompactionStats> stats = (*log)->Compact(/*force=*/true);
    const std::chrono::duration<double> took =
        std::chrono::steady_clock::now() - start;
    state.SetIterationTime(took.count());
    if (!stats.ok()) {
      Fail(state, "compact", stats.status());
      break;
    }
    if (stats->bytes_read == 0) {
      state.SkipWithError("Compact() read nothing");
      break;
    }
    bytes_read += stats->bytes_read;
    bytes_written += stats->bytes_written;
    log->reset();
    RemoveDir(dir);
  }
  state.SetBytesProcessed(bytes_read);
  if (bytes_read > 0) {
    state.counters["kept"] =
        static_cast<double>(bytes_written) / static_cast<double>(bytes_read);
  }
}
BENCHMARK(BM_Compaction)
    ->UseManualTime()
    ->Iterations(5)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rill
