// rill/testing/embedded_cluster.h — a Kafka cluster inside your test.
//
// Starts in milliseconds, needs no JVM and no ports, and is ready when the
// constructor returns. Data lives in a temporary directory removed on
// destruction (or a directory you name and keep, or memory), and time can be
// a ManualClock the test moves, for retention, session timeouts and
// rebalances without sleeping.
//
//   rill::testing::EmbeddedCluster cluster;
//   REQUIRE(cluster.CreateTopic("orders", 3).ok());
//   auto producer = cluster.NewProducer();
//   auto consumer = cluster.NewConsumer({.group_id = "g",
//       .auto_offset_reset = rill::AutoOffsetReset::kEarliest});
//
//   rill::testing::EmbeddedCluster timed({.manual_clock = true});
//   timed.manual_clock()->AdvanceMs(45'000);   // sessions expire now
//
// Real Kafka clients can join in: `.listen = true` gives every broker a
// loopback listener, and bootstrap_servers() is what to hand librdkafka.
//
//   rill::testing::EmbeddedCluster cluster({.listen = true});
//   rd_kafka_conf_set(conf, "bootstrap.servers",
//                     cluster.bootstrap_servers().c_str(), ...);
//
// Several brokers replicate: `.brokers = 3` starts three brokers sharing
// one in-process metadata store and controller, each with its own data
// directory; topics get replication factor min(3, brokers), followers fetch
// from leaders through direct calls, and leadership fails over when a
// broker stops.
//
//   rill::testing::EmbeddedCluster cluster({.brokers = 3, .listen = true});
//   REQUIRE(cluster.CreateTopic("orders", 6,
//                               {{"min.insync.replicas", "2"}}).ok());
//
// With `.replicate_over_wire = true` (which needs `.listen = true`)
// followers fetch from leaders as separate rill-server processes do: Kafka
// Fetch and OffsetForLeaderEpoch requests over TCP to the leader's
// listener (rill/server/tcp_replica_transport.h), the leader's address
// taken from its registration in the cluster metadata.
//
//   rill::testing::EmbeddedCluster wired(
//       {.brokers = 3, .listen = true, .replicate_over_wire = true});
#ifndef RILL_TESTING_EMBEDDED_CLUSTER_H_
#define RILL_TESTING_EMBEDDED_CLUSTER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "rill/broker/broker.h"
#include "rill/client/admin.h"
#include "rill/client/consumer.h"
#include "rill/client/producer.h"
#include "rill/clock.h"
#include "rill/replication/controller.h"
#include "rill/replication/metadata_store.h"
#include "rill/server/kafka_server.h"

namespace rill::testing {

// TestBrokerOptions are BrokerOptions tuned for tests: no initial rebalance
// delay, group.min.session.timeout.ms of 1 ms, and no background
// maintenance thread when the clock is manual.
BrokerOptions TestBrokerOptions();

// EmbeddedClusterOptions configure an EmbeddedCluster.
struct EmbeddedClusterOptions {
  // Number of brokers (node ids 0..brokers-1). Default: 1.
  int brokers = 1;
  // Where data lives. Empty: a fresh temporary directory, removed when the
  // cluster is destroyed. Given: used and kept. Default: empty.
  std::string data_dir = {};
  // Keep everything in memory instead (data_dir is then ignored).
  // Default: false.
  bool in_memory = false;
  // Drive time with a ManualClock starting at manual_clock_start_ms.
  // Default: false (system clock).
  bool manual_clock = false;
  int64_t manual_clock_start_ms = 1'700'000'000'000;
  // Expose every broker to Kafka clients on a loopback port chosen by the
  // OS. Ports are bound before the brokers start, so there is no window in
  // which another process can take them. Default: false.
  bool listen = false;
  // Followers reach leaders over Kafka's wire protocol, through the
  // leaders' listeners, instead of by direct calls. Needs `listen`: Start
  // fails without it. No effect with one broker. Default: false.
  bool replicate_over_wire = false;
  // Server settings for listeners (listeners are always 127.0.0.1:0).
  // advertised_listeners, if set, is what Metadata reports instead of the
  // bound address (a test's proxy in front of the broker, say); honoured
  // only with one broker. Default: KafkaServerOptions{} with a quiet logger.
  KafkaServerOptions server = {};
  // Broker settings; node_id, data_dir, fs and clock are filled in per
  // broker. Default: TestBrokerOptions().
  BrokerOptions broker = TestBrokerOptions();
};

// EmbeddedCluster owns its brokers and their storage. Thread-safe to use
// the brokers and clients it hands out; Restart must not race other calls.
class EmbeddedCluster {
 public:
  // Start returns a running cluster or why it could not start.
  static absl::StatusOr<std::unique_ptr<EmbeddedCluster>> Start(
      EmbeddedClusterOptions options = {});
  // The constructor starts the cluster and aborts the process with the
  // reason if it cannot (a test cannot go on without its cluster).
  explicit EmbeddedCluster(EmbeddedClusterOptions options = {});
  ~EmbeddedCluster();
  EmbeddedCluster(const EmbeddedCluster&) = delete;
  EmbeddedCluster& operator=(const EmbeddedCluster&) = delete;

