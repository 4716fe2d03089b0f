// A log's readers do not wait for an append's write: while the bytes of an
// append are on their way to the file, reads, the log end and the epochs
// answer from what was published before it (a follower copying the leader,
// a consumer, the high watermark), and the append shows once it is done.
#include <catch2/catch.hpp>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "io/gated_file_system.h"
#include "log/log_test_util.h"
#include "log/log_unit_test_util.h"
#include "rill/io/file_system.h"
#include "rill/log/log.h"

namespace rill::log_test {
namespace {

using log_unit_test::ReadEverything;

const std::string kDir = "/data/concurrent-0";

// ReadOnce is what one Read from the start returns (no Catch2 assertions:
// it runs off the test's thread).
absl::StatusOr<std::string> ReadOnce(Log& log) {
  absl::StatusOr<LogReadResult> read =
      log.Read(Offset(0), {.max_bytes = 1 << 20});
  if (!read.ok()) return read.status();
  return read->ReadAll();
}

// GatedLog is a log whose segment appends can be held at a gate.
struct GatedLog {
  std::shared_ptr<io::testing::GatedFileSystem> fs =
      std::make_shared<io::testing::GatedFileSystem>(io::NewMemFileSystem());
  std::unique_ptr<Log> log = OpenLog(fs, kDir, SmallLogConfig());
  io::testing::AppendGate& gate() { return *fs->gate(); }
};

TEST_CASE("Reads and the log end do not wait for an append being written",
          "[log]") {
  GatedLog g;
  REQUIRE_OK(g.log->Append(BuildSimpleBatch(3, 1'000),
                           {.leader_epoch = LeaderEpoch(2)}));
  const std::string first = ReadEverything(*g.log);

  g.gate().Close();
  auto appending = std::async(std::launch::async, [&] {
    return g.log->Append(BuildSimpleBatch(4, 2'000),
                         {.leader_epoch = LeaderEpoch(2)});
  });
  REQUIRE(g.gate().WaitForHeldAppend(absl::Seconds(20)));

  // What the others see meanwhile: the log before the append.
  struct Seen {
    Offset end;
    absl::StatusOr<std::string> bytes;
    std::optional<LeaderEpoch> latest_epoch;
    Offset epoch_end;
  };
  std::optional<Seen> seen = io::testing::ResultWhileHeld(g.gate(), [&] {
    return Seen{
        .end = g.log->log_end_offset(),
        .bytes = ReadOnce(*g.log),
        .latest_epoch = g.log->latest_epoch(),
        .epoch_end = g.log->EndOffsetForEpoch(LeaderEpoch(2)).end_offset};
  });
  REQUIRE(seen.has_value());
  CHECK(seen->end == Offset(3));
  REQUIRE_OK(seen->bytes);
  CHECK(*seen->bytes == first);
  CHECK(seen->latest_epoch == LeaderEpoch(2));
  CHECK(seen->epoch_end == Offset(3));

  g.gate().Open();
  absl::StatusOr<AppendInfo> appended = appending.get();
  REQUIRE_OK(appended);
  CHECK(appended->first_offset == Offset(3));
  CHECK(g.log->log_end_offset() == Offset(7));
  CHECK(ReadEverything(*g.log).size() > first.size());
}

TEST_CASE("A leader's log serves reads while a follower's copy is written",
          "[log]") {
  GatedLog leader;
  REQUIRE_OK(leader.log->Append(BuildSimpleBatch(5, 1'000),
                                {.leader_epoch = LeaderEpoch(1)}));
  GatedLog follower;
  absl::StatusOr<LogReadResult> stored =
      leader.log->Read(Offset(0), {.max_bytes = 1 << 20});
  REQUIRE_OK(stored);

  follower.gate().Close();
  auto copying = std::async(std::launch::async, [&] {
    return follower.log->AppendFrom(
        *stored, {.assign_offsets = false, .crc_verified = true});
  });
  REQUIRE(follower.gate().WaitForHeldAppend(absl::Seconds(20)));

  std::optional<std::pair<Offset, absl::StatusOr<LogReadResult>>> seen =
      io::testing::ResultWhileHeld(follower.gate(), [&] {
        return std::make_pair(
            follower.log->log_end_offset(),
            follower.log->Read(Offset(0), {.max_bytes = 1 << 20}));
      });
  REQUIRE(seen.has_value());
  CHECK(seen->first == Offset(0));
  REQUIRE_OK(seen->second);
  CHECK(seen->second->size_bytes == 0);

  follower.gate().Open();
  REQUIRE_OK(copying.get());
  CHECK(follower.log->log_end_offset() == Offset(5));
  CHECK(ReadEverything(*follower.log) == ReadEverything(*leader.log));
}

}  // namespace
}  // namespace rill::log_test
