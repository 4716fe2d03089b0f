// rill-server: rill brokers served to Kafka clients over TCP; one by
// default, or a replicated cluster of several in one process.
//
//   $ rill-server --log-dirs /var/lib/rill --override num.partitions=3
//   127.0.0.1:9092
//   $ rill-server --cluster-size 3 --log-dirs /var/lib/rill
//   127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094
//
// Configuration comes from an optional server.properties file with Kafka's
// broker config names (rill/server/server_config.h), then --override
// name=value flags (as kafka-server-start's), then the shorthand flags.
// The first line of standard output is the bootstrap address (with
// --cluster-size N, every broker's, comma-separated), printed once the
// listeners accept connections; logs go to standard error. SIGTERM or
// SIGINT stops the server: in-flight requests are answered, the brokers are
// closed cleanly (so the next start needs no recovery scan), and the exit
// status is 0. A failure to start is one line on standard error and exit
// status 1.
//
// --cluster-size N (2..64) runs a rill::testing::EmbeddedCluster: brokers
// 0..N-1 sharing one controller, broker i listening on the first PLAINTEXT
// listener's port + i (or on a free port each with port 0) and keeping its
// data in <log.dirs>/broker-<i>, the cluster metadata in
// <log.dirs>/__cluster_metadata. Every broker gets the BrokerOptions of
// server.properties; node.id must be unset or 0 (the brokers are numbered
// 0..N-1), and advertised.listeners may name only a host, which every
// broker advertises with its own port.
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "rill/broker/broker.h"
#include "rill/io/file_system.h"
#include "rill/logger.h"
#include "rill/server/kafka_server.h"
#include "rill/server/server_config.h"
#include "rill/testing/embedded_cluster.h"
#include "util/status_macros.h"

ABSL_FLAG(std::string, config, "",
          "server.properties file with Kafka's broker config names (may also "
          "be given as the only argument)");
ABSL_FLAG(std::string, listeners, "",
          "shorthand for --override listeners=<value>; default "
          "PLAINTEXT://127.0.0.1:9092");
ABSL_FLAG(std::string, log_dirs, "",
          "shorthand for --override log.dirs=<value>; default ./data");
ABSL_FLAG(bool, in_memory, false,
          "keep everything in memory (nothing is written to disk; data is "
          "lost on exit), like librdkafka's mock cluster");
ABSL_FLAG(std::string, node_id, "",
          "shorthand for --override node.id=<value>; default 0");
ABSL_FLAG(int32_t, cluster_size, 1,
          "number of brokers to run in this process, 1 to 64: broker i "
          "listens on the listener's port + i and keeps its data in "
          "<log.dirs>/broker-<i>");

namespace {

constexpr char kHelp[] =
    R"(Usage: rill-server [server.properties] [flags]

Runs a Kafka-compatible broker. Kafka clients (librdkafka, kcat, kafka-python,
confluent-kafka, the Java client) connect to it as to a Kafka broker.

Prints the bootstrap address (host:port) as the first line of standard output
once it accepts connections, logs to standard error, and stops cleanly on
SIGTERM or SIGINT (Ctrl-C). With --cluster-size N it runs N brokers that
replicate each other, and the first line lists all of them (host:port,...).

Flags:
  --config <file>        server.properties with Kafka's broker config names
                         (listeners, log.dirs, num.partitions,
                         log.retention.hours, ...); also accepted as the only
                         argument
  --override name=value  sets one config over the file's; repeatable
  --listeners <list>     --override listeners=<list>
                         (default PLAINTEXT://127.0.0.1:9092; port 0 picks a
                         free port)
  --log-dirs <dir>       --override log.dirs=<dir> (default ./data)
  --node-id <id>         --override node.id=<id> (default 0)
  --in-memory            keep all data in memory, write nothing to disk (for
                         tests; lost on exit)
  --cluster-size <n>     run n brokers (1 to 64, default 1) in this process,
                         node ids 0..n-1 (node.id must be unset or 0):
                         broker i listens on the listener's port + i (each on
                         a free port with port 0) and keeps its data in
                         <log.dirs>/broker-<i>, the cluster's metadata in
                         <log.dirs>/__cluster_metadata. Topics created
                         without a replication factor get
                         default.replication.factor (1 unless set, as in
                         Kafka); advertised.listeners may give only a host
  --help                 this text

Examples:
  rill-server --log-dirs /var/lib/rill --override num.partitions=3 \
      --override log.retention.hours=24
  rill-server --cluster-size 3 --log-dirs /var/lib/rill \
      --override default.replication.factor=3
)";

