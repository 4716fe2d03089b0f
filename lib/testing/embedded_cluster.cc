#include "rill/testing/embedded_cluster.h"

#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "rill/broker/in_process_replica_transport.h"
#include "rill/server/tcp_replica_transport.h"
#include "testing/cluster_network.h"
#include "util/status_macros.h"

namespace rill::testing {
namespace {

// Where a cluster of several brokers keeps its metadata in a kept data_dir.
constexpr char kClusterMetadataDirName[] = "__cluster_metadata";

[[noreturn]] void Die(std::string_view what, const absl::Status& status) {
  std::fprintf(stderr, "EmbeddedCluster: %.*s: %s\n",
               static_cast<int>(what.size()), what.data(),
               status.ToString().c_str());
  std::abort();
}

// WireTransport has followers fetch from the listeners the brokers
// registered in `store`.
std::shared_ptr<replication::ReplicaTransport> WireTransport(
    std::shared_ptr<replication::MetadataStore> store,
    std::shared_ptr<Logger> logger) {
  return NewTcpReplicaTransport(
      {.resolve =
           [store](NodeId id, std::string_view listener_name) {
             return FindBrokerEndpoint(*store->image(), id, listener_name);
           },
       .logger = std::move(logger)});
}

absl::StatusOr<std::string> MakeTempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      absl::StrCat(tmp && *tmp ? tmp : "/tmp", "/rill-cluster-XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError(
        absl::StrCat("cannot create a temporary directory from ", pattern));
  }
  return pattern;
}

bool IsWildcardHost(const std::string& host) {
  return host.empty() || host == "0.0.0.0" || host == "::";
}

// AdvertisedHost is where clients reach a listener bound on `options`'s
// listen_host, by KafkaServer's rule: a wildcard is reached on loopback.
std::string AdvertisedHost(const EmbeddedClusterOptions& options) {
  if (!options.advertised_host.empty()) return options.advertised_host;
  if (options.listen_host == "::") return "::1";
  if (IsWildcardHost(options.listen_host)) return "127.0.0.1";
  return options.listen_host;
}

absl::Status CheckPorts(const EmbeddedClusterOptions& options) {
  constexpr int kMaxPort = 65535;
  if (options.first_port < 0 ||
      (options.first_port > 0 &&
       options.first_port > kMaxPort - (options.brokers - 1))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "EmbeddedCluster: first_port ", options.first_port, " for ",
        options.brokers, " brokers leaves the port range (0 or 1..", kMaxPort,
        " for the last broker)"));
  }
  return absl::OkStatus();
}

}  // namespace

// One broker keeps its data (meta.properties first) in the directory
// itself, several in broker-<i> beside the cluster's metadata.
absl::Status EmbeddedCluster::CheckLayout(io::FileSystem& fs,
                                          const std::string& dir, int brokers) {
  const std::string other =
      brokers == 1
          ? io::JoinPath(io::JoinPath(dir, "broker-0"), "meta.properties")
          : io::JoinPath(dir, "meta.properties");
  ASSIGN_OR_RETURN(bool exists, fs.Exists(other));
  if (!exists) return absl::OkStatus();
  return absl::FailedPreconditionError(
      brokers == 1
          ? absl::StrCat("'", dir,
                         "' holds a cluster of several brokers (broker-0, "
                         "...); start it with as many brokers")
          : absl::StrCat("'", dir,
                         "' holds the data of a single broker "
                         "(meta.properties); a cluster of ",
                         brokers, " brokers needs a directory of its own"));
}

BrokerOptions TestBrokerOptions() {
  BrokerOptions options;
  options.group.group_initial_rebalance_delay_ms = 0;
  options.group.group_min_session_timeout_ms = 1;
  return options;
}

absl::StatusOr<std::unique_ptr<EmbeddedCluster>> EmbeddedCluster::Start(
    EmbeddedClusterOptions options) {
  std::unique_ptr<EmbeddedCluster> cluster(
      new EmbeddedCluster(Uninitialized{}));
  RETURN_IF_ERROR(cluster->Init(std::move(options)));
  return cluster;
}

EmbeddedCluster::EmbeddedCluster(Uninitialized) {}

EmbeddedCluster::EmbeddedCluster(EmbeddedClusterOptions options) {
  absl::Status status = Init(std::move(options));
  if (!status.ok()) Die("cannot start", status);
}

