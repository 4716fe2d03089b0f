// The leader's view of its followers (partition_replica.cc): a follower's
// fetch, which moves the high watermark and completes acks=all produces,
// does not wait for the leader's write in progress.
#include <catch2/catch.hpp>
#include <future>
#include <memory>
#include <optional>
#include <string>

#include "broker/partition_test_util.h"
#include "io/gated_file_system.h"

namespace rill::broker_test {
namespace {

constexpr NodeId kLeader = NodeId(0);  // the fixture's node
constexpr NodeId kFollower = NodeId(7);
constexpr LeaderEpoch kEpoch = LeaderEpoch(4);

TEST_CASE(
    "A follower's fetch is recorded while the leader's append is being "
    "written, and the acks=all answer waits for the follower",
    "[broker][partition]") {
  PartitionFixture f;
  f.Close();
  auto gated = std::make_shared<io::testing::GatedFileSystem>(f.fs);
  f.fs = gated;
  f.Open();
  f.partition->ApplyState({.replicas = {kLeader, kFollower},
                           .isr = {kLeader, kFollower},
                           .leader = kLeader,
                           .leader_epoch = kEpoch,
                           .partition_epoch = 1});

  gated->gate()->Close();
  std::promise<absl::StatusOr<ProduceResult>> answer;
  std::string batch = MakeBatch({.records = 3});
  auto producing = std::async(std::launch::async, [&] {
    f.partition->Produce(
        std::span<char>(batch.data(), batch.size()),
        {.acks = Acks::kAll, .timeout_ms = 60'000},
        [&](absl::StatusOr<ProduceResult> r) { answer.set_value(r); });
  });
  REQUIRE(gated->gate()->WaitForHeldAppend(absl::Seconds(20)));

  std::optional<absl::StatusOr<broker::FollowerFetch>> fetch =
      io::testing::ResultWhileHeld(*gated->gate(), [&] {
        return f.partition->RecordFollowerFetch(kFollower, kEpoch, Offset(0));
      });
  REQUIRE(fetch.has_value());
  CHECK_OK(*fetch);
  CHECK(f.partition->high_watermark() == Offset(0));

  gated->gate()->Open();
  producing.get();
  auto answered = answer.get_future();
  // Written, but the follower has not fetched past it yet.
  CHECK(answered.wait_for(std::chrono::milliseconds(0)) ==
        std::future_status::timeout);
  REQUIRE_OK(f.partition->RecordFollowerFetch(kFollower, kEpoch, Offset(3)));
  REQUIRE(answered.wait_for(std::chrono::seconds(0)) ==
          std::future_status::ready);
  absl::StatusOr<ProduceResult> result = answered.get();
  REQUIRE_OK(result);
  CHECK(result->base_offset == Offset(0));
  CHECK(f.partition->high_watermark() == Offset(3));
}

}  // namespace
}  // namespace rill::broker_test