  int num_brokers() const { return options_.brokers; }
  Broker& broker(int index = 0) { return *brokers_.at(index); }
  // controller is the cluster's controller (null with one broker, which
  // runs its own).
  replication::Controller* controller() const { return controller_.get(); }
  const std::string& data_dir() const { return data_dir_; }
  std::shared_ptr<Clock> clock() const { return clock_; }
  // manual_clock is the cluster's ManualClock, or null on real time.
  ManualClock* manual_clock() const { return manual_clock_.get(); }

  // CreateTopic creates a topic (replication factor: all brokers, capped at
  // 3 once there are several).
  absl::Status CreateTopic(const std::string& name, int32_t partitions = 1,
                           std::map<std::string, std::string> configs = {});

  // bootstrap_servers is "127.0.0.1:port[,...]" of every broker's
  // listener, for a Kafka client's bootstrap.servers; empty unless
  // `.listen = true`.
  std::string bootstrap_servers() const;
  // server is broker `index`'s listener (null unless `.listen = true`).
  KafkaServer* server(int index = 0) const {
    return servers_.empty() ? nullptr : servers_.at(index).get();
  }

  // New clients connected to broker 0; they abort the process if they
  // cannot be created (tests want the client or nothing).
  std::unique_ptr<Producer> NewProducer(ProducerOptions options = {});
  std::unique_ptr<Consumer> NewConsumer(ConsumerOptions options = {});
  std::unique_ptr<Admin> NewAdmin();

  // Restart closes broker `index` cleanly and opens it again over the same
  // storage (in-process clients of it must be closed first). Its listener,
  // if any, closes its connections and is bound again on the same port.
  absl::Status Restart(int index = 0);

 private:
  struct Uninitialized {};
  explicit EmbeddedCluster(Uninitialized) {}
  absl::Status Init(EmbeddedClusterOptions options);
  BrokerOptions OptionsFor(int index) const;
  std::shared_ptr<Broker> Find(NodeId from, NodeId to) const;
  KafkaServerOptions ServerOptionsFor(int port) const;

  EmbeddedClusterOptions options_;
  std::string data_dir_;
  bool remove_data_dir_ = false;
  std::shared_ptr<io::FileSystem> fs_;
  std::shared_ptr<Clock> clock_;
  std::shared_ptr<ManualClock> manual_clock_;
  std::shared_ptr<replication::MetadataStore> store_;
  std::shared_ptr<replication::Controller> controller_;
  std::shared_ptr<replication::ReplicaTransport> transport_;
  // Brokers by index; a follower's fetch finds its leader here.
  mutable absl::Mutex brokers_mu_;
  std::vector<std::shared_ptr<Broker>> brokers_;
  // One per broker with `.listen`; declared after brokers_ so servers are
  // destroyed (shut down) first.
  std::vector<std::unique_ptr<KafkaServer>> servers_;
  // Each listener's port, kept across restarts.
  std::vector<int> ports_;
};

}  // namespace rill::testing

#endif  // RILL_TESTING_EMBEDDED_CLUSTER_H_