EmbeddedCluster::~EmbeddedCluster() {
  if (tick_observer_ != 0) clock_->RemoveObserver(tick_observer_);
  for (auto& server : servers_) {
    if (server) server->Shutdown();
  }
  std::vector<std::shared_ptr<Broker>> brokers;
  {
    absl::MutexLock lock(&brokers_mu_);
    brokers.swap(brokers_);
  }
  for (auto& broker : brokers) {
    if (broker) (void)broker->Close();
  }
  brokers.clear();
  if (network_) network_->Shutdown();
  if (remove_data_dir_) {
    std::error_code ignored;
    std::filesystem::remove_all(data_dir_, ignored);
  }
}

absl::Status EmbeddedCluster::Init(EmbeddedClusterOptions options) {
  options_ = std::move(options);
  if (options_.brokers < 1) {
    return absl::InvalidArgumentError("EmbeddedCluster needs a broker");
  }
  if (options_.replicate_over_wire && !options_.listen) {
    return absl::InvalidArgumentError(
        "EmbeddedCluster: replicate_over_wire needs listen = true (followers "
        "fetch from the leaders' listeners)");
  }
  RETURN_IF_ERROR(CheckPorts(options_));
  advertised_host_ = AdvertisedHost(options_);
  if (options_.manual_clock) {
    manual_clock_ =
        std::make_shared<ManualClock>(options_.manual_clock_start_ms);
    clock_ = manual_clock_;
    // Maintenance then runs when the test calls RunMaintenance.
    options_.broker.maintenance_interval_ms = 0;
  } else {
    clock_ = options_.broker.clock ? options_.broker.clock : DefaultClock();
  }
  if (options_.in_memory) {
    fs_ = io::NewMemFileSystem();
    data_dir_ = "/rill";
  } else if (options_.data_dir.empty()) {
    ASSIGN_OR_RETURN(data_dir_, MakeTempDir());
    remove_data_dir_ = true;
    // Removed with the cluster, the directory never has to survive a
    // machine crash: no fsyncs (KillBroker's power loss is simulated by the
    // brokers' disks, which model syncs themselves).
    fs_ = io::NewPosixFileSystem({.sync = false});
  } else {
    data_dir_ = options_.data_dir;
    fs_ = options_.broker.fs ? options_.broker.fs : io::NewPosixFileSystem();
    RETURN_IF_ERROR(CheckLayout(*fs_, data_dir_, options_.brokers));
  }
  if (options_.listen) {
    if (options_.server.logger == nullptr) {
      options_.server.logger = StderrLogger(LogLevel::kError);
    }
    // Bound first: each port is ours before any broker exists.
    for (int i = 0; i < options_.brokers; ++i) {
      ASSIGN_OR_RETURN(
          std::unique_ptr<KafkaServer> server,
          KafkaServer::Bind(ServerOptionsFor(
              options_.first_port == 0 ? 0 : options_.first_port + i)));
      ports_.push_back(server->endpoints().at(0).port);
      servers_.push_back(std::move(server));
    }
  }
  if (options_.brokers > 1) {
    // Metadata lives as long as the brokers' data: kept with a kept
    // directory, so a cluster started again over it finds its topics.
    if (remove_data_dir_ || options_.in_memory) {
      store_ = replication::NewInProcessMetadataStore();
    } else {
      ASSIGN_OR_RETURN(
          store_,
          replication::OpenDurableMetadataStore(
              {.fs = fs_,
               .dir = io::JoinPath(data_dir_, kClusterMetadataDirName)}));
    }
    ASSIGN_OR_RETURN(
        controller_,
        replication::Controller::Create(
            {.store = store_,
             .clock = clock_,
             .broker_session_timeout_ms = options_.broker_session_timeout_ms,
             .unclean_leader_election_enable =
                 options_.broker.unclean_leader_election_enable,
             .auto_leader_rebalance_enable =
                 options_.broker.auto_leader_rebalance_enable,
             .default_replication_factor =
                 options_.default_replication_factor != 0
                     ? options_.default_replication_factor
                     : static_cast<int16_t>(std::min(options_.brokers, 3)),
             .num_partitions = options_.broker.num_partitions,
             .min_insync_replicas = options_.broker.min_insync_replicas}));
    transport_ =
        options_.replicate_over_wire
            ? WireTransport(store_, options_.server.logger)
            : NewInProcessReplicaTransport(
                  [this](NodeId from, NodeId to) { return Find(from, to); });
    RETURN_IF_ERROR(BuildNetwork());
  }
  std::vector<NodeId> nodes;
  for (int i = 0; i < options_.brokers; ++i) nodes.push_back(NodeId(i));
  directory_ = NewBrokerDirectory(std::move(nodes), [this](NodeId node) {
    return Find(NodeId(-1), node);  // a client, not a broker, asks
  });
  for (int i = 0; options_.disk_faults && i < options_.brokers; ++i) {
    disks_.push_back(std::make_shared<io::FaultInjectionFileSystem>(fs_));
  }
  {
    absl::MutexLock lock(&brokers_mu_);
    brokers_.resize(options_.brokers);
  }
  {
    absl::MutexLock lock(&disk_mu_);
    disk_full_.assign(options_.brokers, false);
  }
  absl::MutexLock lifecycle(&lifecycle_mu_);
  gone_.resize(options_.brokers);
  for (int i = 0; i < options_.brokers; ++i) RETURN_IF_ERROR(OpenBroker(i));
  if (controller_ != nullptr) {
    if (manual_clock_ != nullptr) {
      WatchClockForTicks();
    } else {
      ScheduleTick();
    }
  }
  return absl::OkStatus();
}

