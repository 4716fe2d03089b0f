// A log that failed half-way through a write (segmented_log_repair.cc):
// while failed it refuses mutations and still serves reads; once the disk
// takes writes again it repairs itself in place to what the failed operation
// promised, and the repaired state survives a reopen.
#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "io/forwarding_file_system.h"
#include "log/log_test_util.h"
#include "rill/clock.h"
#include "rill/io/fault_injection_file_system.h"
#include "rill/io/file_system.h"
#include "rill/log/log.h"

namespace rill::log_test {
namespace {

constexpr int64_t kStartMs = 1'700'000'000'000;
const std::string kDir = "/data/repair-0";
// Longer than any repair backoff: the next mutation may try again.
constexpr int64_t kAfterBackoffMs = 1000;

// RefusingFileSystem passes every call to `base`, except that while
// `refuse_new_files` is set it refuses to create files (a full inode table,
// say): no fault of FaultInjectionFileSystem fails a segment's creation.
class RefusingFileSystem final : public io::testing::ForwardingFileSystem {
 public:
  using ForwardingFileSystem::ForwardingFileSystem;

  std::atomic<bool> refuse_new_files = false;

  absl::StatusOr<std::unique_ptr<io::File>> OpenFile(
      const std::string& path, const io::OpenOptions& options) override {
    if (options.create && refuse_new_files) {
      return absl::ResourceExhaustedError("create " + path + ": refused");
    }
    return ForwardingFileSystem::OpenFile(path, options);
  }
};

// RepairEnv is a log on `fs` with a manual clock, holding 12 flushed
// batches and then `unflushed` more (whose index entries are in memory
// only), in segments of `segment_bytes`.
template <typename Fs>
struct RepairEnv {
  explicit RepairEnv(std::shared_ptr<Fs> file_system, int unflushed = 0,
                     int32_t segment_bytes = 2048)
      : fs(std::move(file_system)) {
    config.segment_bytes = segment_bytes;
    log = OpenLog(fs, kDir, config, clock);
    for (int i = 0; i < 12 + unflushed; ++i) {
      REQUIRE_OK(log->Append(BuildSimpleBatch(4, kStartMs + i)));
      if (i == 11) REQUIRE_OK(log->Flush());
    }
  }

  void Reopen() {
    REQUIRE_OK(log->Close());
    log.reset();
    log = OpenLog(fs, kDir, config, clock);
  }

