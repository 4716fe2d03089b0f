// A randomized model test of Log: thousands of random appends, reads,
// truncations, rolls, reopens, retention passes, log-start moves and time
// lookups, each checked against a simple in-memory model of the log (its
// batches with their assigned offsets, its start and end offsets). Every
// failure names the seed and the step, and the last few operations, so it can
// be replayed.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <sstream>
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

// ModelBatch is a batch the model holds: the exact bytes the log must serve
// for it (producer bytes with the assigned base offset and leader epoch).
struct ModelBatch {
  int64_t base_offset = 0;
  int64_t last_offset = 0;
  std::string bytes;
  std::vector<TestRecord> records;  // record i has offset base_offset + i
};

// LogModel is what the log should look like. `batches` keeps batches below
// log_start too (they may still be on disk), ascending and contiguous.
struct LogModel {
  int64_t log_start = 0;
  int64_t log_end = 0;
  std::vector<ModelBatch> batches;

  // FirstVisible is the index of the first batch at or after log_start.
  size_t FirstVisible() const {
    size_t i = 0;
    while (i < batches.size() && batches[i].last_offset < log_start) ++i;
    return i;
  }
  size_t VisibleCount() const { return batches.size() - FirstVisible(); }
  // IndexOf is the index of the batch holding `offset`, or batches.size().
  size_t IndexOf(int64_t offset) const {
    for (size_t i = 0; i < batches.size(); ++i) {
      if (batches[i].base_offset <= offset && offset <= batches[i].last_offset)
        return i;
    }
    return batches.size();
  }
  bool IsBatchBoundary(int64_t offset) const {
    if (offset == log_end) return true;
    for (const ModelBatch& b : batches) {
      if (b.base_offset == offset) return true;
    }
    return false;
  }
  int64_t VisibleBytes() const {
    int64_t total = 0;
    for (size_t i = FirstVisible(); i < batches.size(); ++i) {
      total += static_cast<int64_t>(batches[i].bytes.size());
    }
    return total;
  }
};

const record::Compression kCodecs[] = {
    record::Compression::kNone, record::Compression::kGzip,
    record::Compression::kSnappy, record::Compression::kLz4,
    record::Compression::kZstd};

// ModelTest drives one seed's run.
class ModelTest {
 public:
  ModelTest(uint64_t seed, bool fault_injection)
      : seed_(seed),
        rng_(seed),
        clock_(std::make_shared<ManualClock>(kStartMs)) {
    if (fault_injection) {
      fi_ = std::make_shared<io::FaultInjectionFileSystem>(
          io::NewMemFileSystem());
      fs_ = fi_;
    } else {
      fs_ = io::NewMemFileSystem();
    }
    config_ = SmallLogConfig();
    next_timestamp_ = kStartMs;
    log_ = OpenLog(fs_, dir_, config_, clock_);
  }

  void set_trace(bool on) { trace_ = on; }

  void Run(int steps) {
    CAPTURE(seed_);
    CheckAgainstModel(/*decode=*/true);
    for (step_ = 0; step_ < steps; ++step_) {
      INFO("seed " << seed_ << " step " << step_
                   << "; recent operations (oldest first):\n"
                   << RecentOps());
      Step();
      INFO("after: " << history_.back());
      CheckAgainstModel(/*decode=*/step_ % 25 == 0);
    }
    INFO("seed " << seed_ << " at the end; recent operations:\n"
                 << RecentOps());
    ReopenClean();
    CheckAgainstModel(/*decode=*/true);
    REQUIRE_OK(log_->Close());
  }

 private:
  int64_t Uniform(int64_t lo, int64_t hi) {  // inclusive
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }
  bool OneIn(int n) { return Uniform(1, n) == 1; }

  void Note(std::string op) {
    if (trace_) std::cerr << "#" << step_ << " " << op << "\n";
    history_.push_back("#" + std::to_string(step_) + " " + op);
    if (history_.size() > 8) history_.pop_front();
  }
  std::string RecentOps() const {
    std::string out;
    for (const std::string& op : history_) out += "  " + op + "\n";
    return out;
  }

