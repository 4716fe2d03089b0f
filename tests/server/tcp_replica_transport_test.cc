// The TCP replica transport against a real leader: broker 0 served on a
// loopback port, in a cluster whose broker 1 is this test, fetching as a
// follower would.
#include "rill/server/tcp_replica_transport.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "broker/broker_test_util.h"
#include "rill/broker/broker.h"
#include "rill/broker/in_process_replica_transport.h"
#include "rill/error.h"
#include "rill/replication/controller.h"
#include "rill/replication/metadata_store.h"
#include "rill/server/kafka_server.h"
#include "status_test_util.h"

namespace rill::server::testing {
namespace {

using replication::EpochEndOffsetAnswer;
using replication::ReplicaFetchResponse;
using replication::ReplicaTransport;

constexpr NodeId kLeader = NodeId(0);
constexpr NodeId kFollower = NodeId(1);
constexpr auto kWait = absl::Seconds(20);

// Answer collects a transport's answer, counting how often it comes.
template <typename T>
struct Answer {
  absl::Notification done;
  std::atomic<int> calls{0};
  std::optional<absl::StatusOr<T>> result;
};

// Await runs `call` with a callback and waits for the answer.
template <typename T, typename Call>
absl::StatusOr<T> Await(Call call) {
  auto answer = std::make_shared<Answer<T>>();
  call([answer](absl::StatusOr<T> r) {
    if (answer->calls.fetch_add(1) == 0) {
      answer->result = std::move(r);
      answer->done.Notify();
    }
  });
  REQUIRE(answer->done.WaitForNotificationWithTimeout(kWait));
  CHECK(answer->calls.load() == 1);
  return *answer->result;
}

// WireLeader: a metadata store and controller, a fake broker 1 registered
// by hand, and broker 0 (in memory) served on a loopback listener.
struct WireLeader {
  WireLeader() {
    store = replication::NewInProcessMetadataStore();
    auto created = replication::Controller::Create({.store = store});
    REQUIRE_OK(created.status());
    controller = std::move(*created);
    auto registered = controller->RegisterBroker(kFollower, {});
    REQUIRE_OK(registered.status());
    follower_epoch = *registered;
    Listen();
    port = server->endpoints().at(0).port;
    BrokerOptions options;
    options.node_id = kLeader;
    options.logger = NullLogger();
    options.metadata_store = store;
    options.controller = controller;
    // Broker 0 follows nobody reachable: the fake broker has no log.
    options.replica_transport =
        NewInProcessReplicaTransport([](NodeId, NodeId) { return nullptr; });
    options.advertised_endpoints = {
        {.listener_name = "PLAINTEXT", .host = "127.0.0.1", .port = port}};
    auto opened = Broker::Open(std::move(options));
    REQUIRE_OK(opened.status());
    broker = std::move(*opened);
    REQUIRE_OK(server->Serve(*broker));
    transport = NewTcpReplicaTransport(
        {.resolve =
             [store = store](NodeId id, std::string_view listener) {
               return FindBrokerEndpoint(*store->image(), id, listener);
             },
         .request_timeout_ms = 10'000,
         .logger = NullLogger()});
  }
  ~WireLeader() {
    transport.reset();
    if (server) server->Shutdown();
    (void)broker->Close();
  }

  // Listen binds the listener, on `port` once it is known.
  void Listen() {
    auto bound = KafkaServer::Bind(
        {.listeners = {absl::StrCat("PLAINTEXT://127.0.0.1:", port)},
         .logger = NullLogger()});
    REQUIRE_OK(bound.status());
    server = std::move(*bound);
  }

  // CreateTopic places partition 0 of `name` on `replicas` (the first
  // leads) and waits until broker 0 has applied it.
  void CreateTopic(const std::string& name, std::vector<NodeId> replicas) {
    REQUIRE_OK(controller
                   ->CreateTopic({.name = name,
                                  .num_partitions = -1,
                                  .replication_factor = -1,
                                  .configs = {}},
                                 {.replica_assignment = {std::move(replicas)}})
                   .status());
    Sync();
  }
  // Sync waits until broker 0 has applied the newest metadata (creating a
  // topic through it waits for that).
  void Sync() {
    REQUIRE_OK(broker->CreateTopic(
        {.name = absl::StrCat("sync-", ++syncs), .replication_factor = 1}));
  }
  LeaderEpoch EpochOf(const std::string& topic) {
    const auto* p = store->image()->FindPartition({topic, PartitionId(0)});
    REQUIRE(p != nullptr);
    return p->leader_epoch;
  }

