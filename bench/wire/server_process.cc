#include "wire/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"

namespace rill::wire_bench {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

absl::Status ErrnoError(const std::string& what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

// Describes a wait status: "exited with status 1", "killed by signal 9".
std::string ExitText(int wait_status) {
  if (WIFEXITED(wait_status)) {
    return absl::StrCat("exited with status ", WEXITSTATUS(wait_status));
  }
  if (WIFSIGNALED(wait_status)) {
    return absl::StrCat("killed by signal ", WTERMSIG(wait_status));
  }
  return "stopped";
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Start(
    const ServerCommand& command, absl::Duration timeout) {
  // Everything the child needs is prepared before fork(): after it, only
  // async-signal-safe calls.
  std::vector<std::string> strings;
  strings.push_back(command.binary);
  strings.insert(strings.end(), command.args.begin(), command.args.end());
  std::vector<char*> argv;
  for (std::string& s : strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  const int out = ::open(command.stdout_path.c_str(),
                         O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) return ErrnoError("open " + command.stdout_path);
  const int err = ::open(command.stderr_path.c_str(),
                         O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (err < 0) {
    ::close(out);
    return ErrnoError("open " + command.stderr_path);
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(out);
    ::close(err);
    return ErrnoError("fork");
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);  // the parent died already
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out);
  ::close(err);
  std::unique_ptr<ServerProcess> server(new ServerProcess(pid, command));

  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    const std::string printed = ReadFile(command.stdout_path);
    if (const size_t newline = printed.find('\n');
        newline != std::string::npos) {
      server->bootstrap_ = printed.substr(0, newline);
      if (!server->bootstrap_.empty() && server->bootstrap_.back() == '\r') {
        server->bootstrap_.pop_back();
      }
      return server;
    }
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      server->pid_ = 0;
      return absl::InternalError(absl::StrCat(
          command.binary, " ", ExitText(status),
          " before printing its address; stderr:\n", server->StderrTail()));
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          command.binary, " printed no address in ",
          absl::FormatDuration(timeout), "; stderr:\n", server->StderrTail()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ != 0) (void)Stop(absl::Seconds(10));
}

absl::StatusOr<double> ServerProcess::CpuSeconds() const {
  if (pid_ == 0) return absl::FailedPreconditionError("server not running");
  // The process's CPU-time clock: the same accounting as utime + stime of
  // /proc/<pid>/stat, in nanoseconds rather than clock ticks.
  clockid_t clock;
  timespec cpu{};
  if (::clock_getcpuclockid(pid_, &clock) == 0 &&
      ::clock_gettime(clock, &cpu) == 0) {
    return static_cast<double>(cpu.tv_sec) + cpu.tv_nsec / 1e9;
  }
  const std::string path = absl::StrCat("/proc/", pid_, "/stat");
  const std::string stat = ReadFile(path);
  // The command name (field 2) is in parentheses and may hold spaces; the
  // fields after the last ')' start at field 3 (state).
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) {
    return absl::FailedPreconditionError("cannot read " + path);
  }
  std::istringstream fields(stat.substr(paren + 1));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int number = 3; number <= 15 && fields >> field; ++number) {
    if (number == 14) utime = std::stoull(field);
    if (number == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) /
         static_cast<double>(::sysconf(_SC_CLK_TCK));
}

absl::Status ServerProcess::Stop(absl::Duration timeout) {
  if (pid_ == 0) return absl::OkStatus();
  ::kill(pid_, SIGTERM);
  const absl::Time deadline = absl::Now() + timeout;
  int status = 0;
  pid_t reaped = 0;
  while ((reaped = ::waitpid(pid_, &status, WNOHANG)) == 0 &&
         absl::Now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (reaped == 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = 0;
    return absl::DeadlineExceededError(
        absl::StrCat(command_.binary, " did not exit within ",
                     absl::FormatDuration(timeout), " of SIGTERM; killed"));
  }
  pid_ = 0;
  if (reaped < 0) return ErrnoError("waitpid");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat(command_.binary, " ",
                                            ExitText(status), " on SIGTERM; ",
                                            "stderr:\n", StderrTail()));
  }
  return absl::OkStatus();
}

std::string ServerProcess::StderrTail() const {
  std::string text = ReadFile(command_.stderr_path);
  constexpr size_t kTail = 4096;
  if (text.size() > kTail) text = "..." + text.substr(text.size() - kTail);
  return text;
}

}  // namespace rill::wire_bench