// CommandLine is argv with what absl::ParseCommandLine cannot take out:
// repeated --override flags, and Kafka-style dashes in flag names
// (--log-dirs for --log_dirs).
struct CommandLine {
  std::vector<std::string> args;
  std::map<std::string, std::string> overrides;
  bool help = false;
};

absl::Status AddOverride(std::string_view text, CommandLine& line) {
  const size_t eq = text.find('=');
  const absl::string_view name = absl::StripAsciiWhitespace(
      absl::string_view(text.data(), eq == std::string_view::npos ? 0 : eq));
  if (name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--override expects name=value, got '",
                     absl::string_view(text.data(), text.size()), "'"));
  }
  line.overrides[std::string(name)] = std::string(absl::StripAsciiWhitespace(
      absl::string_view(text.data() + eq + 1, text.size() - eq - 1)));
  return absl::OkStatus();
}

absl::StatusOr<CommandLine> PreprocessArgs(int argc, char** argv) {
  CommandLine line;
  line.args.emplace_back(argv[0]);
  bool flags_ended = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (flags_ended || arg.size() < 2 || arg[0] != '-') {
      line.args.push_back(std::move(arg));
      continue;
    }
    if (arg == "--") {
      flags_ended = true;
      line.args.push_back(std::move(arg));
      continue;
    }
    // "--log-dirs=a-b" -> "--log_dirs=a-b": only the name changes.
    const size_t name_begin = arg.find_first_not_of('-');
    const size_t name_end = std::min(arg.find('='), arg.size());
    for (size_t j = name_begin; j < name_end; ++j) {
      if (arg[j] == '-') arg[j] = '_';
    }
    const std::string_view name =
        std::string_view(arg).substr(name_begin, name_end - name_begin);
    if (name == "help" || name == "h") {
      line.help = true;
    } else if (name == "override") {
      if (name_end < arg.size()) {
        RETURN_IF_ERROR(AddOverride(arg.substr(name_end + 1), line));
      } else if (i + 1 < argc) {
        RETURN_IF_ERROR(AddOverride(argv[++i], line));
      } else {
        return absl::InvalidArgumentError("--override needs name=value");
      }
    } else {
      line.args.push_back(std::move(arg));
    }
  }
  return line;
}

// ServerProperties applies the shorthand flags over the --override ones.
std::map<std::string, std::string> ServerProperties(
    std::map<std::string, std::string> overrides) {
  if (const std::string listeners = absl::GetFlag(FLAGS_listeners);
      !listeners.empty()) {
    overrides["listeners"] = listeners;
  }
  if (const std::string dirs = absl::GetFlag(FLAGS_log_dirs); !dirs.empty()) {
    overrides["log.dirs"] = dirs;
  }
  if (const std::string id = absl::GetFlag(FLAGS_node_id); !id.empty()) {
    // Both names, so a broker.id in the file does not disagree with it.
    overrides["node.id"] = id;
    overrides["broker.id"] = id;
  }
  return overrides;
}

std::string EndpointList(const std::vector<rill::Endpoint>& endpoints) {
  return absl::StrJoin(endpoints, ",",
                       [](std::string* out, const rill::Endpoint& e) {
                         out->append(e.ToString());
                       });
}

// kMaxClusterSize bounds --cluster-size: every broker of the process has its
// own threads and files, and more than this is not a machine's cluster.
constexpr int kMaxClusterSize = 64;

// AwaitStopSignal returns once one of `stop_signals` arrives.
void AwaitStopSignal(const sigset_t& stop_signals, rill::Logger& logger) {
  int signal_number = 0;
  if (const int error = sigwait(&stop_signals, &signal_number); error != 0) {
    logger.Log(rill::LogLevel::kError,
               absl::StrCat("sigwait failed (", error, "); shutting down"));
  }
  logger.Log(
      rill::LogLevel::kInfo,
      absl::StrCat("received ", signal_number == SIGINT ? "SIGINT" : "SIGTERM",
                   "; shutting down"));
}

std::string DataDescription(const std::string& data_dir) {
  return data_dir.empty() ? std::string("in memory")
                          : absl::StrCat("in ", data_dir);
}

// CheckSingleBrokerLayout refuses a log.dirs that a cluster (--cluster-size)
// laid out, whose data one broker would not find.
absl::Status CheckSingleBrokerLayout(const std::string& data_dir) {
  if (data_dir.empty()) return absl::OkStatus();
  if (!absl::IsFailedPrecondition(rill::testing::EmbeddedCluster::CheckLayout(
          *rill::io::NewPosixFileSystem(), data_dir, /*brokers=*/1))) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "'", data_dir,
      "' holds a cluster of several brokers (broker-0, ...); start it with "
      "the --cluster-size it was started with"));
}