  std::shared_ptr<Fs> fs;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStartMs);
  LogConfig config = SmallLogConfig();
  std::unique_ptr<Log> log;
};

std::shared_ptr<io::FaultInjectionFileSystem> NewFaultFs() {
  return std::make_shared<io::FaultInjectionFileSystem>(io::NewMemFileSystem());
}

// FollowerBatch is a batch as a follower receives it: offsets and leader
// epoch already assigned by its leader.
std::string FollowerBatch(int64_t base_offset, int seed) {
  return WithOffsetAndEpoch(
      BuildSimpleBatch(4, kStartMs + seed, "f-", 64, seed), base_offset, 3);
}

constexpr AppendOptions kFollowerAppend{.assign_offsets = false};

std::vector<std::string> BatchBytes(const LogContents& contents) {
  std::vector<std::string> out;
  for (const StoredBatch& b : contents.batches) out.push_back(b.bytes);
  return out;
}

TEST_CASE(
    "A reset that cannot create its segment keeps the log readable, refuses "
    "writes, and completes once files can be created",
    "[log]") {
  RepairEnv env(std::make_shared<RefusingFileSystem>(io::NewMemFileSystem()));
  REQUIRE(env.log->num_segments() > 1);
  const LogContents before = ReadLogContents(*env.log);

  env.fs->refuse_new_files = true;
  const absl::Status reset = env.log->TruncateFullyAndStartAt(Offset(500));
  INFO("TruncateFullyAndStartAt returned " << reset.ToString());
  REQUIRE(absl::IsResourceExhausted(reset));
  // Reads still see a whole log: the one before the reset, whose files are
  // gone but still open.
  CHECK(BatchBytes(ReadLogContents(*env.log)) == BatchBytes(before));

  const absl::Status refused =
      env.log->Append(FollowerBatch(500, 1), kFollowerAppend).status();
  INFO("Append while files cannot be created returned " << refused.ToString());
  CHECK(absl::IsResourceExhausted(refused));
  CHECK(env.log->log_end_offset() == Offset(before.log_end));

  env.fs->refuse_new_files = false;
  env.clock->AdvanceMs(kAfterBackoffMs);
  const std::string batch = FollowerBatch(500, 2);
  ASSIGN_OR_REQUIRE(AppendInfo info, env.log->Append(batch, kFollowerAppend));
  CHECK(info.first_offset == Offset(500));
  CHECK(env.log->log_start_offset() == Offset(500));
  CHECK(env.log->num_segments() == 1);
  CHECK(BatchBytes(ReadLogContents(*env.log)) ==
        std::vector<std::string>{batch});
  CHECK(env.log->EndOffsetForEpoch(LeaderEpoch(3)).end_offset ==
        env.log->log_end_offset());

  INFO("after a clean reopen");
  env.Reopen();
  CHECK(env.log->log_start_offset() == Offset(500));
  CHECK(BatchBytes(ReadLogContents(*env.log)) ==
        std::vector<std::string>{batch});
}

TEST_CASE(
    "A truncation that fails after its cut is finished by the repair: the "
    "cut batches never come back",
    "[log]") {
  // One segment, whose last batches are not flushed: the truncation's flush
  // then has index entries to write (where a full disk stops it).
  RepairEnv env(NewFaultFs(), /*unflushed=*/4, /*segment_bytes=*/1 << 20);
  REQUIRE(env.log->num_segments() == 1);
  const LogContents before = ReadLogContents(*env.log);
  const Offset cut(before.batches.back().base_offset);

  SECTION("on a full disk") {
    env.fs->SetNoSpace(true);
    const absl::Status truncated = env.log->TruncateTo(cut);
    INFO("TruncateTo returned " << truncated.ToString());
    REQUIRE(absl::IsResourceExhausted(truncated));
    const absl::Status refused = env.log->Roll();
    INFO("Roll on the full disk returned " << refused.ToString());
    CHECK(absl::StrContains(refused.message(), "refuses writes"));
    env.fs->SetNoSpace(false);
  }
  SECTION("on a failed fsync") {
    env.fs->FailSyncs(1);
    const absl::Status truncated = env.log->TruncateTo(cut);
    INFO("TruncateTo returned " << truncated.ToString());
    REQUIRE(absl::IsDataLoss(truncated));
  }
  CHECK(env.log->log_end_offset() == cut);

  env.clock->AdvanceMs(kAfterBackoffMs);
  const std::string next = BuildSimpleBatch(4, kStartMs, "new-");
  ASSIGN_OR_REQUIRE(AppendInfo info, env.log->Append(next));
  CHECK(info.first_offset == cut);
  std::vector<std::string> expected = BatchBytes(before);
  expected.back() = WithOffsetAndEpoch(next, cut.value());
  CHECK(BatchBytes(ReadLogContents(*env.log)) == expected);

  INFO("after a clean reopen");
  env.Reopen();
  CHECK(BatchBytes(ReadLogContents(*env.log)) == expected);
}

TEST_CASE(
    "A failed log keeps refusing writes while its repair cannot write, and "
    "tries again only after the backoff",
    "[log]") {
  RepairEnv env(std::make_shared<RefusingFileSystem>(io::NewMemFileSystem()));
  env.fs->refuse_new_files = true;
  REQUIRE_FALSE(env.log->TruncateFullyAndStartAt(Offset(500)).ok());
  // The first mutation tries a repair at once, which cannot create the
  // reset's segment either.
  const absl::Status first = env.log->Roll();
  INFO("first Roll returned " << first.ToString());
  CHECK(absl::IsResourceExhausted(first));
  CHECK(absl::StrContains(first.message(), "repair failed"));
  // Within the backoff no repair runs.
  const absl::Status second = env.log->Roll();
  INFO("second Roll returned " << second.ToString());
  CHECK(absl::IsResourceExhausted(second));
  CHECK_FALSE(absl::StrContains(second.message(), "repair failed"));

  env.fs->refuse_new_files = false;
  // Still within the backoff: refused without a try, even though it would
  // now succeed.
  CHECK_FALSE(env.log->Roll().ok());
  env.clock->AdvanceMs(kAfterBackoffMs);
  REQUIRE_OK(env.log->Roll());
  CHECK(env.log->log_start_offset() == Offset(500));
  CHECK(env.log->log_end_offset() == Offset(500));
}

}  // namespace
}  // namespace rill::log_test