KafkaServerOptions EmbeddedCluster::ServerOptionsFor(int port) const {
  KafkaServerOptions options = options_.server;
  options.listeners = {
      Endpoint{.host = options_.listen_host, .port = port}.ToString()};
  // One advertised address cannot serve several brokers.
  if (options_.brokers != 1 || !options_.advertised_host.empty() ||
      options.advertised_listeners.empty()) {
    // Port 0 advertises the port the listener gets.
    options.advertised_listeners = {
        Endpoint{.host = advertised_host_, .port = port}.ToString()};
  }
  return options;
}

std::string EmbeddedCluster::bootstrap_servers() const {
  // From the ports, which outlive stopped brokers' listeners.
  std::vector<std::string> parts;
  for (int port : ports_) {
    parts.push_back(
        Endpoint{.host = advertised_host_, .port = port}.HostPort());
  }
  return absl::StrJoin(parts, ",");
}

std::shared_ptr<Broker> EmbeddedCluster::Find(NodeId from, NodeId to) const {
  (void)from;
  absl::MutexLock lock(&brokers_mu_);
  if (to.value() < 0 || to.value() >= static_cast<int>(brokers_.size())) {
    return nullptr;
  }
  return brokers_[to.value()];
}

BrokerOptions EmbeddedCluster::OptionsFor(int index) const {
  BrokerOptions options = options_.broker;
  options.node_id = NodeId(index);
  if (network_ != nullptr) {
    options.metadata_store = network_->stores.at(index);
    options.controller = network_->controllers.at(index);
    options.replica_transport = network_->transport;
  }
  if (index < static_cast<int>(ports_.size())) {
    options.advertised_endpoints.push_back({.listener_name = "PLAINTEXT",
                                            .host = advertised_host_,
                                            .port = ports_[index]});
  }
  options.data_dir =
      options_.brokers == 1
          ? data_dir_
          : io::JoinPath(data_dir_, absl::StrCat("broker-", index));
  options.fs = disks_.empty() ? fs_ : disks_.at(index);
  options.clock = clock_;
  return options;
}

absl::Status EmbeddedCluster::CreateTopic(
    const std::string& name, int32_t partitions,
    std::map<std::string, std::string> configs) {
  std::shared_ptr<Broker> broker;
  {
    absl::MutexLock lock(&brokers_mu_);
    for (const auto& running : brokers_) {
      if (running != nullptr) {
        broker = running;
        break;
      }
    }
  }
  if (broker == nullptr) {
    return absl::FailedPreconditionError("no broker of the cluster is running");
  }
  return broker->CreateTopic(
      {.name = name,
       .num_partitions = partitions,
       .replication_factor = static_cast<int16_t>(std::min(num_brokers(), 3)),
       .configs = std::move(configs)});
}

std::unique_ptr<Producer> EmbeddedCluster::NewProducer(
    ProducerOptions options) {
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      Producer::Create(directory_, std::move(options));
  if (!producer.ok()) Die("cannot create a producer", producer.status());
  return *std::move(producer);
}

std::unique_ptr<Consumer> EmbeddedCluster::NewConsumer(
    ConsumerOptions options) {
  absl::StatusOr<std::unique_ptr<Consumer>> consumer =
      Consumer::Create(directory_, std::move(options));
  if (!consumer.ok()) Die("cannot create a consumer", consumer.status());
  return *std::move(consumer);
}

std::unique_ptr<Admin> EmbeddedCluster::NewAdmin() {
  absl::StatusOr<std::unique_ptr<Admin>> admin = Admin::Create(directory_);
  if (!admin.ok()) Die("cannot create an admin client", admin.status());
  return *std::move(admin);
}

}  // namespace rill::testing
