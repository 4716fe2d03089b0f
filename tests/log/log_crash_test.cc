// Crash, power-loss, torn-write, failed-fsync, full-disk and corruption tests
// of Log over io::FaultInjectionFileSystem (on the in-memory file system).
//
// The crash-point tests run an operation once to count its mutating file
// system calls (K), then for every k in [0, K] rebuild the same flushed log,
// let exactly k calls succeed, and reopen after both a process crash (what
// was written stays) and a power loss (only what was synced stays). The
// reopened log must be a valid outcome of the operation: the state before it,
// the state after it, or (where the operation works in steps) one in between.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "log/log_test_util.h"
#include "rill/clock.h"
#include "rill/io/fault_injection_file_system.h"
#include "rill/io/file_system.h"
#include "rill/log/log.h"
#include "rill/record/record_batch.h"

namespace rill::log_test {
namespace {

constexpr int64_t kStartMs = 1'700'000'000'000;
const std::string kDir = "/data/crash-0";

const record::Compression kCodecs[] = {
    record::Compression::kNone, record::Compression::kLz4,
    record::Compression::kZstd, record::Compression::kGzip,
    record::Compression::kSnappy};

// CrashEnv is one simulated machine: a fault-injecting file system, a clock
// and the log open on them.
struct CrashEnv {
  explicit CrashEnv(LogConfig log_config) : config(log_config) {}

  void Open() { log = OpenLog(fs, kDir, config, clock); }

