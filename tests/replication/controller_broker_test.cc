// Broker membership: registration, heartbeats and sessions, fencing,
// controlled shutdown.
#include <catch2/catch.hpp>
#include <memory>
#include <vector>

#include "replication/controller_test_util.h"
#include "rill/error.h"
#include "rill/replication/controller.h"
#include "status_test_util.h"

namespace rill::replication {
namespace {

using test::ControllerHarness;
using test::Ids;
using test::N;

TEST_CASE("Registration returns a larger epoch for every incarnation",
          "[replication]") {
  ControllerHarness h(0);
  const int64_t first = h.Register(4);
  const int64_t second = h.Register(5);
  const int64_t again = h.Register(4);
  CHECK(second > first);
  CHECK(again > second);
  const BrokerRegistration* b = h.controller->image()->FindBroker(N(4));
  REQUIRE(b != nullptr);
  CHECK(b->epoch == again);
  CHECK_FALSE(b->fenced);
  CHECK(b->endpoints ==
        std::vector<BrokerEndpoint>{{"PLAINTEXT", "127.0.0.1", 9096}});
  CHECK(HasErrorReason(h.controller->RegisterBroker(N(-1), {}).status(),
                       ErrorReason::kInvalidRequest));
}

TEST_CASE("A broker silent past broker.session.timeout.ms is fenced by Tick",
          "[replication]") {
  ControllerHarness h(3, {.broker_session_timeout_ms = 9'000});
  h.Create("t", 3, 3);
  h.clock->AdvanceMs(5'000);
  REQUIRE_OK(h.controller->Heartbeat(N(0), h.epochs.at(N(0))));
  REQUIRE_OK(h.controller->Heartbeat(N(1), h.epochs.at(N(1))));
  h.clock->AdvanceMs(4'000);  // broker 2 silent for exactly the timeout
  REQUIRE_OK(h.controller->Tick());
  CHECK(h.controller->image()->IsLive(N(2)));
  h.clock->AdvanceMs(1);
  REQUIRE_OK(h.controller->Tick());
  const auto image = h.controller->image();
  CHECK(image->LiveBrokers() == Ids({0, 1}));
  CHECK(image->PartitionsLedBy(N(2)).empty());
  for (int32_t p = 0; p < 3; ++p) {
    CHECK_FALSE(test::Contains(h.Partition("t", p).isr, N(2)));
  }
  CHECK(h.controller->metrics().fenced_brokers == 1);
}

TEST_CASE("Brokers that all time out at once keep the last of them in ISRs",
          "[replication]") {
  ControllerHarness h(2);
  h.Create("t", 1, 2);
  h.clock->AdvanceMs(9'001);
  REQUIRE_OK(h.controller->Tick());
  const PartitionState p = h.Partition("t", 0);
  CHECK(p.leader == kNoLeader);
  CHECK(p.isr == Ids({1}));  // fenced in id order: 1 went last
  CHECK(h.controller->image()->LiveBrokers().empty());
}

TEST_CASE("A fenced broker that heartbeats again is unfenced",
          "[replication]") {
  ControllerHarness h(1);
  h.Create("t", 1, 1);
  REQUIRE_OK(h.controller->FenceBroker(N(0)));
  REQUIRE(h.Partition("t", 0).leader == kNoLeader);
  REQUIRE_OK(h.controller->Heartbeat(N(0), h.epochs.at(N(0))));
  CHECK(h.controller->image()->IsLive(N(0)));
  CHECK(h.Partition("t", 0).leader == N(0));
}

TEST_CASE("Heartbeats from an older incarnation or an unknown broker fail",
          "[replication]") {
  ControllerHarness h(1);
  const int64_t old_epoch = h.epochs.at(N(0));
  h.Register(0);
  CHECK(HasErrorReason(h.controller->Heartbeat(N(0), old_epoch),
                       ErrorReason::kStaleBrokerEpoch));
  CHECK(HasErrorReason(h.controller->Heartbeat(N(8), 0),
                       ErrorReason::kStaleBrokerEpoch));
  CHECK(HasErrorReason(h.controller->FenceBroker(N(8)),
                       ErrorReason::kBrokerIdNotRegistered));
  CHECK(HasErrorReason(h.controller->ControlledShutdown(N(0), old_epoch),
                       ErrorReason::kStaleBrokerEpoch));
}

TEST_CASE("Controlled shutdown moves leadership away, then fences",
          "[replication]") {
  ControllerHarness h(3);
  h.Create("t", 6, 3);
  REQUIRE(h.controller->image()->PartitionsLedBy(N(0)).size() == 2);
  std::vector<std::shared_ptr<const ClusterImage>> images;
  MetadataSubscription sub =
      h.store->Subscribe([&](const std::shared_ptr<const ClusterImage>& image) {
        images.push_back(image);
      });
  REQUIRE_OK(h.controller->ControlledShutdown(N(0), h.epochs.at(N(0))));
  // Two steps: first it leads nothing and is in no ISR while still up...
  REQUIRE(images.size() == 3);
  CHECK(images[1]->IsLive(N(0)));
  CHECK(images[1]->PartitionsLedBy(N(0)).empty());
  for (int32_t p = 0; p < 6; ++p) {
    CHECK_FALSE(test::Contains(
        images[1]->FindPartition({"t", PartitionId(p)})->isr, N(0)));
  }
  // ...then it is fenced.
  CHECK_FALSE(images[2]->IsLive(N(0)));
  CHECK(h.controller->metrics().leader_elections == 2);
  CHECK(h.controller->metrics().offline_partitions == 0);
  // Shutting down a shut-down broker does nothing, and its heartbeats,
  // still on their timer, don't bring it back.
  REQUIRE_OK(h.controller->ControlledShutdown(N(0), h.epochs.at(N(0))));
  REQUIRE_OK(h.controller->Heartbeat(N(0), h.epochs.at(N(0))));
  CHECK(images.size() == 3);
  CHECK_FALSE(h.controller->image()->IsLive(N(0)));
}

TEST_CASE("An unregistered broker is gone from the image and from ISRs",
          "[replication]") {
  ControllerHarness h(2);
  h.Create("t", 2, 2);
  REQUIRE_OK(h.controller->UnregisterBroker(N(1)));
  const auto image = h.controller->image();
  CHECK(image->FindBroker(N(1)) == nullptr);
  CHECK(image->PartitionsLedBy(N(0)).size() == 2);
  CHECK(h.Partition("t", 0).isr == Ids({0}));
  CHECK(HasErrorReason(h.controller->UnregisterBroker(N(1)),
                       ErrorReason::kBrokerIdNotRegistered));
}

TEST_CASE("A new controller gives live brokers a fresh session",
          "[replication]") {
  ControllerHarness h(2);
  h.clock->AdvanceMs(8'000);
  ASSIGN_OR_REQUIRE(auto successor,
                    Controller::Create({.store = h.store, .clock = h.clock}));
  h.clock->AdvanceMs(8'000);  // 16 s since the brokers were heard by anyone
  REQUIRE_OK(successor->Tick());
  CHECK(successor->image()->LiveBrokers() == Ids({0, 1}));
  h.clock->AdvanceMs(1'001);
  REQUIRE_OK(successor->Tick());
  CHECK(successor->image()->LiveBrokers().empty());
}

}  // namespace
}  // namespace rill::replication
