// LinkFaultTransport: replica traffic through cut, slow and closed links,
// on a manual clock.
#include "testing/link_fault_transport.h"

#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <vector>

#include "rill/clock.h"
#include "status_test_util.h"
#include "testing/links.h"
#include "util/timer_queue.h"

namespace rill::testing::internal {
namespace {

using replication::ReplicaFetchRequest;
using replication::ReplicaFetchResponse;
using replication::ReplicaTransport;

// HeldTransport keeps every fetch it is sent until the test answers it.
class HeldTransport final : public ReplicaTransport {
 public:
  void Fetch(NodeId from, NodeId leader, ReplicaFetchRequest request,
             FetchCallback done) override {
    (void)from;
    (void)leader;
    (void)request;
    held.push_back(std::move(done));
  }
  void OffsetsForLeaderEpoch(
      NodeId from, NodeId leader,
      std::vector<replication::EpochEndOffsetQuery> queries,
      EpochCallback done) override {
    (void)from;
    (void)leader;
    done(std::vector<replication::EpochEndOffsetAnswer>(queries.size()));
  }

  // Answer answers the oldest held fetch.
  void Answer() {
    REQUIRE_FALSE(held.empty());
    FetchCallback done = std::move(held.front());
    held.erase(held.begin());
    done(ReplicaFetchResponse{});
  }

  std::vector<FetchCallback> held;
};

struct Fixture {
  Fixture()
      : clock(std::make_shared<ManualClock>(1'000)),
        timers(std::make_unique<util::TimerQueue>(clock)),
        base(std::make_shared<HeldTransport>()),
        transport(
            std::make_shared<LinkFaultTransport>(base, links, timers.get())) {}
  ~Fixture() {
    transport->Shutdown();
    timers->Shutdown();
  }

  // Fetch sends a fetch from broker 1 to broker 2; its answer lands in
  // `answer`.
  void Fetch() {
    transport->Fetch(NodeId(1), NodeId(2), {},
                     [this](absl::StatusOr<ReplicaFetchResponse> r) {
                       answer = r.status();
                     });
  }

  std::shared_ptr<ManualClock> clock;
  std::shared_ptr<Links> links = std::make_shared<Links>();
  std::unique_ptr<util::TimerQueue> timers;
  std::shared_ptr<HeldTransport> base;
  std::shared_ptr<LinkFaultTransport> transport;
  std::optional<absl::Status> answer;
};

TEST_CASE("a healthy link passes calls and answers straight through",
          "[testing][faults]") {
  Fixture f;
  f.Fetch();
  REQUIRE(f.base->held.size() == 1);
  CHECK_FALSE(f.answer.has_value());
  f.base->Answer();
  REQUIRE(f.answer.has_value());
  CHECK_OK(*f.answer);
}

TEST_CASE("a cut link fails calls at once and loses answers on the way",
          "[testing][faults]") {
  Fixture f;
  f.links->Cut(2, 1);
  f.Fetch();
  CHECK(f.base->held.empty());
  REQUIRE(f.answer.has_value());
  CHECK(absl::IsUnavailable(*f.answer));

  f.answer.reset();
  f.links->Heal(1, 2);
  f.Fetch();
  REQUIRE(f.base->held.size() == 1);
  f.links->Cut(1, 2);
  f.base->Answer();
  REQUIRE(f.answer.has_value());
  CHECK(absl::IsUnavailable(*f.answer));
}

TEST_CASE("latency delays the call and then its answer, on the clock",
          "[testing][faults]") {
  Fixture f;
  f.links->SetLatencyMs(1, 2, 100);
  f.Fetch();
  CHECK(f.base->held.empty());
  f.clock->AdvanceMs(99);
  CHECK(f.base->held.empty());
  f.clock->AdvanceMs(1);
  REQUIRE(f.base->held.size() == 1);

  f.base->Answer();
  CHECK_FALSE(f.answer.has_value());
  f.clock->AdvanceMs(100);
  REQUIRE(f.answer.has_value());
  CHECK_OK(*f.answer);
}

TEST_CASE(
    "a call in flight is lost when either end drops its connections, and "
    "delayed calls fail at shutdown",
    "[testing][faults]") {
  Fixture f;
  f.Fetch();
  f.links->DropConnections(2);  // the leader restarted meanwhile
  f.base->Answer();
  REQUIRE(f.answer.has_value());
  CHECK(absl::IsUnavailable(*f.answer));

  f.answer.reset();
  f.links->SetLatencyMs(1, 2, 50);
  f.Fetch();
  f.transport->Shutdown();
  REQUIRE(f.answer.has_value());
  CHECK(absl::IsUnavailable(*f.answer));
  CHECK(f.base->held.empty());
}

}  // namespace
}  // namespace rill::testing::internal
