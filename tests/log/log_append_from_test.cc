// Log::AppendFrom: a follower's log copying its leader's stored batches
// file to file, within one process.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "log/log_test_util.h"
#include "rill/io/file_system.h"
#include "rill/log/log.h"

namespace rill::log_test {
namespace {

constexpr int64_t kStartMs = 1'700'000'000'000;
constexpr AppendOptions kCopy{.assign_offsets = false, .crc_verified = true};

// Disk is a fresh directory under /tmp on the POSIX file system (where
// AppendFrom copies in the kernel), removed afterwards.
struct Disk {
  Disk() {
    char pattern[] = "/tmp/rill-append-from-XXXXXX";
    root = ::mkdtemp(pattern) != nullptr ? pattern : "/tmp/rill-mkdtemp-failed";
  }
  ~Disk() {
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }
  std::shared_ptr<io::FileSystem> fs = io::NewPosixFileSystem();
  std::string root;
};

std::vector<std::string> BatchBytes(Log& log) {
  std::vector<std::string> out;
  for (const StoredBatch& b : ReadLogContents(log).batches) {
    out.push_back(b.bytes);
  }
  return out;
}

// Leader is a log of 12 batches over two leader epochs, in small segments.
std::unique_ptr<Log> Leader(std::shared_ptr<io::FileSystem> fs,
                            const std::string& dir) {
  std::unique_ptr<Log> leader = OpenLog(fs, dir, SmallLogConfig());
  for (int i = 0; i < 12; ++i) {
    const LeaderEpoch epoch(i < 7 ? 2 : 3);
    REQUIRE_OK(leader->Append(BuildSimpleBatch(3 + i % 4, kStartMs + i),
                              {.leader_epoch = epoch}));
  }
  REQUIRE(leader->num_segments() > 1);
  return leader;
}

TEST_CASE(
    "AppendFrom stores the leader's batches byte for byte, with their "
    "offsets and leader epochs",
    "[log]") {
  Disk disk;
  std::shared_ptr<io::FileSystem> fs =
      GENERATE(false, true) ? disk.fs : io::NewMemFileSystem();
  const std::string root = fs == disk.fs ? disk.root : "/mem";
  std::unique_ptr<Log> leader = Leader(fs, root + "/leader");
  std::unique_ptr<Log> follower =
      OpenLog(fs, root + "/follower", SmallLogConfig());

  // Fetch-sized reads, so the copy takes several rounds across segments.
  while (follower->log_end_offset() < leader->log_end_offset()) {
    ASSIGN_OR_REQUIRE(LogReadResult read,
                      leader->Read(follower->log_end_offset(),
                                   {.max_bytes = 1500, .min_one_batch = true}));
    ASSIGN_OR_REQUIRE(AppendInfo info, follower->AppendFrom(read, kCopy));
    CHECK(info.bytes == static_cast<int64_t>(read.size_bytes));
  }
  CHECK(follower->log_end_offset() == leader->log_end_offset());
  CHECK(BatchBytes(*follower) == BatchBytes(*leader));
  CHECK(follower->latest_epoch() == std::optional(LeaderEpoch(3)));
  CHECK(follower->EndOffsetForEpoch(LeaderEpoch(2)) ==
        leader->EndOffsetForEpoch(LeaderEpoch(2)));

  INFO("after a clean reopen");
  REQUIRE_OK(follower->Close());
  follower = OpenLog(fs, root + "/follower", SmallLogConfig());
  CHECK(BatchBytes(*follower) == BatchBytes(*leader));
}

TEST_CASE(
    "AppendFrom neither assigns offsets nor checks CRCs, and takes nothing "
    "from a source cut since it was read",
    "[log]") {
  Disk disk;
  std::unique_ptr<Log> leader = Leader(disk.fs, disk.root + "/leader");
  std::unique_ptr<Log> follower =
      OpenLog(disk.fs, disk.root + "/follower", SmallLogConfig());
  ASSIGN_OR_REQUIRE(LogReadResult read, leader->Read(Offset(0), {}));
  REQUIRE(read.size_bytes > 0);

  CHECK(absl::IsInvalidArgument(follower->AppendFrom(read, {}).status()));
  CHECK(absl::IsInvalidArgument(
      follower->AppendFrom(read, {.assign_offsets = false}).status()));

  SECTION("a batch that does not continue the log") {
    REQUIRE_OK(follower->AppendFrom(read, kCopy));
    const Offset end = follower->log_end_offset();
    CHECK(
        absl::IsFailedPrecondition(follower->AppendFrom(read, kCopy).status()));
    CHECK(follower->log_end_offset() == end);
  }
  SECTION("a source cut after the read") {
    REQUIRE(read.Uncut());
    REQUIRE_OK(leader->TruncateTo(Offset(3)));  // after the first batch
    CHECK_FALSE(read.Uncut());
    CHECK(absl::IsDataLoss(follower->AppendFrom(read, kCopy).status()));
    CHECK(follower->log_end_offset() == Offset(0));
    CHECK(follower->size_bytes() == 0);
    // The follower's log still takes what the leader holds now.
    ASSIGN_OR_REQUIRE(LogReadResult now, leader->Read(Offset(0), {}));
    REQUIRE_OK(follower->AppendFrom(now, kCopy));
    CHECK(BatchBytes(*follower) == BatchBytes(*leader));
  }
}

}  // namespace
}  // namespace rill::log_test
