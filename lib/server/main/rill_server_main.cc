// rill-server: one rill broker, served to Kafka clients over TCP.
//
//   $ rill-server --log-dirs /var/lib/rill --override num.partitions=3
//   127.0.0.1:9092
//
// Configuration comes from an optional server.properties file with Kafka's
// broker config names (rill/server/server_config.h), then --override
// name=value flags (as kafka-server-start's), then the shorthand flags.
// The first line of standard output is the bootstrap address, printed once
// the listeners accept connections; logs go to standard error. SIGTERM or
// SIGINT stops the server: in-flight requests are answered, the broker is
// closed cleanly (so the next start needs no recovery scan), and the exit
// status is 0. A failure to start is one line on standard error and exit
// status 1.
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
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
#include "rill/logger.h"
#include "rill/server/kafka_server.h"
#include "rill/server/server_config.h"
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

namespace {

constexpr char kHelp[] =
    R"(Usage: rill-server [server.properties] [flags]

Runs a Kafka-compatible broker. Kafka clients (librdkafka, kcat, kafka-python,
confluent-kafka, the Java client) connect to it as to a Kafka broker.

Prints the bootstrap address (host:port) as the first line of standard output
once it accepts connections, logs to standard error, and stops cleanly on
SIGTERM or SIGINT (Ctrl-C).

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
  --help                 this text

Example:
  rill-server --log-dirs /var/lib/rill --override num.partitions=3 \
      --override log.retention.hours=24
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

// Serve runs the server until one of `stop_signals` arrives.
absl::Status Serve(rill::ServerConfig config, const sigset_t& stop_signals) {
  std::shared_ptr<rill::Logger> logger = rill::StderrLogger();
  config.server.logger = logger;
  for (const std::string& ignored : config.ignored) {
    logger->Log(rill::LogLevel::kWarning,
                absl::StrCat("ignoring ", ignored, " (no effect in rill)"));
  }

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
  logger->Log(
      rill::LogLevel::kInfo,
      absl::StrCat("rill-server node ", broker->node_id().value(),
                   " of cluster ", broker->cluster_id(), " listening on ",
                   EndpointList(server->endpoints()), "; data ",
                   config.broker.data_dir.empty()
                       ? std::string("in memory")
                       : absl::StrCat("in ", config.broker.data_dir)));

  int signal_number = 0;
  if (const int error = sigwait(&stop_signals, &signal_number); error != 0) {
    logger->Log(rill::LogLevel::kError,
                absl::StrCat("sigwait failed (", error, "); shutting down"));
  }
  logger->Log(
      rill::LogLevel::kInfo,
      absl::StrCat("received ", signal_number == SIGINT ? "SIGINT" : "SIGTERM",
                   "; shutting down"));
  server->Shutdown();
  absl::Status closed = broker->Close();
  if (closed.ok()) logger->Log(rill::LogLevel::kInfo, "stopped");
  return closed;
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

  absl::StatusOr<rill::ServerConfig> config = rill::LoadServerConfig(
      config_path, ServerProperties(std::move(line->overrides)));
  if (!config.ok()) return Fail(config.status());
  // An empty data directory is a Broker in memory.
  if (absl::GetFlag(FLAGS_in_memory)) config->broker.data_dir.clear();
  absl::Status served = Serve(*std::move(config), stop_signals);
  if (!served.ok()) return Fail(served);
  return 0;
}