// Serve runs one broker until one of `stop_signals` arrives.
absl::Status Serve(const rill::ServerConfig& config,
                   const sigset_t& stop_signals, rill::Logger& logger) {
  RETURN_IF_ERROR(CheckSingleBrokerLayout(config.broker.data_dir));
  ASSIGN_OR_RETURN(std::unique_ptr<rill::KafkaServer> server,
                   rill::KafkaServer::Bind(config.server));
  absl::StatusOr<std::unique_ptr<rill::Broker>> opened =
      rill::Broker::Open(config.broker);
  if (!opened.ok()) {
    return rill::util::Annotate(opened.status(),
                                absl::StrCat("cannot open the broker in '",
                                             config.broker.data_dir, "'"));
  }
  std::unique_ptr<rill::Broker> broker = *std::move(opened);
  if (absl::Status served = server->Serve(*broker); !served.ok()) {
    server->Shutdown();
    broker->Close().IgnoreError();  // the start failure is what to report
    return served;
  }

  std::printf("%s\n", server->bootstrap_servers().c_str());
  std::fflush(stdout);
  logger.Log(rill::LogLevel::kInfo,
             absl::StrCat("rill-server node ", broker->node_id().value(),
                          " of cluster ", broker->cluster_id(),
                          " listening on ", EndpointList(server->endpoints()),
                          "; data ", DataDescription(config.broker.data_dir)));

  AwaitStopSignal(stop_signals, logger);
  server->Shutdown();
  absl::Status closed = broker->Close();
  if (closed.ok()) logger.Log(rill::LogLevel::kInfo, "stopped");
  return closed;
}

// FindPlaintext is the first PLAINTEXT endpoint of `specs`; the others are
// logged as ignored. Null if there is none.
absl::StatusOr<std::optional<rill::Endpoint>> FindPlaintext(
    const std::vector<std::string>& specs, const std::string& config_name,
    rill::Logger& logger) {
  std::optional<rill::Endpoint> found;
  for (const std::string& spec : specs) {
    ASSIGN_OR_RETURN(rill::Endpoint endpoint, rill::Endpoint::Parse(spec));
    if (endpoint.listener_name == "PLAINTEXT" && !found.has_value()) {
      found = std::move(endpoint);
    } else {
      logger.Log(rill::LogLevel::kWarning,
                 absl::StrCat("ignoring ", config_name, " entry ", spec,
                              " (--cluster-size serves one PLAINTEXT "
                              "listener per broker)"));
    }
  }
  return found;
}

// ClusterOptions are the options of a cluster of `size` brokers configured
// by `config`: the listener and advertised host of its first PLAINTEXT
// listeners, broker i on the listener's port + i, and the broker settings
// as they are (no test tuning).
absl::StatusOr<rill::testing::EmbeddedClusterOptions> ClusterOptions(
    const rill::ServerConfig& config, int size, bool in_memory,
    rill::Logger& logger) {
  if (config.broker.node_id != rill::NodeId(0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--cluster-size ", size, " numbers its brokers 0..", size - 1,
        "; node.id / broker.id (--node-id) must be unset or 0, not ",
        config.broker.node_id.value()));
  }
  ASSIGN_OR_RETURN(std::optional<rill::Endpoint> listener,
                   FindPlaintext(config.server.listeners, "listeners", logger));
  if (!listener.has_value()) {
    return absl::InvalidArgumentError(
        "--cluster-size needs a PLAINTEXT listener (listeners=PLAINTEXT://"
        "host:port)");
  }
  ASSIGN_OR_RETURN(std::optional<rill::Endpoint> advertised,
                   FindPlaintext(config.server.advertised_listeners,
                                 "advertised.listeners", logger));
  std::string advertised_host;
  if (advertised.has_value()) {
    if (advertised->port != 0 && advertised->port != listener->port) {
      return absl::InvalidArgumentError(absl::StrCat(
          "with --cluster-size, advertised.listeners gives only the host "
          "(broker i advertises host:<listener port + i>), so its port must "
          "be the listener's ",
          listener->port, ", not ", advertised->port));
    }
    advertised_host = advertised->host;
  }
  return rill::testing::EmbeddedClusterOptions{
      .brokers = size,
      .data_dir = in_memory ? std::string() : config.broker.data_dir,
      .in_memory = in_memory,
      .manual_clock = false,
      .listen = true,
      .listen_host = listener->host,
      .first_port = listener->port,
      .advertised_host = advertised_host,
      .replicate_over_wire = false,
      .server = config.server,
      .broker = config.broker,
      .broker_session_timeout_ms = 9000,
      // The data may outgrow memory: no simulated disks keeping copies.
      .disk_faults = false,
      .default_replication_factor = config.broker.default_replication_factor,
  };
}

