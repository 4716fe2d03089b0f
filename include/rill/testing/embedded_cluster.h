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
// Listeners may instead take fixed ports on another address (broker i on
// first_port + i), and a cluster kept in a directory starts again over it
// with its topics, records and ISRs, as rill-server --cluster-size does:
//
//   rill::testing::EmbeddedCluster kept({.brokers = 3,
//       .data_dir = "/var/lib/rill", .listen = true,
//       .listen_host = "0.0.0.0", .first_port = 9092});
//   // bootstrap_servers(): "127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094"
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
// Faults are injected by method: brokers crash (power loss included) or
// stop cleanly and start again over their storage, links between brokers
// and to the controller are cut or slowed, disks fill up or fail syncs, and
// listeners answer chosen requests with chosen errors.
//
//   rill::testing::EmbeddedCluster cluster({.brokers = 3, .listen = true});
//   REQUIRE(cluster.CreateTopic("t", 1, {{"min.insync.replicas", "2"}}).ok());
//   const int leader = cluster.controller()->image()->FindTopic("t")
//                          ->partitions[0].leader.value();
//   REQUIRE(cluster.KillBroker(leader).ok());   // crash + power loss: a new
//                                               // leader from the ISR now
//   REQUIRE(cluster.StartBroker(leader).ok());  // recovers, catches up
//   REQUIRE(cluster.IsolateBroker(1).ok());     // fenced once its session
//                                               // expires; clients still
//                                               // reach it
//   cluster.HealAll();                          // newest metadata at once
//   REQUIRE(cluster.CutLink(0, 2).ok());        // 2 falls out of 0's ISRs
//   REQUIRE(cluster.SetLinkLatency(0, 1, 20).ok());
//   REQUIRE(cluster.FailDiskWrites(2, true).ok());    // ENOSPC
//   REQUIRE(cluster.InjectErrors(0, /*Produce=*/0,    // NOT_LEADER_OR_
//                                {6}).ok());          // FOLLOWER, once
//
// Every broker's storage is an io::FaultInjectionFileSystem of its own
// (over the cluster's), and every broker reaches the others and the
// controller through the cluster's simulated network; both are healthy
// until a test says otherwise.
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
#include "absl/synchronization/notification.h"
#include "rill/broker/broker.h"
#include "rill/client/admin.h"
#include "rill/client/broker_directory.h"
#include "rill/client/consumer.h"
#include "rill/client/producer.h"
#include "rill/clock.h"
#include "rill/io/fault_injection_file_system.h"
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
  // cluster is destroyed (and never fsynced, since it cannot outlive the
  // cluster). Given: used and kept, so a cluster started again over it
  // finds its topics and records; several brokers then keep their data in
  // <data_dir>/broker-<i> and the cluster metadata (topics, partitions,
  // ISRs, brokers) in <data_dir>/__cluster_metadata, and a directory
  // holding one broker's data (a cluster of one, or rill-server) is
  // refused, as is the reverse. Default: empty.
  std::string data_dir = {};
  // Keep everything in memory instead (data_dir is then ignored).
  // Default: false.
  bool in_memory = false;
  // Drive time with a ManualClock starting at manual_clock_start_ms.
  // Default: false (system clock).
  bool manual_clock = false;
  int64_t manual_clock_start_ms = 1'700'000'000'000;
  // Expose every broker to Kafka clients on a port of listen_host (a
  // loopback port chosen by the OS unless first_port says otherwise). Ports
  // are bound before the brokers start, so there is no window in which
  // another process can take them. Default: false.
  bool listen = false;
  // The address the listeners bind (with `listen`): an IP address or host
  // name; "0.0.0.0", "::" or "" bind every interface. Default: 127.0.0.1.
  std::string listen_host = "127.0.0.1";
  // 0: every broker's listener gets a free port from the OS. P (1..65535):
  // broker i listens on P + i, and Start fails if one of them is taken.
  // Default: 0.
  int first_port = 0;
  // The host clients are told to connect to (Metadata, FindCoordinator,
  // bootstrap_servers()), with each broker's own port. Empty: listen_host,
  // or loopback when listen_host is a wildcard (127.0.0.1, ::1 for "::"),
  // as a KafkaServer advertises it. Default: empty.
  std::string advertised_host = {};
  // Followers reach leaders over Kafka's wire protocol, through the
  // leaders' listeners, instead of by direct calls. Needs `listen`: Start
  // fails without it. No effect with one broker. Default: false.
  bool replicate_over_wire = false;
  // Server settings for listeners (their listeners field is replaced by
  // one PLAINTEXT listener per broker, from listen_host and first_port).
  // advertised_listeners, if set, is what Metadata reports instead of the
  // bound address (a test's proxy in front of the broker, say); honoured
  // only with one broker and no advertised_host. Default:
  // KafkaServerOptions{} with a quiet logger.
  KafkaServerOptions server = {};
  // Broker settings; node_id, data_dir, fs and clock are filled in per
  // broker. Default: TestBrokerOptions().
  BrokerOptions broker = TestBrokerOptions();
  // broker.session.timeout.ms of the cluster's controller (several
  // brokers): a broker that stops heartbeating (killed without being
  // fenced, or cut off from the controller) is fenced once its last
  // heartbeat is older. The cluster runs the controller's Tick on real time
  // every quarter of this; on a manual clock, after every move of the
  // clock, once the brokers' timers due in that move have run (so their
  // heartbeats count). Default: 9000.
  int64_t broker_session_timeout_ms = 9000;
  // Give every broker a simulated disk (io::FaultInjectionFileSystem over
  // the cluster's storage), so that KillBroker loses what was not synced
  // and FailDiskWrites, FailSyncs and file_system() work. The simulation
  // keeps a copy of every synced byte in memory and serializes each
  // broker's file calls, so benchmarks and long-running clusters turn it
  // off: KillBroker is then a process crash (the page cache keeps what was
  // written) and the disk faults are kFailedPrecondition. Default: true.
  bool disk_faults = true;
  // default.replication.factor of the cluster's controller (several
  // brokers): the replicas of topics created without a count, auto-created
  // ones included. 0: min(brokers, 3). Default: 0.
  int16_t default_replication_factor = 0;
};

