// The servers wire_bench measures, and the processes it runs them in.
//
// Adding a server is one WireServers() entry: a name (the benchmarks become
// BM_Wire<Case>_<name>), its binary, and its command line.
#ifndef RILL_BENCH_WIRE_SERVERS_H_
#define RILL_BENCH_WIRE_SERVERS_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "wire/server_process.h"

namespace rill::wire_bench {

// WireServer describes one Kafka server: how to start it with a set of
// topics (one partition each) on a loopback port the OS picks.
struct WireServer {
  // The name in benchmark names: "Mock", "Rill".
  // Default: none (required).
  std::string name;
  // Path of the executable.
  // Default: none (required).
  std::string binary;
  // The command line after argv[0], for a server keeping any data under
  // `data_dir` (which exists and is empty) and hosting `topics`.
  // Default: none (required).
  std::function<std::vector<std::string>(
      const std::string& data_dir, const std::vector<std::string>& topics)>
      args;
  // Whether the topics are created with the Admin API once the server is up
  // (the mock has no CreateTopics; it creates them from its command line).
  // Default: false.
  bool create_topics_with_admin = false;
};

// WireServers lists the servers to measure, the reference first: the
// librdkafka mock cluster (rdkafka_mock_server, or $RILL_WIRE_MOCK_SERVER),
// then rill-server when its binary is known ($RILL_WIRE_RILL_SERVER, or the
// path the build compiled in).
std::vector<WireServer> WireServers();

// RunningServers starts each server the first time a benchmark asks for it,
// with `topics`, and keeps it running until StopAll() or destruction, so the
// cases of a run share it. Files (the servers' output, rill's data) go to a
// fresh directory under $RILL_BENCH_DIR (default /tmp), removed by StopAll().
// Not thread-safe: the benchmark thread uses it.
class RunningServers {
 public:
  explicit RunningServers(std::vector<std::string> topics)
      : topics_(std::move(topics)) {}
  RunningServers(const RunningServers&) = delete;
  RunningServers& operator=(const RunningServers&) = delete;
  ~RunningServers() { (void)StopAll(); }

  // Get returns the running process of `server`, starting it first if
  // needed.
  absl::StatusOr<ServerProcess*> Get(const WireServer& server);

  // ScratchDir is the run's directory for files (created on first use),
  // on the file system rill's data directory is on.
  absl::StatusOr<std::string> ScratchDir();

  // StopAll stops every server (SIGTERM) and removes the directory; an
  // error if one did not exit cleanly.
  absl::Status StopAll();

 private:
  const std::vector<std::string> topics_;
  std::string scratch_dir_;  // created on first ScratchDir()
  std::map<std::string, std::unique_ptr<ServerProcess>> running_;
};

}  // namespace rill::wire_bench

#endif  // RILL_BENCH_WIRE_SERVERS_H_
