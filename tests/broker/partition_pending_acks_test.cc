// PendingAcks: the hook that holds acks=all answers until the high
// watermark passes their batch.
#include <catch2/catch.hpp>
#include <vector>

#include "broker/pending_acks.h"
#include "rill/error.h"

namespace rill::broker {
namespace {

TEST_CASE(
    "pending acks complete in offset order once the high watermark "
    "passes them",
    "[partition][acks]") {
  PendingAcks pending;
  std::vector<int64_t> answered;
  auto add = [&](int64_t last_offset) {
    pending.Add(Offset(last_offset + 1),
                ProduceResult{.base_offset = Offset(last_offset)},
                [&](absl::StatusOr<ProduceResult> r) {
                  REQUIRE(r.ok());
                  answered.push_back(r->base_offset.value());
                });
  };
  add(9);
  add(4);
  add(14);
  std::vector<PendingAck> ready = pending.TakeSatisfied(Offset(5));
  RunAcks(ready);
  CHECK(answered == std::vector<int64_t>{4});
  CHECK(pending.size() == 2);
  ready = pending.TakeSatisfied(Offset(9));  // offset 9 not yet replicated
  CHECK(ready.empty());
  ready = pending.TakeSatisfied(Offset(20));
  RunAcks(ready);
  CHECK(answered == std::vector<int64_t>{4, 9, 14});
  CHECK(pending.size() == 0);
}

TEST_CASE("TakeAll fails every pending ack with the given status",
          "[partition][acks]") {
  PendingAcks pending;
  std::vector<ErrorReason> reasons;
  for (int i = 0; i < 3; ++i) {
    pending.Add(Offset(i + 1), ProduceResult{},
                [&](absl::StatusOr<ProduceResult> r) {
                  reasons.push_back(GetErrorReason(r.status()));
                });
  }
  std::vector<PendingAck> all = pending.TakeAll();
  RunAcks(all, MakeError(ErrorReason::kNotLeaderOrFollower, "gone"));
  CHECK(reasons ==
        std::vector<ErrorReason>(3, ErrorReason::kNotLeaderOrFollower));
  CHECK(pending.size() == 0);
}

}  // namespace
}  // namespace rill::broker