// EmbeddedCluster owns its brokers and their storage. Thread-safe to use
// the brokers and clients it hands out. Broker lifecycle calls (KillBroker,
// StopBroker, StartBroker, Restart) are serialized with each other and must
// not race broker(i) or server(i) of the broker they act on; link, disk and
// error faults may be changed from any thread at any time.
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

  // CheckLayout is kFailedPrecondition if `dir` was laid out for another
  // number of brokers (one broker's data where `brokers` > 1 are asked
  // for, or a cluster's where one is): the check Start makes of a kept
  // data_dir.
  static absl::Status CheckLayout(io::FileSystem& fs, const std::string& dir,
                                  int brokers);

  int num_brokers() const { return options_.brokers; }
  // broker is broker `index`, which must be running (see IsRunning).
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

  // bootstrap_servers is "host:port[,...]" of every broker's listener, in
  // broker order, as advertised ("127.0.0.1:port" by default), for a Kafka
  // client's bootstrap.servers; empty unless `.listen = true`.
  std::string bootstrap_servers() const;
  // server is broker `index`'s listener (null unless `.listen = true`, and
  // while the broker is not running).
  KafkaServer* server(int index = 0) const {
    return servers_.empty() ? nullptr : servers_.at(index).get();
  }

  // directory finds the cluster's brokers (null while one is down or
  // restarting), for clients created by hand: Producer::Create(directory(),
  // ...).
  std::shared_ptr<BrokerDirectory> directory() const { return directory_; }

  // New clients of the cluster, following partition leaders and group
  // coordinators as they move (through directory()); they abort the
  // process if they cannot be created (tests want the client or nothing).
  std::unique_ptr<Producer> NewProducer(ProducerOptions options = {});
  std::unique_ptr<Consumer> NewConsumer(ConsumerOptions options = {});
  std::unique_ptr<Admin> NewAdmin();

  // --- Brokers: crash, stop, start (embedded_cluster_faults.cc) -----------
  // In-process clients of a broker must be closed before it stops; a
  // listener closes its connections and comes back on the same port.
  // Index errors are kOutOfRange; stopping a stopped broker or starting a
  // running one is kFailedPrecondition.

  // KillBroker crashes broker `index` and its machine loses power: the
  // broker stops at once, without controlled shutdown or flush, and
  // everything it wrote but did not sync is lost (its file system drops
  // unsynced data; flush.messages and flush.ms decide what was synced). The
  // controller fences it at once, as if its session had expired: it leaves
  // every ISR and its partitions get new leaders. A kill disarms FailSyncs
  // (the machine restarts); FailDiskWrites stays on. With `.disk_faults =
  // false` only the process crashes: what it wrote stays.
  absl::Status KillBroker(int index);
  // StopBroker stops broker `index` cleanly: controlled shutdown (its
  // leaderships move first), logs flushed and closed. The broker is stopped
  // even when closing reports an error, which is returned.
  absl::Status StopBroker(int index);
  // StartBroker opens broker `index` again over its storage, recovering
  // what a kill left; it registers with the controller anew and catches up
  // as a follower. Fails (and the broker stays stopped) if the broker
  // cannot register, e.g. while it is cut off from the controller.
  absl::Status StartBroker(int index);
  // Restart is StopBroker then StartBroker (started even if stopping
  // reported an error; the first error is returned). Clients made by New*
  // wait for the broker or move to others; clients made over
  // broker(index) itself must be closed first.
  absl::Status Restart(int index = 0);
  bool IsRunning(int index) const;

  // --- Network (several brokers) -------------------------------------------
  // Links are symmetric and start healthy. A cut link fails replica fetches
  // both ways with kUnavailable. A broker cut from the controller gets
  // kUnavailable from every controller call (heartbeats, AlterPartition,
  // topic administration) and sees no new metadata; the controller fences
  // it once its session expires (broker_session_timeout_ms). Clients reach
  // every running broker regardless (its listener and in-process calls are
  // not on these links), as in Kafka's classic network partition. Index
  // errors are kOutOfRange; with one broker, kFailedPrecondition.

  // IsolateBroker cuts broker `index` from every other broker and from the
  // controller.
  absl::Status IsolateBroker(int index);
  // HealBroker restores every link of broker `index` (cuts and latency);
  // see HealLink for what it then catches up on.
  absl::Status HealBroker(int index);
  // CutLink cuts the link between brokers a and b (a != b), both ways.
  absl::Status CutLink(int a, int b);
  // HealLink restores the link between brokers a and b. A broker whose
  // link to the controller comes back (HealBroker, HealAll) gets the newest
  // metadata at once, and its session back with its next heartbeat (a
  // fenced broker's heartbeat unfences it).
  absl::Status HealLink(int a, int b);
  // HealAll restores every link: no cuts, no latency.
  void HealAll();
  // SetLinkLatency delays replica traffic between brokers a and b by `ms`
  // each way (request, then answer), on the cluster's clock (on a manual
  // clock it arrives when the test moves time); 0 removes the delay. No
  // thread waits for it and none is started per call.
  absl::Status SetLinkLatency(int a, int b, int64_t ms);

  // --- Disks ---------------------------------------------------------------
  // Both need `.disk_faults` (kFailedPrecondition without).
  // FailDiskWrites makes broker `index`'s disk full (`on`) or not: appends
  // fail with kResourceExhausted and write nothing, as with ENOSPC, so
  // produces to partitions it leads fail and its follower replicas stop
  // advancing. It stays on across restarts until turned off.
  absl::Status FailDiskWrites(int index, bool on);
  // FailSyncs makes the next `count` syncs (of files and directories) on
  // broker `index` fail with kDataLoss, an I/O error, and make nothing
  // durable: a produce whose flush (flush.messages) fails gets the error,
  // though its batch may be in the log.
  absl::Status FailSyncs(int index, int count);
  // file_system is broker `index`'s simulated disk, for faults beyond these
  // (torn writes, crash points), or null with `.disk_faults = false`; it
  // lives as long as the cluster.
  io::FaultInjectionFileSystem* file_system(int index) const {
    return disks_.empty() ? nullptr : disks_.at(index).get();
  }

  // --- Requests ------------------------------------------------------------
  // InjectErrors makes broker `index`'s listener answer its next requests
  // of `api_key` with `error_codes` in turn (KafkaServer::InjectErrors);
  // kFailedPrecondition without `.listen` or while the broker is stopped. A
  // restart of the broker drops codes not yet used.
  absl::Status InjectErrors(int index, int16_t api_key,
                            std::vector<int16_t> error_codes);
  // ClearInjectedErrors drops broker `index`'s unused injected codes.
  absl::Status ClearInjectedErrors(int index);

 private:
  // The simulated network: links, their timer thread, the replica
  // transport and each broker's view of the controller
  // (embedded_cluster_faults.cc).
  struct Network;

  struct Uninitialized {};
  explicit EmbeddedCluster(Uninitialized);
  absl::Status Init(EmbeddedClusterOptions options);
  BrokerOptions OptionsFor(int index) const;
  std::shared_ptr<Broker> Find(NodeId from, NodeId to) const;
  KafkaServerOptions ServerOptionsFor(int port) const;
  // BuildNetwork sets up network_ (several brokers).
  absl::Status BuildNetwork();
  // ScheduleTick runs the controller's Tick on network_'s timers (real
  // time).
  void ScheduleTick();
  // WatchClockForTicks (re-)registers the manual clock observer that runs
  // Tick, last, after every broker's timer queue.
  void WatchClockForTicks();
  // OpenBroker opens broker `index` and, with `.listen`, serves it.
  absl::Status OpenBroker(int index)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(lifecycle_mu_);
  // TakeBroker removes running broker `index` from the cluster (closing
  // its replica connections) and returns it; CloseListener shuts its
  // listener down; AwaitGone drops `broker` and waits until it is
  // destroyed.
  absl::StatusOr<std::shared_ptr<Broker>> TakeBroker(int index)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(lifecycle_mu_);
  void CloseListener(int index) ABSL_EXCLUSIVE_LOCKS_REQUIRED(lifecycle_mu_);
  void DropListener(int index) ABSL_EXCLUSIVE_LOCKS_REQUIRED(lifecycle_mu_);
  absl::Status AwaitGone(int index, std::shared_ptr<Broker> broker)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(lifecycle_mu_);
  absl::Status StopBrokerLocked(int index)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(lifecycle_mu_);
  absl::Status StartBrokerLocked(int index)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(lifecycle_mu_);
  absl::Status CheckIndex(int index) const;
  // CheckDiskFaults also needs simulated disks.
  absl::Status CheckDiskFaults(int index) const;
  absl::Status CheckLinks(int a, int b) const;
  // CatchUp gives brokers whose controller link is up the newest metadata.
  void CatchUp();

  EmbeddedClusterOptions options_;
  std::string data_dir_;
  bool remove_data_dir_ = false;
  // Where clients reach the listeners (advertised_host, resolved).
  std::string advertised_host_;
  std::shared_ptr<io::FileSystem> fs_;
  std::shared_ptr<Clock> clock_;
  std::shared_ptr<ManualClock> manual_clock_;
  std::shared_ptr<replication::MetadataStore> store_;
  std::shared_ptr<replication::Controller> controller_;
  // How followers reach leaders; they use it through the network's link
  // faults (Network::transport).
  std::shared_ptr<replication::ReplicaTransport> transport_;
  // Each broker's simulated disk, over fs_ (none with `.disk_faults =
  // false`); they outlive the brokers.
  std::vector<std::shared_ptr<io::FaultInjectionFileSystem>> disks_;
  std::unique_ptr<Network> network_;
  // The manual clock observer running Tick (0: none).
  uint64_t tick_observer_ = 0;
  // Serializes broker lifecycle calls.
  absl::Mutex lifecycle_mu_;
  // FailDiskWrites per broker, re-applied after a kill's power loss.
  absl::Mutex disk_mu_;
  std::vector<bool> disk_full_ ABSL_GUARDED_BY(disk_mu_);
  // Notified when each broker object is destroyed (every reference to it,
  // such as a fetch in flight, gone), so its storage can be reopened.
  std::vector<std::shared_ptr<absl::Notification>> gone_
      ABSL_GUARDED_BY(lifecycle_mu_);
  // Brokers by index (null: stopped); a follower's fetch finds its leader
  // here.
  mutable absl::Mutex brokers_mu_;
  std::vector<std::shared_ptr<Broker>> brokers_;
  // Over brokers_ (through Find), for the clients.
  std::shared_ptr<BrokerDirectory> directory_;
  // One per broker with `.listen` (null while stopped); declared after
  // brokers_ so servers are destroyed (shut down) first.
  std::vector<std::unique_ptr<KafkaServer>> servers_;
  // Each listener's port, kept across restarts.
  std::vector<int> ports_;
};

}  // namespace rill::testing

#endif  // RILL_TESTING_EMBEDDED_CLUSTER_H_
