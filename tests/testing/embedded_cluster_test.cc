#include "rill/testing/embedded_cluster.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "absl/synchronization/notification.h"
#include "protocol/messages/api_versions.h"
#include "protocol/messages/metadata.h"
#include "rill/error.h"
#include "server/wire_client.h"
#include "status_test_util.h"

namespace rill::testing {
namespace {

namespace fs = std::filesystem;

// Produce sends `values` to partition 0 of `topic` and flushes.
void Produce(EmbeddedCluster& cluster, const std::string& topic,
             const std::vector<std::string>& values) {
  auto producer = cluster.NewProducer({.linger_ms = 0});
  for (const std::string& v : values) {
    REQUIRE_OK(producer->Send(
        {.topic = topic, .partition = PartitionId(0), .value = v}));
  }
  REQUIRE_OK(producer->Close());
}

// Consume reads partition 0 of `topic` from the start until `count`
// records arrived (or 200 polls passed).
std::vector<std::string> Consume(EmbeddedCluster& cluster,
                                 const std::string& topic, size_t count) {
  auto consumer = cluster.NewConsumer({.enable_auto_commit = false});
  const TopicPartition tp{topic, PartitionId(0)};
  REQUIRE_OK(consumer->Assign({tp}));
  REQUIRE_OK(consumer->SeekToBeginning({tp}));
  std::vector<std::string> values;
  for (int polls = 0; polls < 200 && values.size() < count; ++polls) {
    ASSIGN_OR_REQUIRE(ConsumerRecords records, consumer->Poll(50));
    for (const ConsumerRecord& r : records) values.emplace_back(*r.value);
  }
  REQUIRE_OK(consumer->Close());
  return values;
}

TEST_CASE(
    "An EmbeddedCluster is ready when constructed and removes its "
    "temporary directory when destroyed",
    "[testing]") {
  std::string dir;
  {
    EmbeddedCluster cluster;
    dir = cluster.data_dir();
    CHECK(fs::is_directory(dir));
    CHECK(cluster.num_brokers() == 1);
    CHECK(cluster.manual_clock() == nullptr);
    REQUIRE_OK(cluster.CreateTopic("greetings", 2));
    Produce(cluster, "greetings", {"hello", "world"});
    CHECK(Consume(cluster, "greetings", 2) ==
          std::vector<std::string>{"hello", "world"});
  }
  CHECK_FALSE(fs::exists(dir));
}

TEST_CASE(
    "A cluster on a given directory keeps it, and a new cluster there "
    "finds the data",
    "[testing]") {
  const fs::path dir =
      fs::temp_directory_path() /
      ("rill-kept-" + std::to_string(static_cast<long>(::getpid())));
  fs::remove_all(dir);
  {
    EmbeddedCluster cluster({.data_dir = dir.string()});
    REQUIRE_OK(cluster.CreateTopic("kept"));
    Produce(cluster, "kept", {"a", "b", "c"});
  }
  CHECK(fs::is_directory(dir));
  {
    EmbeddedCluster cluster({.data_dir = dir.string()});
    CHECK(cluster.broker().ListTopics(false) ==
          std::vector<std::string>{"kept"});
    CHECK(Consume(cluster, "kept", 3) ==
          std::vector<std::string>{"a", "b", "c"});
  }
  fs::remove_all(dir);
}

TEST_CASE("An in-memory cluster writes nothing to disk", "[testing]") {
  EmbeddedCluster cluster({.in_memory = true});
  CHECK_FALSE(fs::exists(cluster.data_dir()));
  REQUIRE_OK(cluster.CreateTopic("t"));
  Produce(cluster, "t", {"x"});
  CHECK(Consume(cluster, "t", 1) == std::vector<std::string>{"x"});
  CHECK_FALSE(fs::exists(cluster.data_dir()));
}

TEST_CASE(
    "Restart reopens a broker with its topics, data and committed "
    "offsets",
    "[testing]") {
  for (const bool in_memory : {false, true}) {
    CAPTURE(in_memory);
    EmbeddedCluster cluster({.in_memory = in_memory});
    REQUIRE_OK(cluster.CreateTopic("t"));
    Produce(cluster, "t", {"1", "2"});
    auto admin = cluster.NewAdmin();
    const TopicPartition tp{"t", PartitionId(0)};
    REQUIRE_OK(admin->AlterConsumerGroupOffsets(
        "g", {{tp, {.offset = Offset(1), .metadata = "m"}}}));
    admin.reset();
    REQUIRE_OK(cluster.Restart());
    CHECK(Consume(cluster, "t", 2) == std::vector<std::string>{"1", "2"});
    ASSIGN_OR_REQUIRE(auto offsets,
                      cluster.NewAdmin()->ListConsumerGroupOffsets("g"));
    CHECK(offsets.at(tp).offset == Offset(1));
    CHECK(offsets.at(tp).metadata == "m");
  }
}

TEST_CASE("A manual clock drives retention and session timeouts", "[testing]") {
  EmbeddedCluster cluster({.in_memory = true, .manual_clock = true});
  REQUIRE(cluster.manual_clock() != nullptr);
  const int64_t start = cluster.clock()->NowMs();
  REQUIRE_OK(cluster.CreateTopic(
      "t", 1, {{"retention.ms", "60000"}, {"segment.bytes", "100"}}));
  auto producer = cluster.NewProducer({.linger_ms = 0});
  for (int i = 0; i < 3; ++i) {
    REQUIRE_OK(producer->Send({.topic = "t", .value = std::string(80, 'x')}));
  }
  REQUIRE_OK(producer->Flush());
  cluster.manual_clock()->AdvanceMs(120'000);
  REQUIRE_OK(producer->Send({.topic = "t", .value = "fresh"}));
  REQUIRE_OK(producer->Flush());
  REQUIRE_OK(cluster.broker().RunMaintenance());
  ASSIGN_OR_REQUIRE(
      PartitionOffsets offsets,
      cluster.broker().GetPartitionOffsets({"t", PartitionId(0)}));
  CHECK(offsets.log_start_offset == Offset(3));
  CHECK(cluster.clock()->NowMs() == start + 120'000);

  // A member that stops heartbeating is removed once its session times out.
  GroupCoordinator& groups = cluster.broker().group_coordinator();
  absl::Notification joined;
  std::string member;
  groups.JoinGroup({.group_id = "g",
                    .session_timeout_ms = 10'000,
                    .protocol_type = "consumer",
                    .protocols = {{"range", ""}},
                    .require_known_member_id = false},
                   [&](JoinGroupResponse r) {
                     CHECK_OK(r.status);
                     member = r.member_id;
                     joined.Notify();
                   });
  REQUIRE(joined.WaitForNotificationWithTimeout(absl::Seconds(10)));
  cluster.manual_clock()->AdvanceMs(10'001);
  CHECK(HasErrorReason(
      groups.Heartbeat(
          {.group_id = "g", .generation_id = 1, .member_id = member}),
      ErrorReason::kUnknownMemberId));
}

TEST_CASE("a cluster of no brokers is refused", "[testing]") {
  CHECK(
      absl::IsInvalidArgument(EmbeddedCluster::Start({.brokers = 0}).status()));
}

}  // namespace
}  // namespace rill::testing

namespace rill::testing {
namespace {

TEST_CASE(
    "a listening cluster answers Kafka clients on its bootstrap address, "
    "also after a restart",
    "[testing][integration]") {
  EmbeddedCluster cluster({.in_memory = true, .listen = true});
  const std::string bootstrap = cluster.bootstrap_servers();
  REQUIRE(bootstrap.rfind("127.0.0.1:", 0) == 0);
  const int port = cluster.server()->endpoints().at(0).port;
  CHECK(bootstrap == "127.0.0.1:" + std::to_string(port));
  {
    server::testing::WireClient client(port);
    auto response = client.RoundTrip<protocol::ApiVersionsResponse>(
        protocol::ApiVersionsRequest{}, 3);
    REQUIRE_OK(response.status());
    CHECK(response->error_code == 0);
  }
  REQUIRE_OK(cluster.Restart());
  CHECK(cluster.bootstrap_servers() == bootstrap);
  server::testing::WireClient client(port);
  CHECK_OK(client
               .RoundTrip<protocol::ApiVersionsResponse>(
                   protocol::ApiVersionsRequest{}, 0)
               .status());
}

TEST_CASE(
    "a listening cluster advertises the addresses it is given, also after "
    "a restart",
    "[testing][integration]") {
  EmbeddedCluster cluster(
      {.in_memory = true,
       .listen = true,
       .server = {.advertised_listeners = {"PLAINTEXT://127.0.0.1:19092"}}});
  const int port = cluster.server()->endpoints().at(0).port;
  for (int round = 0; round < 2; ++round) {
    server::testing::WireClient client(port);
    auto r = client.RoundTrip<protocol::MetadataResponse>(
        protocol::MetadataRequest{}, 1);
    REQUIRE_OK(r.status());
    REQUIRE(r->brokers.size() == 1);
    CHECK(r->brokers[0].host == "127.0.0.1");
    CHECK(r->brokers[0].port == 19092);
    if (round == 0) REQUIRE_OK(cluster.Restart());
  }
}

TEST_CASE("a cluster without listeners has no bootstrap address", "[testing]") {
  EmbeddedCluster cluster({.in_memory = true});
  CHECK(cluster.bootstrap_servers().empty());
  CHECK(cluster.server() == nullptr);
}

}  // namespace
}  // namespace rill::testing
