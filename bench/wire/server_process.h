// ServerProcess: a Kafka server binary run as a child process, so that its CPU
// time can be read apart from the client's (wire_bench).
#ifndef RILL_BENCH_WIRE_SERVER_PROCESS_H_
#define RILL_BENCH_WIRE_SERVER_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace rill::wire_bench {

// ServerCommand is how to start one server.
struct ServerCommand {
  // Path of the executable.
  // Default: none (required).
  std::string binary;
  // Arguments after argv[0].
  // Default: none.
  std::vector<std::string> args;
  // Files the child's standard output and standard error go to (truncated).
  // The first line of standard output must be the bootstrap host:port.
  // Default: none (required).
  std::string stdout_path;
  std::string stderr_path;
};

// ServerProcess owns one running child process: Start() returns once the
// child has printed its bootstrap address; the destructor stops it (SIGTERM,
// then SIGKILL after 10 s) if Stop() was not called. The child gets SIGTERM
// too if this process dies first. Not thread-safe: one thread uses it.
class ServerProcess {
 public:
  // Start launches `command` and waits up to `timeout` for the first line
  // of its standard output. Fails, with the child's standard error attached,
  // if the child exits or stays silent.
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(
      const ServerCommand& command, absl::Duration timeout);

  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess();

  // bootstrap is the host:port the server printed.
  const std::string& bootstrap() const { return bootstrap_; }
  pid_t pid() const { return pid_; }

  // CpuSeconds is the user + system CPU time the server has used so far,
  // all its threads together: the process's CPU-time clock
  // (clock_getcpuclockid, ns), else utime + stime of /proc/<pid>/stat
  // (clock ticks, 10 ms here).
  absl::StatusOr<double> CpuSeconds() const;

  // Stop sends SIGTERM and waits up to `timeout` for the child to exit,
  // then kills it. An error unless it exited with status 0 on its own.
  absl::Status Stop(absl::Duration timeout);

 private:
  ServerProcess(pid_t pid, ServerCommand command)
      : pid_(pid), command_(std::move(command)) {}

  // Reads the file the child's standard error went to, for error messages.
  std::string StderrTail() const;

  pid_t pid_;  // 0 once reaped
  const ServerCommand command_;
  std::string bootstrap_;
};

}  // namespace rill::wire_bench

#endif  // RILL_BENCH_WIRE_SERVER_PROCESS_H_