  void Step() {
    // Keep the log to a few dozen KiB so every step stays cheap.
    const bool big = model_.VisibleBytes() > (48 << 10);
    const int64_t roll = Uniform(0, 99);
    if (roll < (big ? 20 : 38)) return Append();
    if (roll < 56) return Read();
    if (roll < 62) return FindOffsetByTimestamp();
    if (roll < 66) return TruncateTo();
    if (roll < 70) return Roll();
    if (roll < 73) return ReopenClean();
    if (roll < 76) return ReopenUnclean();
    if (roll < (big ? 90 : 81)) return EnforceRetentionBytes();
    if (roll < (big ? 94 : 86)) return AdvanceLogStartOffset();
    if (roll < 89) return Flush();
    if (roll < 90) return TruncateFullyAndStartAt();
    if (roll < 94) return OutOfRangeCalls();
    if (fi_ != nullptr) return PowerLoss();
    return Read();
  }

  // --- operations ---

  std::string RandomValue() {
    const int64_t size = OneIn(4) ? Uniform(0, 8) : Uniform(0, 110);
    std::string value(static_cast<size_t>(size), '\0');
    // Half compressible text, half noise.
    const bool noise = OneIn(2);
    for (char& c : value) {
      c = noise ? static_cast<char>(Uniform(0, 255))
                : static_cast<char>('a' + Uniform(0, 3));
    }
    return value;
  }

  ModelBatch MakeBatch(int64_t base_offset) {
    const int64_t count = OneIn(3) ? 1 : Uniform(1, 12);
    next_timestamp_ += Uniform(0, 40);
    std::vector<TestRecord> records;
    for (int64_t i = 0; i < count; ++i) {
      TestRecord r;
      // Mostly increasing timestamps, some out of order.
      r.timestamp_ms = next_timestamp_ + Uniform(-30, 30);
      if (!OneIn(5)) r.key = "key-" + std::to_string(Uniform(0, 30));
      if (!OneIn(10)) r.value = RandomValue();
      records.push_back(std::move(r));
    }
    const record::Compression codec = kCodecs[Uniform(0, 4)];
    ModelBatch batch;
    batch.base_offset = base_offset;
    batch.last_offset = base_offset + count - 1;
    batch.bytes = BuildBatch(records, codec);
    batch.records = std::move(records);
    return batch;
  }

  void Append() {
    const int batch_count = OneIn(6) ? static_cast<int>(Uniform(2, 3)) : 1;
    const int32_t epoch = static_cast<int32_t>(Uniform(-1, 5));
    std::string wire;
    std::vector<ModelBatch> batches;
    int64_t next = model_.log_end;
    int64_t records = 0;
    int64_t max_ts = -1;
    for (int i = 0; i < batch_count; ++i) {
      ModelBatch b = MakeBatch(next);
      wire += b.bytes;
      b.bytes = WithOffsetAndEpoch(std::move(b.bytes), next, epoch);
      next = b.last_offset + 1;
      records += static_cast<int64_t>(b.records.size());
      for (const TestRecord& r : b.records)
        max_ts = std::max(max_ts, r.timestamp_ms);
      batches.push_back(std::move(b));
    }
    // A follower's append: the batches arrive with their offsets and epoch
    // set, and the log keeps them.
    const bool follower = OneIn(6);
    if (follower) {
      wire.clear();
      for (const ModelBatch& b : batches) wire += b.bytes;
      if (model_.log_end > 0 && OneIn(3)) {
        // One that does not continue the log is refused, changing nothing.
        std::string stale = wire;
        record::SetBaseOffset(stale.data(), model_.log_end - 1);
        AppendOptions stale_options;
        stale_options.assign_offsets = false;
        Note("follower Append at " + std::to_string(model_.log_end - 1) +
             " (refused)");
        CHECK(log_->Append(std::string_view(stale), stale_options)
                  .status()
                  .code() == absl::StatusCode::kFailedPrecondition);
      }
    }
    Note(std::string(follower ? "follower " : "") + "Append " +
         std::to_string(batch_count) + " batch(es), " +
         std::to_string(records) + " records, " + std::to_string(wire.size()) +
         " bytes, epoch " + std::to_string(epoch) + " at " +
         std::to_string(model_.log_end));
    AppendOptions options;
    options.leader_epoch = LeaderEpoch(follower ? 77 : epoch);
    options.assign_offsets = !follower;
    // Half the appends hand over a mutable buffer, which the log rewrites in
    // place (offsets and epoch); the others pass a view it must copy.
    const bool in_place = OneIn(2);
    const std::string original = wire;
    absl::StatusOr<AppendInfo> appended =
        in_place
            ? log_->Append(std::span<char>(wire.data(), wire.size()), options)
            : log_->Append(std::string_view(wire), options);
    ASSIGN_OR_REQUIRE(AppendInfo info, std::move(appended));
    if (in_place) {
      std::string rewritten;
      for (const ModelBatch& b : batches) rewritten += b.bytes;
      CHECK(wire == rewritten);
    } else {
      CHECK(wire == original);
    }
    CHECK(info.first_offset.value() == model_.log_end);
    CHECK(info.last_offset.value() == next - 1);
    CHECK(info.batch_count == batch_count);
    CHECK(info.record_count == records);
    CHECK(info.bytes == static_cast<int64_t>(wire.size()));
    CHECK(info.max_timestamp_ms == max_ts);
    CHECK(info.log_append_time_ms == -1);
    for (ModelBatch& b : batches) model_.batches.push_back(std::move(b));
    model_.log_end = next;
  }

