// EmbeddedCluster as a server runs it: several brokers kept in a directory
// (their cluster metadata too) and listeners on chosen ports and hosts.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "protocol/messages/metadata.h"
#include "rill/testing/embedded_cluster.h"
#include "server/wire_client.h"
#include "status_test_util.h"
#include "testing/cluster_test_util.h"

namespace rill::testing {
namespace {

namespace fs = std::filesystem;

using test::Leader;
using test::ProduceTo;
using test::ReadValues;
using test::WaitFor;

// ScratchDir is a directory of the test's own, removed when it goes.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_(fs::temp_directory_path() /
              absl::StrCat("rill-", name, "-", static_cast<long>(::getpid()))) {
    fs::remove_all(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

// KeptCluster is three brokers over `dir`, quick to fetch again.
EmbeddedClusterOptions KeptCluster(const std::string& dir) {
  EmbeddedClusterOptions options{.brokers = 3, .data_dir = dir};
  options.broker.replica_fetch_backoff_ms = 10;
  return options;
}

// UnfencedEpochs are the broker epochs of the unfenced brokers of the
// controller's image, by node id.
std::map<int, int64_t> UnfencedEpochs(const EmbeddedCluster& cluster) {
  std::map<int, int64_t> epochs;
  for (const auto& [id, broker] : cluster.controller()->image()->brokers()) {
    if (!broker.fenced) epochs[id.value()] = broker.epoch;
  }
  return epochs;
}

TEST_CASE(
    "a cluster of three kept in a directory starts again over it with its "
    "topics, replicas and records, twice",
    "[testing][replication]") {
  ScratchDir dir("kept-cluster");
  const std::vector<TopicPartition> tps = {{"t", PartitionId(0)},
                                           {"t", PartitionId(1)}};
  std::string cluster_id;
  std::map<int, int64_t> epochs;
  {
    EmbeddedCluster cluster(KeptCluster(dir.path()));
    cluster_id = cluster.broker(0).cluster_id();
    epochs = UnfencedEpochs(cluster);
    REQUIRE(epochs.size() == 3);
    REQUIRE_OK(cluster.CreateTopic("t", 2, {{"min.insync.replicas", "2"}}));
    for (const TopicPartition& tp : tps) {
      Broker& leader = cluster.broker(Leader(cluster, tp));
      for (int i = 0; i < 3; ++i) {
        ASSIGN_OR_REQUIRE(ProduceResult r,
                          ProduceTo(leader, tp, absl::StrCat("a", i)));
        CHECK(r.base_offset == Offset(i));
      }
    }
  }
  CHECK(fs::is_directory(fs::path(dir.path()) / "__cluster_metadata"));
  CHECK(fs::is_directory(fs::path(dir.path()) / "broker-2"));

  for (int round = 1; round <= 2; ++round) {
    CAPTURE(round);
    EmbeddedCluster cluster(KeptCluster(dir.path()));
    for (int b = 0; b < 3; ++b)
      CHECK(cluster.broker(b).cluster_id() == cluster_id);
    // Every broker registered again, with a new epoch.
    const std::map<int, int64_t> registered = UnfencedEpochs(cluster);
    REQUIRE(registered.size() == 3);
    for (const auto& [id, epoch] : registered) CHECK(epoch > epochs.at(id));
    epochs = registered;
    const replication::TopicState* topic =
        cluster.controller()->image()->FindTopic("t");
    REQUIRE(topic != nullptr);
    REQUIRE(topic->partitions.size() == 2);
    for (const TopicPartition& tp : tps) {
      CAPTURE(tp.partition.value());
      CHECK(test::State(cluster, tp).replicas.size() == 3);
      Broker& leader = cluster.broker(Leader(cluster, tp));
      std::vector<std::string> expected = {"a0", "a1", "a2"};
      if (round == 2) expected.push_back("b");
      // Readable up to the high watermark, which a new leader moves up once
      // its followers fetch again.
      std::vector<std::string> read;
      CHECK(WaitFor([&] {
        read = ReadValues(leader, tp);
        return read == expected;
      }));
      CHECK(read == expected);
      // The followers catch up and rejoin the ISR, so acks=all with
      // min.insync.replicas=2 goes on working.
      CHECK(WaitFor([&] { return test::State(cluster, tp).isr.size() == 3; }));
      if (round == 1) {
        ASSIGN_OR_REQUIRE(ProduceResult r, ProduceTo(leader, tp, "b"));
        CHECK(r.base_offset == Offset(3));
      }
    }
  }
}

TEST_CASE(
    "a kept directory is refused by a cluster with a different layout: one "
    "broker's for several, several brokers' for one",
    "[testing]") {
  ScratchDir one("kept-one");
  ScratchDir three("kept-three");
  { EmbeddedCluster cluster({.data_dir = one.path()}); }
  { EmbeddedCluster cluster({.brokers = 3, .data_dir = three.path()}); }

  absl::StatusOr<std::unique_ptr<EmbeddedCluster>> several =
      EmbeddedCluster::Start({.brokers = 3, .data_dir = one.path()});
  CHECK(absl::IsFailedPrecondition(several.status()));
  absl::StatusOr<std::unique_ptr<EmbeddedCluster>> single =
      EmbeddedCluster::Start({.data_dir = three.path()});
  CHECK(absl::IsFailedPrecondition(single.status()));
  // Each still opens with its own layout.
  CHECK_OK(EmbeddedCluster::Start({.data_dir = one.path()}).status());
  CHECK_OK(EmbeddedCluster::Start({.brokers = 3, .data_dir = three.path()})
               .status());
}

// FreePort is a port the OS just gave out and took back: likely free for a
// moment, which is why its users retry.
int FreePort() {
  absl::StatusOr<std::unique_ptr<KafkaServer>> probe =
      KafkaServer::Bind({.listeners = {"PLAINTEXT://127.0.0.1:0"}});
  REQUIRE_OK(probe.status());
  return (*probe)->endpoints().at(0).port;
}

TEST_CASE(
    "with a first port, broker i listens on first port + i, and Metadata "
    "lists them there",
    "[testing][integration]") {
  std::unique_ptr<EmbeddedCluster> cluster;
  int first = 0;
  // Another process may take one of the three ports in between.
  for (int attempt = 0; attempt < 20 && cluster == nullptr; ++attempt) {
    first = FreePort();
    if (first > 65535 - 2) continue;
    absl::StatusOr<std::unique_ptr<EmbeddedCluster>> started =
        EmbeddedCluster::Start({.brokers = 3,
                                .in_memory = true,
                                .listen = true,
                                .first_port = first});
    if (started.ok()) cluster = *std::move(started);
  }
  REQUIRE(cluster != nullptr);
  CHECK(cluster->bootstrap_servers() == absl::StrCat("127.0.0.1:", first,
                                                     ",127.0.0.1:", first + 1,
                                                     ",127.0.0.1:", first + 2));
  for (int i = 0; i < 3; ++i) {
    CHECK(cluster->server(i)->endpoints().at(0).port == first + i);
  }
  server::testing::WireClient client(first + 2);
  auto metadata = client.RoundTrip<protocol::MetadataResponse>(
      protocol::MetadataRequest{}, 1);
  REQUIRE_OK(metadata.status());
  REQUIRE(metadata->brokers.size() == 3);
  for (const auto& broker : metadata->brokers) {
    CHECK(broker.host == "127.0.0.1");
    CHECK(broker.port == first + broker.node_id);
  }
  // A restarted broker comes back on its port.
  REQUIRE_OK(cluster->Restart(1));
  CHECK(cluster->server(1)->endpoints().at(0).port == first + 1);
}

TEST_CASE(
    "an advertised host is what Metadata and bootstrap_servers give clients, "
    "with each broker's own port",
    "[testing][integration]") {
  EmbeddedCluster cluster({.brokers = 2,
                           .in_memory = true,
                           .listen = true,
                           .advertised_host = "localhost"});
  const int port0 = cluster.server(0)->endpoints().at(0).port;
  const int port1 = cluster.server(1)->endpoints().at(0).port;
  CHECK(cluster.bootstrap_servers() ==
        absl::StrCat("localhost:", port0, ",localhost:", port1));
  server::testing::WireClient client(port0);
  auto metadata = client.RoundTrip<protocol::MetadataResponse>(
      protocol::MetadataRequest{}, 1);
  REQUIRE_OK(metadata.status());
  REQUIRE(metadata->brokers.size() == 2);
  for (const auto& broker : metadata->brokers) {
    CHECK(broker.host == "localhost");
    CHECK(broker.port == (broker.node_id == 0 ? port0 : port1));
  }
}

TEST_CASE("a first port whose last broker's port is out of range is refused",
          "[testing]") {
  absl::StatusOr<std::unique_ptr<EmbeddedCluster>> cluster =
      EmbeddedCluster::Start({.brokers = 3,
                              .in_memory = true,
                              .listen = true,
                              .first_port = 65534});
  CHECK(absl::IsInvalidArgument(cluster.status()));
  CHECK(absl::IsInvalidArgument(
      EmbeddedCluster::Start(
          {.in_memory = true, .listen = true, .first_port = -1})
          .status()));
}

}  // namespace
}  // namespace rill::testing