  std::shared_ptr<io::FaultInjectionFileSystem> fs =
      std::make_shared<io::FaultInjectionFileSystem>(io::NewMemFileSystem());
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStartMs);
  LogConfig config;
  std::unique_ptr<Log> log;
};

// DataBatch is batch `i` of the tests' deterministic data: `count` records
// with keys from a space of `key_space`, one second apart per batch.
std::string DataBatch(int i, int count = 8, size_t value_size = 40,
                      int key_space = 1000) {
  std::vector<TestRecord> records;
  for (int j = 0; j < count; ++j) {
    std::string value(value_size, '\0');
    for (size_t b = 0; b < value_size; ++b) {
      value[b] = static_cast<char>('A' + (i * 31 + j * 7 + b) % 23);
    }
    records.push_back(
        {.timestamp_ms = kStartMs + i * 1000 + j,
         .key = "k" + std::to_string((i * count + j) % key_space),
         .value = "v" + std::to_string(i) + "." + std::to_string(j) + value});
  }
  return BuildBatch(records, kCodecs[i % 5]);
}

// AppendAll appends `batches` one at a time and flushes.
void AppendAllAndFlush(Log& log, const std::vector<std::string>& batches) {
  for (const std::string& b : batches) REQUIRE_OK(log.Append(b));
  REQUIRE_OK(log.Flush());
}

// Summary names each batch by its offsets and size, for readable failures.
std::string Summary(const std::vector<std::string>& batches) {
  std::string out;
  for (const std::string& b : batches) {
    const record::RecordBatchHeader h = BatchHeaderOf(b);
    out += std::to_string(h.base_offset) + "-" +
           std::to_string(h.last_offset()) + "(" + std::to_string(b.size()) +
           "B) ";
  }
  return out;
}

// REQUIRE_SAME_BATCHES compares lists of batch bytes, first by summary so a
// failure prints offsets rather than binary.
#define REQUIRE_SAME_BATCHES(a, b)              \
  do {                                          \
    const std::vector<std::string>& lhs_ = (a); \
    const std::vector<std::string>& rhs_ = (b); \
    REQUIRE(Summary(lhs_) == Summary(rhs_));    \
    REQUIRE((lhs_ == rhs_));                    \
  } while (false)

std::vector<std::string> BatchBytes(const LogContents& contents) {
  std::vector<std::string> out;
  for (const StoredBatch& b : contents.batches) out.push_back(b.bytes);
  return out;
}

// BatchesFrom is the batches of `contents` that hold an offset >= `start`.
std::vector<std::string> BatchesFrom(const LogContents& contents,
                                     int64_t start) {
  std::vector<std::string> out;
  for (const StoredBatch& b : contents.batches) {
    if (b.last_offset >= start) out.push_back(b.bytes);
  }
  return out;
}

// CheckEveryReadHasGoodCrcs reads from every offset of the log with a few
// sizes and requires every batch served to pass its CRC.
void CheckEveryReadHasGoodCrcs(Log& log) {
  const int64_t start = log.log_start_offset().value();
  const int64_t end = log.log_end_offset().value();
  for (int64_t offset = start; offset <= end; ++offset) {
    for (int64_t max_bytes : {int64_t{1}, int64_t{300}, int64_t{1} << 20}) {
      INFO("Read(" << offset << ", max_bytes " << max_bytes << ")");
      ReadOptions options;
      options.max_bytes = max_bytes;
      ASSIGN_OR_REQUIRE(LogReadResult result,
                        log.Read(Offset(offset), options));
      ASSIGN_OR_REQUIRE(std::string bytes, result.ReadAll());
      record::BatchIterator it(bytes);
      while (it.Next()) REQUIRE_OK(it.batch().VerifyCrc());
      REQUIRE_OK(it.status());
      REQUIRE_FALSE(it.truncated_tail());
    }
  }
}

// CheckAppendAfterRecovery appends one more batch to a reopened log and
// requires it to land at the log end, be readable, and survive a clean
// reopen along with everything before it.
void CheckAppendAfterRecovery(CrashEnv& env, const LogContents& recovered,
                              const ReadContentsOptions& read_options = {}) {
  const std::string probe = DataBatch(99, 3);
  ASSIGN_OR_REQUIRE(AppendInfo info, env.log->Append(probe));
  CHECK(info.first_offset.value() == recovered.log_end);
  LogContents after = ReadLogContents(*env.log, read_options);
  std::vector<std::string> expected = BatchBytes(recovered);
  expected.push_back(WithOffsetAndEpoch(probe, recovered.log_end));
  REQUIRE_SAME_BATCHES(BatchBytes(after), expected);
  REQUIRE_OK(env.log->Close());
  env.log.reset();
  env.Open();
  LogContents reopened = ReadLogContents(*env.log, read_options);
  CHECK(reopened.log_start == recovered.log_start);
  CHECK(reopened.log_end == info.last_offset.value() + 1);
  REQUIRE_SAME_BATCHES(BatchBytes(reopened), expected);
  REQUIRE_OK(env.log->Close());
}

enum class CrashKind { kProcess, kPowerLoss };

// Restart simulates the machine coming back after a crash of `kind`.
void Restart(CrashEnv& env, CrashKind kind) {
  env.log.reset();  // dropped without Close()
  if (kind == CrashKind::kPowerLoss) env.fs->DropUnsyncedData();
  env.fs->Reset();
}

// CrashOutcome is what a check sees after one crash point.
struct CrashOutcome {
  const LogContents& pre;   // the flushed log before the operation
  const LogContents& post;  // the log after the operation ran fully
  const std::vector<int64_t>& pre_segments;  // segment base offsets before
  const LogContents& got;                    // the reopened log
  bool op_ok;  // the operation returned OK before the crash
  CrashKind kind;
};

// CrashScenario: `setup` opens env.log, writes and flushes deterministic
// data; `operation` is the step under test; `check` judges the outcome.
struct CrashScenario {
  LogConfig config;
  std::function<void(CrashEnv&)> setup;
  std::function<absl::Status(CrashEnv&)> operation;
  std::function<void(const CrashOutcome&)> check;
  // The operation closes the log (the post-state is read after a reopen).
  bool closes = false;
  // The operation compacts: offsets may have gaps.
  bool compacts = false;
};

// RunCrashPoints crashes `scenario`'s operation after every one of its
// mutating file system calls, under both crash kinds.
void RunCrashPoints(const CrashScenario& scenario) {
  // Learn K and the post-state on a scratch copy.
  CrashEnv scratch(scenario.config);
  scratch.Open();
  scenario.setup(scratch);
  ReadContentsOptions read_options;
  read_options.contiguous = !scenario.compacts;
  const LogContents pre = ReadLogContents(*scratch.log, read_options);
  const std::vector<int64_t> pre_segments =
      SegmentBaseOffsets(*scratch.fs, kDir);
  const uint64_t ops_before = scratch.fs->MutatingOperations();
  REQUIRE_OK(scenario.operation(scratch));
  const uint64_t k_ops = scratch.fs->MutatingOperations() - ops_before;
  if (scenario.closes) {
    scratch.log.reset();
    scratch.Open();
  }
  const LogContents post = ReadLogContents(*scratch.log, read_options);
  REQUIRE(k_ops > 0);
  INFO("the operation makes "
       << k_ops << " mutating calls; pre-state " << pre.batches.size()
       << " batches [" << pre.log_start << ", " << pre.log_end
       << "), post-state " << post.batches.size() << " batches ["
       << post.log_start << ", " << post.log_end << ")");

  for (uint64_t k = 0; k <= k_ops; ++k) {
    for (CrashKind kind : {CrashKind::kProcess, CrashKind::kPowerLoss}) {
      INFO("crash after " << k << " of " << k_ops << " mutating calls, "
                          << (kind == CrashKind::kProcess ? "process crash"
                                                          : "power loss"));
      CrashEnv env(scenario.config);
      env.Open();
      scenario.setup(env);
      env.fs->CrashAfterOperations(k);
      const absl::Status op_status = scenario.operation(env);
      INFO("operation returned " << op_status.ToString());
      Restart(env, kind);
      absl::StatusOr<std::unique_ptr<Log>> reopened =
          TryOpenLog(env.fs, kDir, env.config, env.clock);
      REQUIRE_OK(reopened);
      env.log = *std::move(reopened);
      const LogContents got = ReadLogContents(*env.log, read_options);
      INFO("pre-state  " << Describe(pre));
      INFO("post-state " << Describe(post));
      INFO("reopened   " << Describe(got));
      CHECK(env.log->recovery_point() <= env.log->log_end_offset());
      scenario.check({.pre = pre,
                      .post = post,
                      .pre_segments = pre_segments,
                      .got = got,
                      .op_ok = op_status.ok(),
                      .kind = kind});
      CheckAppendAfterRecovery(env, got, read_options);
    }
  }
}

// --- torn writes ---

// SegmentBytesFor is a segment.bytes that holds data batches [0, n) but not
// one more of `next_size` bytes.
int32_t SegmentBytesFor(int n, size_t next_size) {
  size_t total = 0;
  for (int i = 0; i < n; ++i) total += DataBatch(i).size();
  return static_cast<int32_t>(total + next_size / 2);
}

void RunTornWriteAtEveryByte(const LogConfig& config, int flushed_batches,
                             const std::string& last_batch) {
  const auto setup = [&](CrashEnv& env) {
    env.Open();
    std::vector<std::string> batches;
    for (int i = 0; i < flushed_batches; ++i) batches.push_back(DataBatch(i));
    AppendAllAndFlush(*env.log, batches);
  };
  CrashEnv reference(config);
  setup(reference);
  const LogContents flushed = ReadLogContents(*reference.log);

  for (uint64_t k = 0; k < last_batch.size(); ++k) {
    for (CrashKind kind : {CrashKind::kProcess, CrashKind::kPowerLoss}) {
      INFO("torn after " << k << " of " << last_batch.size() << " bytes, "
                         << (kind == CrashKind::kProcess ? "process crash"
                                                         : "power loss"));
      CrashEnv env(config);
      setup(env);
      env.fs->InjectTornWrite(k, ".log");
      const absl::Status append = env.log->Append(last_batch).status();
      if (append.ok()) {
        // The log buffered the write; the torn write happens on flush.
        REQUIRE_FALSE(env.log->Flush().ok());
      }
      Restart(env, kind);
      env.Open();
      const LogContents got = ReadLogContents(*env.log);
      CHECK(got.log_start == flushed.log_start);
      CHECK(got.log_end == flushed.log_end);
      REQUIRE_SAME_BATCHES(BatchBytes(got), BatchBytes(flushed));
      CheckAppendAfterRecovery(env, got);
    }
  }
}

TEST_CASE(
    "A write torn at any byte of the last batch loses only that batch after "
    "a crash",
    "[log]") {
  SECTION("within the active segment") {
    LogConfig config = SmallLogConfig();
    config.segment_bytes = 64 << 10;
    RunTornWriteAtEveryByte(config, 4, DataBatch(4, 6, 60));
  }
  SECTION("in the first write to a newly rolled segment") {
    // The four flushed batches fill the first segment; the fifth rolls.
    LogConfig config = SmallLogConfig();
    config.segment_bytes = SegmentBytesFor(4, DataBatch(4).size());
    RunTornWriteAtEveryByte(config, 4, DataBatch(4));
  }
}

// --- crash points ---

// SegmentedConfig gives a log of several segments of two to four data
// batches (which take 200-500 bytes each): with 10 batches,
//   [0, 24) [24, 40) [40, 64) [64, 80)
LogConfig SegmentedConfig() {
  LogConfig config = SmallLogConfig();
  config.segment_bytes = 1000;
  return config;
}

std::function<void(CrashEnv&)> AppendFlushed(int batches) {
  return [batches](CrashEnv& env) {
    std::vector<std::string> data;
    for (int i = 0; i < batches; ++i) data.push_back(DataBatch(i));
    AppendAllAndFlush(*env.log, data);
  };
}

// CheckUnchanged: the operation must leave the log as it was.
void CheckUnchanged(const CrashOutcome& o) {
  CHECK(o.got.log_start == o.pre.log_start);
  CHECK(o.got.log_end == o.pre.log_end);
  REQUIRE_SAME_BATCHES(BatchBytes(o.got), BatchBytes(o.pre));
}

// CheckSuffixAtSegmentBoundary: the log is the original from a segment
// boundary on (retention deletes whole segments from the start).
void CheckSuffixAtSegmentBoundary(const CrashOutcome& o) {
  CHECK(o.got.log_end == o.pre.log_end);
  REQUIRE(o.got.log_start >= o.pre.log_start);
  REQUIRE(o.got.log_start <= o.post.log_start);
  const bool boundary = o.got.log_start == o.pre.log_start ||
                        o.got.log_start == o.pre.log_end ||
                        std::count(o.pre_segments.begin(), o.pre_segments.end(),
                                   o.got.log_start) > 0;
  REQUIRE(boundary);
  REQUIRE_SAME_BATCHES(BatchBytes(o.got), BatchesFrom(o.pre, o.got.log_start));
  if (o.op_ok && o.kind == CrashKind::kProcess) {
    CHECK(o.got.log_start == o.post.log_start);
  }
}

TEST_CASE("A crash at any point of a roll loses no flushed batch", "[log]") {
  RunCrashPoints({.config = SegmentedConfig(),
                  .setup = AppendFlushed(5),
                  .operation = [](CrashEnv& env) { return env.log->Roll(); },
                  .check = CheckUnchanged});
}

TEST_CASE(
    "A crash at any point of an append that rolls keeps the flushed batches "
    "and at most the whole new batch",
    "[log]") {
  const std::string extra = DataBatch(20);
  RunCrashPoints(
      {.config = SegmentedConfig(),
       .setup = AppendFlushed(6),
       .operation =
           [&extra](CrashEnv& env) { return env.log->Append(extra).status(); },
       .check =
           [](const CrashOutcome& o) {
             CHECK(o.got.log_start == o.pre.log_start);
             const std::vector<std::string> got = BatchBytes(o.got);
             const bool pre_state = got == BatchBytes(o.pre);
             const bool post_state = got == BatchBytes(o.post);
             REQUIRE((pre_state || post_state));
             if (o.op_ok && o.kind == CrashKind::kProcess) REQUIRE(post_state);
           }});
}

TEST_CASE("A crash at any point of a clean Close loses no flushed batch",
          "[log]") {
  RunCrashPoints({.config = SegmentedConfig(),
                  .setup =
                      [](CrashEnv& env) {
                        AppendFlushed(5)(env);
                        // One unflushed batch too: Close must flush it.
                        REQUIRE_OK(env.log->Append(DataBatch(5)));
                      },
                  .operation = [](CrashEnv& env) { return env.log->Close(); },
                  .check =
                      [](const CrashOutcome& o) {
                        CHECK(o.got.log_start == o.pre.log_start);
                        const std::vector<std::string> got = BatchBytes(o.got);
                        std::vector<std::string> flushed = BatchBytes(o.pre);
                        flushed.pop_back();
                        REQUIRE((got == BatchBytes(o.pre) || got == flushed));
                        if (o.op_ok)
                          REQUIRE_SAME_BATCHES(got, BatchBytes(o.pre));
                      },
                  .closes = true,
                  .compacts = false});
}

TEST_CASE(
    "A crash at any point of a size-based retention pass leaves a suffix of "
    "the log starting at a segment boundary",
    "[log]") {
  LogConfig config = SegmentedConfig();
  size_t total = 0;
  for (int i = 0; i < 12; ++i) total += DataBatch(i).size();
  config.retention_bytes = static_cast<int64_t>(total / 2);
  RunCrashPoints(
      {.config = config,
       .setup = AppendFlushed(12),
       .operation =
           [](CrashEnv& env) { return env.log->EnforceRetention().status(); },
       .check = CheckSuffixAtSegmentBoundary});
}

TEST_CASE(
    "A crash at any point of a time-based retention pass leaves a suffix of "
    "the log starting at a segment boundary",
    "[log]") {
  LogConfig config = SegmentedConfig();
  config.retention_ms = 5'000;
  RunCrashPoints({.config = config,
                  .setup = AppendFlushed(12),
                  .operation =
                      [](CrashEnv& env) {
                        // Batch i is stamped kStartMs + i s: the segments
                        // holding batches 0-5 have expired.
                        env.clock->SetMs(kStartMs + 11'000);
                        return env.log->EnforceRetention().status();
                      },
                  .check = CheckSuffixAtSegmentBoundary});
}

TEST_CASE(
    "A crash at any point of AdvanceLogStartOffset leaves the old or the new "
    "start, and the new one once the call returned",
    "[log]") {
  // Offset 45 is inside batch 5 (8 records per batch), in the third segment.
  static constexpr int64_t kTarget = 45;
  RunCrashPoints({.config = SegmentedConfig(),
                  .setup = AppendFlushed(9),
                  .operation =
                      [](CrashEnv& env) {
                        return env.log->AdvanceLogStartOffset(Offset(kTarget));
                      },
                  .check =
                      [](const CrashOutcome& o) {
                        CHECK(o.got.log_end == o.pre.log_end);
                        REQUIRE((o.got.log_start == o.pre.log_start ||
                                 o.got.log_start == kTarget));
                        // Durable when it returns.
                        if (o.op_ok) REQUIRE(o.got.log_start == kTarget);
                        REQUIRE_SAME_BATCHES(
                            BatchBytes(o.got),
                            BatchesFrom(o.pre, o.got.log_start));
                      }});
}

TEST_CASE(
    "A crash at any point of TruncateTo leaves a prefix of the log no shorter "
    "than the truncated one",
    "[log]") {
  // Offset 35 is inside batch 4 (8 records per batch), the second batch of
  // the second segment: batches 4-9 go, two whole segments with them.
  static constexpr int64_t kTarget = 35;
  RunCrashPoints(
      {.config = SegmentedConfig(),
       .setup = AppendFlushed(10),
       .operation =
           [](CrashEnv& env) { return env.log->TruncateTo(Offset(kTarget)); },
       .check =
           [](const CrashOutcome& o) {
             CHECK(o.got.log_start == o.pre.log_start);
             const std::vector<std::string> got = BatchBytes(o.got);
             const std::vector<std::string> pre = BatchBytes(o.pre);
             REQUIRE(got.size() >= o.post.batches.size());
             REQUIRE(got.size() <= pre.size());
             REQUIRE(std::equal(got.begin(), got.end(), pre.begin()));
             if (o.op_ok && o.kind == CrashKind::kProcess) {
               REQUIRE(got.size() == o.post.batches.size());
             }
           }});
}

// CompactionData: batch i holds 6 records over a key space of 5, so every
// key repeats in every segment and compaction removes most records.
std::function<void(CrashEnv&)> AppendCompactable(int batches) {
  return [batches](CrashEnv& env) {
    std::vector<std::string> data;
    for (int i = 0; i < batches; ++i) data.push_back(DataBatch(i, 6, 40, 5));
    AppendAllAndFlush(*env.log, data);
  };
}

TEST_CASE(
    "A crash at any point of a compaction keeps every key's latest value and "
    "every surviving record's offset",
    "[log]") {
  LogConfig config = SegmentedConfig();
  config.cleanup_compact = true;
  config.cleanup_delete = false;
  RunCrashPoints({.config = config,
                  .setup = AppendCompactable(10),
                  .operation =
                      [](CrashEnv& env) {
                        // Every record is old enough to compact.
                        env.clock->SetMs(kStartMs + 3'600'000);
                        absl::StatusOr<CompactionStats> stats =
                            env.log->Compact(true);
                        if (stats.ok()) CHECK(stats->records_removed > 0);
                        return stats.status();
                      },
                  .check =
                      [](const CrashOutcome& o) {
                        CHECK(o.got.log_start == o.pre.log_start);
                        CHECK(o.got.log_end == o.pre.log_end);
                        std::map<int64_t, LogRecord> pre_by_offset;
                        std::map<std::string, LogRecord> latest_pre;
                        for (const LogRecord& r : o.pre.records) {
                          pre_by_offset[r.offset] = r;
                          latest_pre[r.key.value_or("")] = r;
                        }
                        std::map<int64_t, LogRecord> got_by_offset;
                        std::map<std::string, LogRecord> latest_got;
                        for (const LogRecord& r : o.got.records) {
                          INFO("record " << r);
                          // Surviving records keep their offsets and contents.
                          REQUIRE(pre_by_offset.count(r.offset) == 1);
                          REQUIRE(pre_by_offset[r.offset] == r);
                          REQUIRE(got_by_offset.count(r.offset) == 0);
                          got_by_offset[r.offset] = r;
                          latest_got[r.key.value_or("")] = r;
                        }
                        // Every key's latest value is unchanged.
                        REQUIRE(latest_got == latest_pre);
                        // Compaction only removes: what the full pass kept is
                        // here.
                        for (const LogRecord& r : o.post.records) {
                          INFO("record kept by the full pass " << r);
                          REQUIRE(got_by_offset.count(r.offset) == 1);
                        }
                      },
                  .closes = false,
                  .compacts = true});
}

// --- failed fsync, full disk ---

TEST_CASE(
    "A failed fsync fails Flush without advancing the recovery point and "
    "the log stays usable",
    "[log]") {
  CrashEnv env(SegmentedConfig());
  env.Open();
  AppendFlushed(4)(env);
  REQUIRE_OK(env.log->Append(DataBatch(4)));
  const Offset recovery_point = env.log->recovery_point();
  const LogContents before = ReadLogContents(*env.log);

  env.fs->FailSyncs(1);
  const absl::Status flush = env.log->Flush();
  INFO("Flush returned " << flush.ToString());
  REQUIRE_FALSE(flush.ok());
  CHECK(env.log->recovery_point() == recovery_point);
  REQUIRE_SAME_BATCHES(BatchBytes(ReadLogContents(*env.log)),
                       BatchBytes(before));

  ASSIGN_OR_REQUIRE(AppendInfo info, env.log->Append(DataBatch(5)));
  CHECK(info.first_offset.value() == before.log_end);
  REQUIRE_OK(env.log->Flush());
  CHECK(env.log->recovery_point() == env.log->log_end_offset());
  const LogContents flushed = ReadLogContents(*env.log);
  REQUIRE(flushed.batches.size() == before.batches.size() + 1);

  SECTION("and a later successful Flush makes everything survive power loss") {
    Restart(env, CrashKind::kPowerLoss);
    env.Open();
    const LogContents got = ReadLogContents(*env.log);
    CHECK(got.log_end == flushed.log_end);
    REQUIRE_SAME_BATCHES(BatchBytes(got), BatchBytes(flushed));
    CheckAppendAfterRecovery(env, got);
  }
  SECTION("and a clean reopen sees everything") {
    REQUIRE_OK(env.log->Close());
    env.log.reset();
    env.Open();
    const LogContents got = ReadLogContents(*env.log);
    REQUIRE_SAME_BATCHES(BatchBytes(got), BatchBytes(flushed));
    CheckAppendAfterRecovery(env, got);
  }
}

void RunNoSpace(const LogConfig& config, int batches) {
  CrashEnv env(config);
  env.Open();
  AppendFlushed(batches)(env);
  const int segments = env.log->num_segments();
  const LogContents before = ReadLogContents(*env.log);
  const std::string next = DataBatch(batches);

  env.fs->SetNoSpace(true);
  for (int attempt = 0; attempt < 2; ++attempt) {
    const absl::Status append = env.log->Append(next).status();
    INFO("attempt " << attempt << ": Append returned " << append.ToString());
    REQUIRE(append.code() == absl::StatusCode::kResourceExhausted);
    CHECK(env.log->log_end_offset().value() == before.log_end);
    REQUIRE_SAME_BATCHES(BatchBytes(ReadLogContents(*env.log)),
                         BatchBytes(before));
  }
  env.fs->SetNoSpace(false);

  ASSIGN_OR_REQUIRE(AppendInfo info, env.log->Append(next));
  CHECK(info.first_offset.value() == before.log_end);
  std::vector<std::string> expected = BatchBytes(before);
  expected.push_back(WithOffsetAndEpoch(next, before.log_end));
  REQUIRE_SAME_BATCHES(BatchBytes(ReadLogContents(*env.log)), expected);
  CHECK(env.log->num_segments() >= segments);

  INFO("after a reopen without Close");
  env.log.reset();
  env.Open();
  REQUIRE_SAME_BATCHES(BatchBytes(ReadLogContents(*env.log)), expected);
  INFO("after a clean reopen");
  REQUIRE_OK(env.log->Close());
  env.log.reset();
  env.Open();
  REQUIRE_SAME_BATCHES(BatchBytes(ReadLogContents(*env.log)), expected);
  CheckAppendAfterRecovery(env, ReadLogContents(*env.log));
}

TEST_CASE(
    "A full disk fails Append with kResourceExhausted and leaves the log "
    "unchanged",
    "[log]") {
  SECTION("within the active segment") {
    LogConfig config = SmallLogConfig();
    config.segment_bytes = 64 << 10;
    RunNoSpace(config, 4);
  }
  SECTION("when the append must roll a new segment") {
    LogConfig config = SmallLogConfig();
    config.segment_bytes = SegmentBytesFor(4, DataBatch(4).size());
    RunNoSpace(config, 4);
  }
}

// --- durability of what Flush and Close promise ---

TEST_CASE(
    "A Flush after recovering from a process crash makes a segment rolled "
    "before the crash durable",
    "[log]") {
  CrashEnv env(SmallLogConfig());
  env.Open();
  AppendFlushed(1)(env);
  // A clean reopen: the checkpoint now holds the log end, so recovery after
  // the crash below finds nothing to move.
  REQUIRE_OK(env.log->Close());
  env.log.reset();
  env.Open();
  REQUIRE_OK(env.log->Roll());
  Restart(env, CrashKind::kProcess);
  env.Open();
  REQUIRE_OK(env.log->Append(DataBatch(1)));
  REQUIRE_OK(env.log->Flush());
  const LogContents flushed = ReadLogContents(*env.log);
  REQUIRE(flushed.batches.size() == 2);

  Restart(env, CrashKind::kPowerLoss);
  env.Open();
  const LogContents got = ReadLogContents(*env.log);
  INFO("flushed  " << Describe(flushed));
  INFO("reopened " << Describe(got));
  CHECK(got.log_end == flushed.log_end);
  REQUIRE_SAME_BATCHES(BatchBytes(got), BatchBytes(flushed));
}

TEST_CASE(
    "A power loss after rolling past unflushed batches leaves the log end "
    "right after the last surviving batch",
    "[log]") {
  CrashEnv env(SegmentedConfig());
  env.Open();
  AppendFlushed(1)(env);
  REQUIRE_OK(env.log->Append(DataBatch(1)));  // not flushed
  const LogContents before = ReadLogContents(*env.log);
  SECTION("by Roll") { REQUIRE_OK(env.log->Roll()); }
  SECTION("by an append that does not fit") {
    REQUIRE_OK(env.log->Append(DataBatch(2)));
    REQUIRE_OK(env.log->Append(DataBatch(3)));
  }
  // Something durable after the roll (AdvanceLogStartOffset is durable when
  // it returns), which may make the new segment's name durable.
  REQUIRE_OK(env.log->AdvanceLogStartOffset(Offset(1)));
  Restart(env, CrashKind::kPowerLoss);
  env.Open();
  // ReadLogContents requires the batches to run without a hole up to the
  // log end.
  const LogContents got = ReadLogContents(*env.log);
  INFO("before   " << Describe(before));
  INFO("reopened " << Describe(got));
  REQUIRE(got.batches.size() >= 1);
  REQUIRE(got.batches[0].bytes == before.batches[0].bytes);
  CheckAppendAfterRecovery(env, got);
}

TEST_CASE(
    "After TruncateTo, Close and a power loss, FindOffsetByTimestamp finds "
    "the first record at or after a time",
    "[log]") {
  LogConfig config = SmallLogConfig();
  config.segment_bytes = 64 << 10;
  config.index_interval_bytes = 1;  // an index entry for every batch
  CrashEnv env(config);
  env.Open();
  // One record per batch, at times 1000, 2000, 3000, 3400, 3410, 3420.
  for (int64_t ts : {1000, 2000, 3000, 3400, 3410, 3420}) {
    REQUIRE_OK(env.log->Append(
        BuildBatch({{.timestamp_ms = ts, .key = "k", .value = "v"}})));
  }
  REQUIRE_OK(env.log->Flush());
  REQUIRE_OK(env.log->TruncateTo(Offset(3)));
  REQUIRE_OK(env.log->Close());
  Restart(env, CrashKind::kPowerLoss);
  env.Open();
  REQUIRE(env.log->log_end_offset().value() == 3);
  // Offsets 3-5 again, now at times 3500, 3600, 3700.
  for (int64_t ts : {3500, 3600, 3700}) {
    REQUIRE_OK(env.log->Append(
        BuildBatch({{.timestamp_ms = ts, .key = "k", .value = "v"}})));
  }
  const std::vector<std::pair<int64_t, int64_t>> expected = {
      {900, 0},  {1000, 0}, {2500, 2}, {3000, 2}, {3001, 3},
      {3450, 3}, {3500, 3}, {3550, 4}, {3700, 5}};
  for (const auto& [target, offset] : expected) {
    INFO("FindOffsetByTimestamp(" << target << ")");
    ASSIGN_OR_REQUIRE(std::optional<TimestampOffset> found,
                      env.log->FindOffsetByTimestamp(target));
    REQUIRE(found.has_value());
    CHECK(found->offset.value() == offset);
  }
  ASSIGN_OR_REQUIRE(std::optional<TimestampOffset> none,
                    env.log->FindOffsetByTimestamp(3701));
  CHECK_FALSE(none.has_value());
}

// --- corruption ---

// RewriteFile replaces `path`'s contents on the underlying file system.
void RewriteFile(io::FileSystem& fs, const std::string& path,
                 const std::string& contents) {
  io::OpenOptions options;
  options.truncate = true;
  ASSIGN_OR_REQUIRE(std::unique_ptr<io::File> file, fs.OpenFile(path, options));
  REQUIRE_OK(file->Append(contents));
  REQUIRE_OK(file->Sync());
}

// BatchPosition is where a batch sits in a segment file.
struct BatchPosition {
  std::string path;
  uint64_t position = 0;
  uint64_t size = 0;
  int64_t base_offset = 0;
};

// FindBatch locates the batch with `base_offset` among the segment files.
BatchPosition FindBatch(io::FileSystem& fs, int64_t base_offset) {
  for (int64_t segment : SegmentBaseOffsets(fs, kDir)) {
    const std::string path = io::JoinPath(kDir, SegmentFileName(segment));
    ASSIGN_OR_REQUIRE(std::string data, io::ReadFileToString(fs, path));
    record::BatchIterator it(data);
    while (it.Next()) {
      if (it.batch().header().base_offset == base_offset) {
        return {.path = path,
                .position = it.position(),
                .size = it.batch().data().size(),
                .base_offset = base_offset};
      }
    }
  }
  FAIL("no batch at base offset " << base_offset);
  return {};
}

void FlipByte(io::FileSystem& fs, const std::string& path, uint64_t position) {
  ASSIGN_OR_REQUIRE(std::string data, io::ReadFileToString(fs, path));
  REQUIRE(position < data.size());
  data[position] = static_cast<char>(data[position] ^ 0x5a);
  RewriteFile(fs, path, data);
}

// CheckTruncatedAt: the reopened log ends right before the corrupt batch,
// holds every batch before it intact, never serves a bad CRC, and appends
// right after the last good batch.
void CheckTruncatedAt(CrashEnv& env, const LogContents& original,
                      int64_t corrupt_base) {
  const LogContents got = ReadLogContents(*env.log);
  CHECK(got.log_start == original.log_start);
  CHECK(got.log_end == corrupt_base);
  std::vector<std::string> expected;
  for (const StoredBatch& b : original.batches) {
    if (b.base_offset < corrupt_base) expected.push_back(b.bytes);
  }
  REQUIRE_SAME_BATCHES(BatchBytes(got), expected);
  CheckEveryReadHasGoodCrcs(*env.log);
  CheckAppendAfterRecovery(env, got);
}

TEST_CASE(
    "Recovery truncates an unflushed tail at the first corrupt batch and "
    "never serves a bad CRC",
    "[log]") {
  LogConfig config = SmallLogConfig();
  config.segment_bytes = 64 << 10;
  const auto setup = [&](CrashEnv& env) {
    env.Open();
    AppendFlushed(2)(env);
    for (int i = 2; i < 5; ++i) REQUIRE_OK(env.log->Append(DataBatch(i)));
  };
  CrashEnv reference(config);
  setup(reference);
  const LogContents original = ReadLogContents(*reference.log);
  REQUIRE(original.batches.size() == 5);
  const int64_t corrupt_base = original.batches[3].base_offset;
  const uint64_t size = original.batches[3].bytes.size();

  // Every byte the CRC covers (from attributes on), plus batchLength and
  // magic; baseOffset and partitionLeaderEpoch are outside the CRC.
  std::vector<uint64_t> positions;
  for (uint64_t p = 8; p < size; ++p) {
    if (p >= 12 && p < 16) continue;
    positions.push_back(p);
  }
  for (uint64_t p : positions) {
    INFO("flipped byte " << p << " of the batch at offset " << corrupt_base);
    CrashEnv env(config);
    setup(env);
    env.log.reset();  // no Close()
    const BatchPosition batch = FindBatch(*env.fs, corrupt_base);
    FlipByte(*env.fs, batch.path, batch.position + p);
    env.Open();
    CheckTruncatedAt(env, original, corrupt_base);
  }
}

TEST_CASE(
    "Recovery without a clean shutdown or a checkpoint truncates at a "
    "corrupt batch in a flushed segment",
    "[log]") {
  // Recovery scans from the recovery checkpoint (as Kafka's does): segments
  // wholly below it were fsynced and are trusted, so damage there is bit rot
  // for readers' CRC checks, not a torn tail. Without the checkpoint every
  // segment is scanned, and the corrupt batch must end the log.
  const LogConfig config = SegmentedConfig();
  const auto setup = [&](CrashEnv& env) {
    env.Open();
    AppendFlushed(9)(env);
  };
  CrashEnv reference(config);
  setup(reference);
  const LogContents original = ReadLogContents(*reference.log);
  REQUIRE(reference.log->num_segments() >= 3);
  // A batch in the middle of the log, in a segment that is not the last.
  const int64_t corrupt_base = original.batches[4].base_offset;

  CrashEnv env(config);
  setup(env);
  env.log.reset();  // no Close(): no clean-shutdown marker
  REQUIRE_OK(env.fs->RemoveFile(io::JoinPath(kDir, "checkpoint")));
  const BatchPosition batch = FindBatch(*env.fs, corrupt_base);
  FlipByte(*env.fs, batch.path, batch.position + batch.size / 2);
  env.Open();
  CheckTruncatedAt(env, original, corrupt_base);
}

TEST_CASE(
    "Recovery without a clean shutdown trusts the segments below the "
    "recovery checkpoint and scans the rest",
    "[log]") {
  const LogConfig config = SegmentedConfig();
  CrashEnv env(config);
  env.Open();
  AppendFlushed(9)(env);
  const LogContents original = ReadLogContents(*env.log);
  REQUIRE(env.log->num_segments() >= 3);
  env.log.reset();  // no Close()
  // Damage the last batch (in the last segment, which is always scanned).
  const int64_t last_base = original.batches.back().base_offset;
  const BatchPosition batch = FindBatch(*env.fs, last_base);
  FlipByte(*env.fs, batch.path, batch.position + batch.size / 2);
  env.Open();
  CheckTruncatedAt(env, original, last_base);
}

}  // namespace
}  // namespace rill::log_test