  void Read() {
    const int64_t offset = Uniform(model_.log_start, model_.log_end);
    ReadOptions options;
    switch (Uniform(0, 3)) {
      case 0:
        options.max_bytes = Uniform(1, 200);
        break;
      case 1:
        options.max_bytes = Uniform(1, 8192);
        break;
      case 2:
        options.max_bytes = Uniform(1, 40000);
        break;
      default:
        break;  // the 1 MiB default
    }
    options.min_one_batch = !OneIn(5);
    const bool bounded = OneIn(5);
    if (bounded) options.max_offset = Offset(Uniform(offset, model_.log_end));
    Note("Read " + std::to_string(offset) + " max_bytes " +
         std::to_string(options.max_bytes) + " min_one_batch " +
         std::to_string(options.min_one_batch) + " max_offset " +
         (bounded ? std::to_string(options.max_offset.value()) : "-"));
    ASSIGN_OR_REQUIRE(LogReadResult result,
                      log_->Read(Offset(offset), options));
    CHECK(result.log_start_offset.value() == model_.log_start);
    CHECK(result.log_end_offset.value() == model_.log_end);
    REQUIRE(result.slices.size() <= 1);
    ASSIGN_OR_REQUIRE(std::string bytes, result.ReadAll());
    REQUIRE(bytes.size() == result.size_bytes);

    record::BatchIterator it(bytes);
    size_t index = model_.IndexOf(offset);
    size_t count = 0;
    while (it.Next()) {
      INFO("returned batch " << count << " at byte " << it.position());
      REQUIRE(index + count < model_.batches.size());
      const ModelBatch& expected = model_.batches[index + count];
      REQUIRE(it.batch().header().base_offset == expected.base_offset);
      REQUIRE(it.batch().header().base_offset < options.max_offset.value());
      REQUIRE(it.batch().data() == expected.bytes);
      ++count;
    }
    REQUIRE_OK(it.status());
    REQUIRE_FALSE(it.truncated_tail());
    REQUIRE(it.consumed() == bytes.size());
    if (count > 1 || !options.min_one_batch) {
      REQUIRE(static_cast<int64_t>(bytes.size()) <= options.max_bytes);
    }
    if (offset == model_.log_end) {
      REQUIRE(count == 0);
      return;
    }
    REQUIRE(index < model_.batches.size());
    const ModelBatch& first = model_.batches[index];
    const bool fits =
        static_cast<int64_t>(first.bytes.size()) <= options.max_bytes;
    if (first.base_offset < options.max_offset.value() &&
        (options.min_one_batch || fits)) {
      REQUIRE(count >= 1);
    }
  }

  void FindOffsetByTimestamp() {
    int64_t target;
    const size_t first = model_.FirstVisible();
    if (first < model_.batches.size() && !OneIn(4)) {
      const ModelBatch& b = model_.batches[Uniform(
          static_cast<int64_t>(first),
          static_cast<int64_t>(model_.batches.size()) - 1)];
      target = b.records[Uniform(0, static_cast<int64_t>(b.records.size()) - 1)]
                   .timestamp_ms +
               Uniform(-1, 1);
    } else {
      target =
          OneIn(2) ? Uniform(0, kStartMs) : next_timestamp_ + Uniform(0, 100);
    }
    Note("FindOffsetByTimestamp " + std::to_string(target) + " (start + " +
         std::to_string(target - kStartMs) + ")");
    std::optional<TimestampOffset> expected;
    for (size_t i = first; i < model_.batches.size() && !expected; ++i) {
      const ModelBatch& b = model_.batches[i];
      for (size_t j = 0; j < b.records.size(); ++j) {
        const int64_t offset = b.base_offset + static_cast<int64_t>(j);
        if (offset < model_.log_start) continue;
        if (b.records[j].timestamp_ms >= target) {
          expected = TimestampOffset{b.records[j].timestamp_ms, Offset(offset)};
          break;
        }
      }
    }
    ASSIGN_OR_REQUIRE(std::optional<TimestampOffset> got,
                      log_->FindOffsetByTimestamp(target));
    const bool same =
        got.has_value() == expected.has_value() &&
        (!expected || (got->offset == expected->offset &&
                       got->timestamp_ms == expected->timestamp_ms));
    if (!same) {
      INFO("records (offset:timestamp) from the log start: "
           << TimestampsFrom(model_.log_start));
      REQUIRE(got.has_value() == expected.has_value());
      CHECK(got->offset.value() == expected->offset.value());
      CHECK(got->timestamp_ms == expected->timestamp_ms);
    }
  }