// ServeCluster runs `size` brokers until one of `stop_signals` arrives.
absl::Status ServeCluster(const rill::ServerConfig& config, int size,
                          bool in_memory, const sigset_t& stop_signals,
                          rill::Logger& logger) {
  ASSIGN_OR_RETURN(rill::testing::EmbeddedClusterOptions options,
                   ClusterOptions(config, size, in_memory, logger));
  absl::StatusOr<std::unique_ptr<rill::testing::EmbeddedCluster>> started =
      rill::testing::EmbeddedCluster::Start(std::move(options));
  if (!started.ok()) {
    return rill::util::Annotate(
        started.status(),
        absl::StrCat("cannot start a cluster of ", size, " brokers ",
                     DataDescription(in_memory ? std::string()
                                               : config.broker.data_dir)));
  }
  std::unique_ptr<rill::testing::EmbeddedCluster> cluster = *std::move(started);

  std::printf("%s\n", cluster->bootstrap_servers().c_str());
  std::fflush(stdout);
  for (int i = 0; i < size; ++i) {
    rill::Broker& broker = cluster->broker(i);
    logger.Log(
        rill::LogLevel::kInfo,
        absl::StrCat("rill-server node ", i, " of ", size, " of cluster ",
                     broker.cluster_id(), " listening on ",
                     EndpointList(cluster->server(i)->endpoints()), "; data ",
                     DataDescription(in_memory ? std::string()
                                               : broker.options().data_dir)));
  }

  AwaitStopSignal(stop_signals, logger);
  // One by one, each with controlled shutdown: leadership moves to the
  // brokers still up, and the last ones stop with every log flushed.
  absl::Status stopped;
  for (int i = 0; i < size; ++i) stopped.Update(cluster->StopBroker(i));
  cluster.reset();
  if (stopped.ok()) logger.Log(rill::LogLevel::kInfo, "stopped");
  return stopped;
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "rill-server: %s\n",
               std::string(status.message()).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  // Debian's Abseil leaves deadlock detection on; it costs on every lock.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // Before any thread starts: every thread inherits the blocked set, so the
  // stop signals reach only the sigwait in Serve.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // A client that disconnects mid-response is an error on that write.
  signal(SIGPIPE, SIG_IGN);

  absl::StatusOr<CommandLine> line = PreprocessArgs(argc, argv);
  if (!line.ok()) return Fail(line.status());
  if (line->help) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  absl::SetProgramUsageMessage(kHelp);
  std::vector<char*> args;
  for (std::string& arg : line->args) args.push_back(arg.data());
  const std::vector<char*> positional =
      absl::ParseCommandLine(static_cast<int>(args.size()), args.data());

  std::string config_path = absl::GetFlag(FLAGS_config);
  if (positional.size() > 2 ||
      (positional.size() == 2 && !config_path.empty())) {
    return Fail(absl::InvalidArgumentError(
        "expected at most one server.properties file (see --help)"));
  }
  if (positional.size() == 2) config_path = positional[1];

  const int cluster_size = absl::GetFlag(FLAGS_cluster_size);
  if (cluster_size < 1 || cluster_size > kMaxClusterSize) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("--cluster-size must be from 1 to ", kMaxClusterSize,
                     ", not ", cluster_size)));
  }

  absl::StatusOr<rill::ServerConfig> config = rill::LoadServerConfig(
      config_path, ServerProperties(std::move(line->overrides)));
  if (!config.ok()) return Fail(config.status());
  if (cluster_size == 1 && config->broker.min_insync_replicas > 1) {
    return Fail(absl::InvalidArgumentError(absl::StrCat(
        "min.insync.replicas ", config->broker.min_insync_replicas,
        ": a single broker has one in-sync replica, so acks=all could never "
        "succeed (set it per topic if a topic needs it, or run several "
        "brokers with --cluster-size)")));
  }
  const bool in_memory = absl::GetFlag(FLAGS_in_memory);
  // An empty data directory is a Broker in memory.
  if (in_memory) config->broker.data_dir.clear();
  std::shared_ptr<rill::Logger> logger = rill::StderrLogger();
  config->server.logger = logger;
  for (const std::string& ignored : config->ignored) {
    logger->Log(rill::LogLevel::kWarning,
                absl::StrCat("ignoring ", ignored, " (no effect in rill)"));
  }
  absl::Status served = cluster_size == 1
                            ? Serve(*config, stop_signals, *logger)
                            : ServeCluster(*config, cluster_size, in_memory,
                                           stop_signals, *logger);
  if (!served.ok()) return Fail(served);
  return 0;
}
