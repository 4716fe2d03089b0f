// Tests of LeaderEpochCache: Kafka's OffsetsForLeaderEpoch answers case by
// case (as Kafka's LeaderEpochFileCacheTest states them), and how appends,
// truncation and log start moves change the entries.
#include "log/leader_epoch_cache.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>
#include <vector>

namespace rill::log {
namespace {

EpochEntry Entry(int32_t epoch, int64_t start) {
  return {.epoch = LeaderEpoch(epoch), .start_offset = Offset(start)};
}

EpochEndOffset Answer(int32_t epoch, int64_t end) {
  return {.epoch = LeaderEpoch(epoch), .end_offset = Offset(end)};
}

// CacheOf assigns (epoch, start) pairs in order.
LeaderEpochCache CacheOf(const std::vector<EpochEntry>& assigns) {
  LeaderEpochCache cache;
  for (const EpochEntry& e : assigns) cache.Assign(e.epoch, e.start_offset);
  return cache;
}

EpochEndOffset EndFor(const LeaderEpochCache& cache, int32_t epoch,
                      int64_t log_end) {
  return cache.EndOffsetFor(LeaderEpoch(epoch), Offset(log_end));
}

TEST_CASE("EndOffsetFor the latest epoch is the log end", "[log]") {
  LeaderEpochCache cache = CacheOf({Entry(2, 6), Entry(4, 10)});
  CHECK(EndFor(cache, 4, 17) == Answer(4, 17));
  CHECK(EndFor(cache, 4, 10) == Answer(4, 10));
}

TEST_CASE(
    "EndOffsetFor an older epoch is where the next known epoch starts, "
    "under the largest known epoch at or below it",
    "[log]") {
  LeaderEpochCache cache = CacheOf({Entry(1, 0), Entry(2, 7), Entry(5, 20)});
  CHECK(EndFor(cache, 1, 30) == Answer(1, 7));
  CHECK(EndFor(cache, 2, 30) == Answer(2, 20));
  // Epochs 3 and 4 wrote nothing here: epoch 2 ran until epoch 5 began.
  CHECK(EndFor(cache, 3, 30) == Answer(2, 20));
  CHECK(EndFor(cache, 4, 30) == Answer(2, 20));
}

TEST_CASE(
    "EndOffsetFor an epoch below the earliest known answers that epoch with "
    "the earliest start",
    "[log]") {
  LeaderEpochCache cache = CacheOf({Entry(5, 11), Entry(6, 12), Entry(7, 13)});
  CHECK(EndFor(cache, 4, 0) == Answer(4, 11));
  CHECK(EndFor(cache, 0, 0) == Answer(0, 11));
}

TEST_CASE(
    "EndOffsetFor is undefined for an unknown newer epoch, the undefined "
    "epoch and an empty cache",
    "[log]") {
  LeaderEpochCache empty;
  CHECK(EndFor(empty, 0, 0) == Answer(-1, -1));
  CHECK(EndFor(empty, -1, 73) == Answer(-1, -1));
  LeaderEpochCache cache = CacheOf({Entry(2, 6)});
  CHECK(EndFor(cache, 3, 10) == Answer(-1, -1));
  CHECK(EndFor(cache, -1, 10) == Answer(-1, -1));
}

TEST_CASE("Assign records only where an epoch changes", "[log]") {
  LeaderEpochCache cache;
  CHECK(cache.Assign(LeaderEpoch(2), Offset(6)));
  CHECK_FALSE(cache.Assign(LeaderEpoch(2), Offset(9)));    // same epoch, later
  CHECK_FALSE(cache.Assign(LeaderEpoch(-1), Offset(12)));  // no epoch
  CHECK(cache.Assign(LeaderEpoch(3), Offset(12)));
  CHECK(cache.entries() == std::vector{Entry(2, 6), Entry(3, 12)});
  CHECK(cache.LatestEpoch() == LeaderEpoch(3));
}

TEST_CASE("Assign of the latest epoch at an earlier offset moves its start",
          "[log]") {
  LeaderEpochCache cache = CacheOf({Entry(5, 11), Entry(6, 12), Entry(7, 13)});
  CHECK(cache.Assign(LeaderEpoch(7), Offset(12)));
  CHECK(cache.entries() == std::vector{Entry(5, 11), Entry(7, 12)});
  CHECK(EndFor(cache, 5, 0) == Answer(5, 12));
  CHECK(EndFor(cache, 6, 0) == Answer(5, 12));
}

TEST_CASE("Assign drops the entries that would break the order", "[log]") {
  SECTION("a newer epoch starting at or before the latest one's start") {
    LeaderEpochCache cache = CacheOf({Entry(2, 6), Entry(3, 8)});
    CHECK(cache.Assign(LeaderEpoch(4), Offset(8)));
    CHECK(cache.entries() == std::vector{Entry(2, 6), Entry(4, 8)});
    CHECK(cache.Assign(LeaderEpoch(5), Offset(7)));
    CHECK(cache.entries() == std::vector{Entry(2, 6), Entry(5, 7)});
  }
  SECTION("an older epoch: the tail it follows now belongs to it") {
    LeaderEpochCache cache = CacheOf({Entry(1, 0), Entry(3, 5), Entry(4, 9)});
    CHECK(cache.Assign(LeaderEpoch(2), Offset(12)));
    CHECK(cache.entries() == std::vector{Entry(1, 0), Entry(2, 12)});
  }
}

TEST_CASE("TruncateFromEnd drops the entries starting at or after the end",
          "[log]") {
  LeaderEpochCache cache = CacheOf({Entry(2, 6), Entry(3, 8), Entry(4, 11)});
  CHECK_FALSE(cache.TruncateFromEnd(Offset(12)));
  CHECK(cache.entries().size() == 3);
  CHECK(cache.TruncateFromEnd(Offset(8)));
  CHECK(cache.entries() == std::vector{Entry(2, 6)});
  CHECK(cache.LatestEpoch() == LeaderEpoch(2));
  CHECK(cache.TruncateFromEnd(Offset(0)));
  CHECK(cache.empty());
  CHECK(cache.LatestEpoch() == std::nullopt);
}

TEST_CASE(
    "TruncateFromStart drops the entries before the start and moves the one "
    "covering it",
    "[log]") {
  const std::vector<EpochEntry> three = {Entry(2, 6), Entry(3, 8),
                                         Entry(4, 11)};
  SECTION("between entries") {
    LeaderEpochCache cache(three);
    CHECK(cache.TruncateFromStart(Offset(9)));
    CHECK(cache.entries() == std::vector{Entry(3, 9), Entry(4, 11)});
  }
  SECTION("exactly at an entry's start, which stays") {
    LeaderEpochCache cache(three);
    CHECK(cache.TruncateFromStart(Offset(8)));
    CHECK(cache.entries() == std::vector{Entry(3, 8), Entry(4, 11)});
    CHECK_FALSE(cache.TruncateFromStart(Offset(8)));
  }
  SECTION("before every entry: nothing changes") {
    LeaderEpochCache cache(three);
    CHECK_FALSE(cache.TruncateFromStart(Offset(5)));
    CHECK(cache.entries() == three);
  }
  SECTION("past every entry: the latest epoch stays, starting there") {
    LeaderEpochCache cache(three);
    CHECK(cache.TruncateFromStart(Offset(20)));
    CHECK(cache.entries() == std::vector{Entry(4, 20)});
    CHECK(EndFor(cache, 4, 20) == Answer(4, 20));
  }
}

TEST_CASE("EpochFor names the epoch that wrote an offset", "[log]") {
  LeaderEpochCache cache = CacheOf({Entry(2, 6), Entry(4, 10)});
  CHECK(cache.EpochFor(Offset(5)) == std::nullopt);
  CHECK(cache.EpochFor(Offset(6)) == LeaderEpoch(2));
  CHECK(cache.EpochFor(Offset(9)) == LeaderEpoch(2));
  CHECK(cache.EpochFor(Offset(10)) == LeaderEpoch(4));
  CHECK(cache.EpochFor(Offset(1000)) == LeaderEpoch(4));
}

}  // namespace
}  // namespace rill::log