  std::string TimestampsFrom(int64_t start) const {
    std::ostringstream out;
    for (const ModelBatch& b : model_.batches) {
      if (b.last_offset < start) continue;
      out << "[";
      for (size_t j = 0; j < b.records.size(); ++j) {
        out << (j ? " " : "") << b.base_offset + static_cast<int64_t>(j) << ":"
            << b.records[j].timestamp_ms - kStartMs;
      }
      out << "] ";
    }
    return out.str();
  }

  void TruncateTo() {
    const int64_t target = Uniform(model_.log_start, model_.log_end + 3);
    // Batches whose last offset is >= target go; the log end becomes the
    // base of the first of them.
    size_t cut = model_.batches.size();
    for (size_t i = 0; i < model_.batches.size(); ++i) {
      if (model_.batches[i].last_offset >= target) {
        cut = i;
        break;
      }
    }
    const int64_t new_end = cut < model_.batches.size()
                                ? model_.batches[cut].base_offset
                                : model_.log_end;
    if (new_end < model_.log_start) {
      // Cutting the batch that holds the log start would leave the end below
      // the start; the API leaves that case open, so the model skips it.
      Note("TruncateTo " + std::to_string(target) + " (skipped)");
      return;
    }
    Note("TruncateTo " + std::to_string(target) + " -> end " +
         std::to_string(new_end));
    REQUIRE_OK(log_->TruncateTo(Offset(target)));
    model_.batches.resize(cut);
    model_.log_end = new_end;
    flushed_end_ = std::min(flushed_end_, new_end);
    dirty_ = true;
  }

  void Roll() {
    Note("Roll (twice)");
    REQUIRE_OK(log_->Roll());
    const int segments = log_->num_segments();
    // The new active segment is empty, so a second roll does nothing.
    REQUIRE_OK(log_->Roll());
    CHECK(log_->num_segments() == segments);
  }

  void ReopenClean() {
    Note("Close and reopen");
    REQUIRE_OK(log_->Close());
    log_.reset();
    log_ = OpenLog(fs_, dir_, config_, clock_);
    CHECK(log_->recovery_point() <= log_->log_end_offset());
    dirty_ = false;
    flushed_end_ = model_.log_end;
  }

  void ReopenUnclean() {
    Note("Drop without Close and reopen");
    log_.reset();
    log_ = OpenLog(fs_, dir_, config_, clock_);
  }

  void EnforceRetentionBytes() {
    const int64_t size = log_->size_bytes();
    const int64_t retention = OneIn(5) ? 0 : Uniform(0, size + 100);
    Note("EnforceRetention with retention.bytes " + std::to_string(retention) +
         " (size " + std::to_string(size) + ")");
    LogConfig config = log_->config();
    config.retention_bytes = retention;
    REQUIRE_OK(log_->UpdateConfig(config));
    const int segments_before = log_->num_segments();
    ASSIGN_OR_REQUIRE(int deleted, log_->EnforceRetention());
    config.retention_bytes = -1;
    REQUIRE_OK(log_->UpdateConfig(config));
    CHECK(deleted >= 0);
    CHECK(log_->num_segments() >= 1);
    CHECK(log_->num_segments() <= segments_before);
    if (deleted == 0) CHECK(log_->num_segments() == segments_before);
    const int64_t new_start = log_->log_start_offset().value();
    INFO("log start " << model_.log_start << " -> " << new_start << ", "
                      << deleted << " segment(s) deleted");
    REQUIRE(new_start >= model_.log_start);
    REQUIRE(new_start <= model_.log_end);
    if (new_start != model_.log_start) {
      // Whole segments go, so the new start is a batch boundary.
      REQUIRE(model_.IsBatchBoundary(new_start));
    }
    if (retention >= size) CHECK(new_start == model_.log_start);
    CHECK(log_->log_end_offset().value() == model_.log_end);
    model_.log_start = new_start;
    dirty_ = true;
  }