  absl::StatusOr<ReplicaFetchResponse> Fetch(const std::string& topic,
                                             Offset offset, LeaderEpoch epoch,
                                             NodeId leader = kLeader) {
    replication::ReplicaFetchRequest request{
        .replica_id = kFollower,
        .partitions = {{.tp = {topic, PartitionId(0)},
                        .fetch_offset = offset,
                        .current_leader_epoch = epoch}},
        .max_wait_ms = 0};
    return Await<ReplicaFetchResponse>([&](auto done) {
      transport->Fetch(kFollower, leader, std::move(request), std::move(done));
    });
  }

  std::shared_ptr<replication::MetadataStore> store;
  std::shared_ptr<replication::Controller> controller;
  int64_t follower_epoch = -1;
  int port = 0;
  std::unique_ptr<KafkaServer> server;
  std::unique_ptr<Broker> broker;
  std::shared_ptr<ReplicaTransport> transport;
  int syncs = 0;
};

TEST_CASE(
    "a replica fetch over TCP copies the leader's records and moves its "
    "high watermark, acknowledging acks=all",
    "[server][replication]") {
  WireLeader w;
  w.CreateTopic("t", {kLeader, kFollower});
  const TopicPartition tp{"t", PartitionId(0)};
  std::string batch = rill::test::MakeBatch({{.key = "k", .value = "v"}});
  absl::Notification acked;
  absl::StatusOr<ProduceResult> produced = absl::UnknownError("no answer");
  w.broker->Produce(tp, std::span<char>(batch.data(), batch.size()),
                    {.acks = Acks::kAll, .timeout_ms = 20'000},
                    [&](absl::StatusOr<ProduceResult> r) {
                      produced = std::move(r);
                      acked.Notify();
                    });
  // The follower has not fetched it: not acknowledged yet.
  CHECK_FALSE(acked.HasBeenNotified());

  const LeaderEpoch epoch = w.EpochOf("t");
  auto first = w.Fetch("t", Offset(0), epoch);
  REQUIRE_OK(first.status());
  REQUIRE(first->partitions.size() == 1);
  const replication::ReplicaFetchedPartition& p = first->partitions[0];
  CHECK(p.tp == tp);
  REQUIRE_OK(p.status);
  // The follower reads past the high watermark, which waits for it: the
  // batch as stored (only its partition leader epoch, bytes 12-15, set).
  REQUIRE(p.records.size() == batch.size());
  CHECK(p.records.substr(0, 12) == batch.substr(0, 12));
  CHECK(p.records.substr(16) == batch.substr(16));
  CHECK(p.high_watermark == Offset(0));
  CHECK(p.log_start_offset == Offset(0));
  CHECK_FALSE(acked.HasBeenNotified());

  // Fetching from offset 1 says the follower has offset 0.
  auto second = w.Fetch("t", Offset(1), epoch);
  REQUIRE_OK(second.status());
  REQUIRE_OK(second->partitions.at(0).status);
  CHECK(second->partitions[0].high_watermark == Offset(1));
  CHECK(second->partitions[0].records.empty());
  REQUIRE(acked.WaitForNotificationWithTimeout(kWait));
  REQUIRE_OK(produced.status());
  CHECK(produced->base_offset == Offset(0));
}

TEST_CASE(
    "the leader takes a follower back into the ISR once its fetch over TCP "
    "has caught up",
    "[server][replication]") {
  WireLeader w;
  w.CreateTopic("t", {kLeader, kFollower});
  const TopicPartition tp{"t", PartitionId(0)};
  // The follower dies (leaves the ISR) and comes back.
  REQUIRE_OK(w.controller->FenceBroker(kFollower));
  REQUIRE_OK(w.controller->Heartbeat(kFollower, w.follower_epoch));
  w.Sync();
  REQUIRE(w.store->image()->FindPartition(tp)->isr ==
          std::vector<NodeId>{kLeader});

  absl::Mutex mu;
  bool rejoined = false;
  replication::MetadataSubscription watch = w.store->Subscribe(
      [&](const std::shared_ptr<const replication::ClusterImage>& image) {
        const replication::PartitionState* p = image->FindPartition(tp);
        absl::MutexLock lock(&mu);
        if (p != nullptr && p->isr.size() == 2) rejoined = true;
      });
  REQUIRE_OK(w.Fetch("t", Offset(0), w.EpochOf("t")).status());
  absl::MutexLock lock(&mu);
  CHECK(mu.AwaitWithTimeout(absl::Condition(&rejoined), kWait));
  CHECK(w.store->image()->FindPartition(tp)->isr ==
        std::vector<NodeId>{kLeader, kFollower});
}

TEST_CASE(
    "OffsetsForLeaderEpoch over TCP finds where the follower's epoch ends",
    "[server][replication]") {
  WireLeader w;
  w.CreateTopic("t", {kLeader, kFollower});
  const TopicPartition tp{"t", PartitionId(0)};
  for (int i = 0; i < 3; ++i) {
    REQUIRE_OK(rill::test::ProduceSync(
                   *w.broker, tp,
                   rill::test::MakeBatch({{.key = "k", .value = "v"}}),
                   {.acks = Acks::kLeader})
                   .status());
  }
  const LeaderEpoch epoch = w.EpochOf("t");
  auto answers = Await<std::vector<EpochEndOffsetAnswer>>([&](auto done) {
    w.transport->OffsetsForLeaderEpoch(
        kFollower, kLeader,
        {{.tp = tp, .current_leader_epoch = epoch, .leader_epoch = epoch},
         {.tp = {"absent", PartitionId(0)}, .leader_epoch = epoch}},
        std::move(done));
  });
  REQUIRE_OK(answers.status());
  REQUIRE(answers->size() == 2);
  CHECK((*answers)[0].tp == tp);
  REQUIRE_OK((*answers)[0].status);
  CHECK((*answers)[0].leader_epoch == epoch);
  CHECK((*answers)[0].end_offset == Offset(3));
  CHECK(HasErrorReason((*answers)[1].status,
                       ErrorReason::kUnknownTopicOrPartition));
}

TEST_CASE(
    "a fetch or epoch query in a stale or future leader epoch comes back "
    "as kFencedLeaderEpoch or kUnknownLeaderEpoch",
    "[server][replication]") {
  WireLeader w;
  // Broker 1 leads first; when it dies, broker 0 leads in the next epoch.
  w.CreateTopic("f", {kFollower, kLeader});
  const LeaderEpoch old_epoch = w.EpochOf("f");
  REQUIRE_OK(w.controller->FenceBroker(kFollower));
  w.Sync();
  const LeaderEpoch epoch = w.EpochOf("f");
  REQUIRE(epoch > old_epoch);
  REQUIRE(w.store->image()->FindPartition({"f", PartitionId(0)})->leader ==
          kLeader);

  auto stale = w.Fetch("f", Offset(0), old_epoch);
  REQUIRE_OK(stale.status());
  CHECK(HasErrorReason(stale->partitions.at(0).status,
                       ErrorReason::kFencedLeaderEpoch));
  auto future = w.Fetch("f", Offset(0), LeaderEpoch(epoch.value() + 1));
  REQUIRE_OK(future.status());
  CHECK(HasErrorReason(future->partitions.at(0).status,
                       ErrorReason::kUnknownLeaderEpoch));
  auto current = w.Fetch("f", Offset(0), epoch);
  REQUIRE_OK(current.status());
  CHECK_OK(current->partitions.at(0).status);

  auto answers = Await<std::vector<EpochEndOffsetAnswer>>([&](auto done) {
    w.transport->OffsetsForLeaderEpoch(kFollower, kLeader,
                                       {{.tp = {"f", PartitionId(0)},
                                         .current_leader_epoch = old_epoch,
                                         .leader_epoch = old_epoch}},
                                       std::move(done));
  });
  REQUIRE_OK(answers.status());
  CHECK(HasErrorReason(answers->at(0).status, ErrorReason::kFencedLeaderEpoch));
}

TEST_CASE("a leader that cannot be reached fails the call with kUnavailable",
          "[server][replication]") {
  WireLeader w;
  w.CreateTopic("t", {kLeader, kFollower});
  SECTION("a broker the metadata does not know") {
    auto fetched = w.Fetch("t", Offset(0), LeaderEpoch(-1), NodeId(7));
    CHECK(absl::IsUnavailable(fetched.status()));
  }
  SECTION("a registered broker whose port refuses connections") {
    int closed_port;
    {
      auto bound = KafkaServer::Bind(
          {.listeners = {"PLAINTEXT://127.0.0.1:0"}, .logger = NullLogger()});
      REQUIRE_OK(bound.status());
      closed_port = (*bound)->endpoints().at(0).port;
    }
    REQUIRE_OK(w.controller
                   ->RegisterBroker(NodeId(5), {{.listener_name = "PLAINTEXT",
                                                 .host = "127.0.0.1",
                                                 .port = closed_port}})
                   .status());
    auto fetched = w.Fetch("t", Offset(0), LeaderEpoch(-1), NodeId(5));
    CHECK(absl::IsUnavailable(fetched.status()));
    auto answers = Await<std::vector<EpochEndOffsetAnswer>>([&](auto done) {
      w.transport->OffsetsForLeaderEpoch(kFollower, NodeId(5), {},
                                         std::move(done));
    });
    CHECK(absl::IsUnavailable(answers.status()));
  }
  SECTION("a broker without the listener asked for") {
    auto other = NewTcpReplicaTransport(
        {.resolve =
             [store = w.store](NodeId id, std::string_view listener) {
               return FindBrokerEndpoint(*store->image(), id, listener);
             },
         .listener_name = "REPLICATION",
         .logger = NullLogger()});
    auto fetched = Await<ReplicaFetchResponse>([&](auto done) {
      other->Fetch(kFollower, kLeader,
                   {.replica_id = kFollower,
                    .partitions = {{.tp = {"t", PartitionId(0)}}},
                    .max_wait_ms = 0},
                   std::move(done));
    });
    CHECK(absl::IsUnavailable(fetched.status()));
  }
}

TEST_CASE("the transport reconnects once a restarted leader listens again",
          "[server][replication]") {
  WireLeader w;
  w.CreateTopic("t", {kLeader, kFollower});
  const LeaderEpoch epoch = w.EpochOf("t");
  REQUIRE_OK(w.Fetch("t", Offset(0), epoch).status());

  w.server->Shutdown();
  w.server.reset();
  // The connection is gone (reset, or refused when dialled again).
  CHECK(absl::IsUnavailable(w.Fetch("t", Offset(0), epoch).status()));

  w.Listen();  // the same port
  REQUIRE_OK(w.server->Serve(*w.broker));
  auto fetched = w.Fetch("t", Offset(0), epoch);
  REQUIRE_OK(fetched.status());
  CHECK_OK(fetched->partitions.at(0).status);
}

TEST_CASE(
    "destroying the transport answers a call still waiting with kCancelled, "
    "once",
    "[server][replication]") {
  WireLeader w;
  w.CreateTopic("t", {kLeader, kFollower});
  auto answer = std::make_shared<Answer<ReplicaFetchResponse>>();
  // Nothing to read: the leader holds this fetch for a minute.
  w.transport->Fetch(kFollower, kLeader,
                     {.replica_id = kFollower,
                      .partitions = {{.tp = {"t", PartitionId(0)},
                                      .fetch_offset = Offset(0),
                                      .current_leader_epoch = w.EpochOf("t")}},
                      .max_wait_ms = 60'000},
                     [answer](absl::StatusOr<ReplicaFetchResponse> r) {
                       if (answer->calls.fetch_add(1) == 0) {
                         answer->result = std::move(r);
                         answer->done.Notify();
                       }
                     });
  // Calls run in order on the transport's thread: once another pair's
  // call is answered, the fetch above is on its connection.
  REQUIRE_OK((Await<std::vector<EpochEndOffsetAnswer>>([&](auto done) {
                w.transport->OffsetsForLeaderEpoch(NodeId(3), kLeader, {},
                                                   std::move(done));
              }).status()));
  CHECK_FALSE(answer->done.HasBeenNotified());
  w.transport.reset();
  // The destructor joined the transport's thread: the answer is in.
  REQUIRE(answer->done.HasBeenNotified());
  CHECK(answer->calls.load() == 1);
  CHECK(absl::IsCancelled(answer->result->status()));
}

}  // namespace
}  // namespace rill::server::testing