  void AdvanceLogStartOffset() {
    const int64_t target = Uniform(model_.log_start, model_.log_end);
    Note("AdvanceLogStartOffset " + std::to_string(target));
    REQUIRE_OK(log_->AdvanceLogStartOffset(Offset(target)));
    model_.log_start = target;
  }

  void Flush() {
    Note("Flush");
    REQUIRE_OK(log_->Flush());
    CHECK(log_->recovery_point() == log_->log_end_offset());
    flushed_end_ = model_.log_end;
  }

  void TruncateFullyAndStartAt() {
    const int64_t target = Uniform(0, model_.log_end + 100);
    Note("TruncateFullyAndStartAt " + std::to_string(target));
    REQUIRE_OK(log_->TruncateFullyAndStartAt(Offset(target)));
    model_.batches.clear();
    model_.log_start = target;
    model_.log_end = target;
    flushed_end_ = std::min(flushed_end_, target);
    dirty_ = true;
  }

  void OutOfRangeCalls() {
    Note("out-of-range Read / AdvanceLogStartOffset");
    const int64_t beyond = model_.log_end + Uniform(1, 10);
    absl::StatusOr<LogReadResult> read = log_->Read(Offset(beyond), {});
    CHECK(read.status().code() == absl::StatusCode::kOutOfRange);
    if (model_.log_start > 0) {
      const int64_t below = Uniform(0, model_.log_start - 1);
      read = log_->Read(Offset(below), {});
      CHECK(read.status().code() == absl::StatusCode::kOutOfRange);
    }
    CHECK(log_->AdvanceLogStartOffset(Offset(beyond)).code() ==
          absl::StatusCode::kOutOfRange);
  }

  // PowerLoss cuts the power after a durability barrier: Flush() when only
  // appends, rolls and log-start moves (durable on return) happened since the
  // last one, else Close(). Nothing may be lost either way.
  //
  // Without a barrier (only when nothing but appends, rolls and log-start
  // moves happened since the last one) the log must come back as a prefix of
  // the model holding at least everything flushed; the model then becomes
  // that prefix.
  void PowerLoss() {
    if (!dirty_ && OneIn(2)) return PowerLossWithoutBarrier();
    Note(std::string("power loss after ") + (dirty_ ? "Close" : "Flush"));
    if (dirty_) {
      REQUIRE_OK(log_->Close());
    } else {
      REQUIRE_OK(log_->Flush());
    }
    log_.reset();
    fi_->DropUnsyncedData();
    fi_->Reset();
    log_ = OpenLog(fs_, dir_, config_, clock_);
    dirty_ = false;
    flushed_end_ = model_.log_end;
  }

  void PowerLossWithoutBarrier() {
    Note("power loss, flushed up to " + std::to_string(flushed_end_));
    log_.reset();
    fi_->DropUnsyncedData();
    fi_->Reset();
    log_ = OpenLog(fs_, dir_, config_, clock_);
    const LogContents got = ReadLogContents(*log_);
    INFO("reopened " << Describe(got));
    REQUIRE(got.log_start == model_.log_start);
    const size_t first = model_.FirstVisible();
    size_t flushed = 0;
    for (size_t i = first; i < model_.batches.size(); ++i) {
      if (model_.batches[i].last_offset < flushed_end_) ++flushed;
    }
    REQUIRE(got.batches.size() >= flushed);
    REQUIRE(got.batches.size() <= model_.batches.size() - first);
    for (size_t i = 0; i < got.batches.size(); ++i) {
      INFO("batch " << i);
      REQUIRE(got.batches[i].bytes == model_.batches[first + i].bytes);
    }
    model_.batches.resize(first + got.batches.size());
    model_.log_end = got.log_end;
    if (got.batches.empty()) REQUIRE(got.log_end == got.log_start);
    flushed_end_ = std::min(flushed_end_, model_.log_end);
  }

  // --- checks ---

  void CheckAgainstModel(bool decode) {
    REQUIRE(log_->log_start_offset().value() == model_.log_start);
    REQUIRE(log_->log_end_offset().value() == model_.log_end);
    REQUIRE(log_->recovery_point() <= log_->log_end_offset());
    REQUIRE(log_->num_segments() >= 1);
    ReadContentsOptions options;
    options.decode = decode;
    options.max_bytes = Uniform(1, 20000);
    LogContents contents = ReadLogContents(*log_, options);
    const size_t first = model_.FirstVisible();
    REQUIRE(contents.batches.size() == model_.batches.size() - first);
    int64_t bytes = 0;
    for (size_t i = 0; i < contents.batches.size(); ++i) {
      const ModelBatch& expected = model_.batches[first + i];
      INFO("batch " << i << " of the log, model base offset "
                    << expected.base_offset);
      REQUIRE(contents.batches[i].base_offset == expected.base_offset);
      REQUIRE(contents.batches[i].bytes == expected.bytes);
      bytes += static_cast<int64_t>(expected.bytes.size());
    }
    REQUIRE(log_->size_bytes() >= bytes);
    if (!decode) return;
    size_t r = 0;
    for (size_t i = first; i < model_.batches.size(); ++i) {
      const ModelBatch& b = model_.batches[i];
      for (size_t j = 0; j < b.records.size(); ++j, ++r) {
        REQUIRE(r < contents.records.size());
        const LogRecord& got = contents.records[r];
        LogRecord want{.offset = b.base_offset + static_cast<int64_t>(j),
                       .timestamp_ms = b.records[j].timestamp_ms,
                       .key = b.records[j].key,
                       .value = b.records[j].value};
        REQUIRE(got == want);
      }
    }
    REQUIRE(r == contents.records.size());
  }

  const uint64_t seed_;
  std::mt19937_64 rng_;
  std::shared_ptr<ManualClock> clock_;
  std::shared_ptr<io::FaultInjectionFileSystem> fi_;
  std::shared_ptr<io::FileSystem> fs_;
  const std::string dir_ = "/data/model-0";
  LogConfig config_;
  std::unique_ptr<Log> log_;
  LogModel model_;
  int64_t next_timestamp_ = 0;
  int step_ = -1;
  // A truncation, retention pass or full truncation since the last Close:
  // its file removals need not be durable until the next Close.
  bool dirty_ = false;
  // The log end at the last Flush or Close: a power loss keeps all below.
  int64_t flushed_end_ = 0;
  std::deque<std::string> history_;
  bool trace_ = false;
};

TEST_CASE("A log behaves like the model under random operations", "[log]") {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    DYNAMIC_SECTION("seed " << seed) {
      ModelTest(seed, /*fault_injection=*/false).Run(1000);
    }
  }
}

TEST_CASE(
    "A log behaves like the model on a fault-injecting file system with no "
    "faults, and loses nothing to a power cut after Flush or Close",
    "[log]") {
  for (uint64_t seed = 101; seed <= 120; ++seed) {
    DYNAMIC_SECTION("seed " << seed) {
      ModelTest(seed, /*fault_injection=*/true).Run(1000);
    }
  }
}

// Replays one seed with a trace of every operation on stderr:
//   RILL_MODEL_SEED=1020 RILL_MODEL_STEPS=3000 RILL_MODEL_FI=1
//   log_tests "[model-replay]"
TEST_CASE("A log replays one seed of the model test on request",
          "[log][.][model-replay]") {
  const char* seed = std::getenv("RILL_MODEL_SEED");
  const char* steps = std::getenv("RILL_MODEL_STEPS");
  const char* fi = std::getenv("RILL_MODEL_FI");
  if (seed == nullptr) return;
  ModelTest test(std::strtoull(seed, nullptr, 10),
                 fi != nullptr && std::string(fi) == "1");
  test.set_trace(true);
  test.Run(steps ? std::atoi(steps) : 500);
}

// RunLongSeeds runs seeds [first, last] for 3000 steps each, every other one
// on the fault-injecting file system.
void RunLongSeeds(uint64_t first, uint64_t last) {
  for (uint64_t seed = first; seed <= last; ++seed) {
    DYNAMIC_SECTION("seed " << seed) {
      ModelTest(seed, /*fault_injection=*/seed % 2 == 0).Run(3000);
    }
  }
}

// Two halves, so that under the sanitizers (~290 s for all 200 seeds) each
// stays well inside ctest's 300 s limit and the two run side by side.
TEST_CASE(
    "A log behaves like the model under long random runs, seeds 1001-1100",
    "[log][slow]") {
  RunLongSeeds(1001, 1100);
}

TEST_CASE(
    "A log behaves like the model under long random runs, seeds 1101-1200",
    "[log][slow]") {
  RunLongSeeds(1101, 1200);
}

}  // namespace
}  // namespace rill::log_test
