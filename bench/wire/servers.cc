#include "wire/servers.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "wire/kafka_clients.h"

namespace rill::wire_bench {
namespace {

// The build compiles in where its server binaries are (bench/CMakeLists.txt).
#ifndef RILL_WIRE_MOCK_SERVER
#define RILL_WIRE_MOCK_SERVER ""
#endif
#ifndef RILL_WIRE_RILL_SERVER
#define RILL_WIRE_RILL_SERVER ""
#endif

std::string FromEnvOr(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

}  // namespace

std::vector<WireServer> WireServers() {
  std::vector<WireServer> servers;
  servers.push_back({
      .name = "Mock",
      .binary = FromEnvOr("RILL_WIRE_MOCK_SERVER", RILL_WIRE_MOCK_SERVER),
      .args = [](const std::string& /*data_dir*/,
                 const std::vector<std::string>& topics) { return topics; },
      .create_topics_with_admin = false,
  });
  const std::string rill =
      FromEnvOr("RILL_WIRE_RILL_SERVER", RILL_WIRE_RILL_SERVER);
  if (!rill.empty()) {
    servers.push_back({
        .name = "Rill",
        .binary = rill,
        .args =
            [](const std::string& data_dir,
               const std::vector<std::string>& /*topics*/) {
              return std::vector<std::string>{"--listeners",
                                              "PLAINTEXT://127.0.0.1:0",  //
                                              "--log-dirs", data_dir};
            },
        .create_topics_with_admin = true,
    });
    // Like for like with the mock, which keeps a partition's newest 5 MiB
    // in memory: rill-server in memory, with a bounded log (64 MiB in
    // 8 MiB segments, retention checked every 100 ms), so the memory of
    // deleted segments is reused as the mock reuses its buffers.
    servers.push_back({
        .name = "RillMem",
        .binary = rill,
        .args =
            [](const std::string& /*data_dir*/,
               const std::vector<std::string>& /*topics*/) {
              return std::vector<std::string>{
                  "--listeners",
                  "PLAINTEXT://127.0.0.1:0",
                  "--in-memory",
                  "--override",
                  "log.retention.bytes=67108864",
                  "--override",
                  "log.segment.bytes=8388608",
                  "--override",
                  "log.retention.check.interval.ms=100"};
            },
        .create_topics_with_admin = true,
    });
  }
  return servers;
}

absl::StatusOr<ServerProcess*> RunningServers::Get(const WireServer& server) {
  if (auto it = running_.find(server.name); it != running_.end()) {
    return it->second.get();
  }
  if (server.binary.empty() || !std::filesystem::exists(server.binary)) {
    return absl::NotFoundError(absl::StrCat(
        "no ", server.name, " server binary at '", server.binary, "'"));
  }
  absl::StatusOr<std::string> scratch = ScratchDir();
  if (!scratch.ok()) return scratch.status();
  const std::string base = *scratch + "/" + server.name;
  const std::string data_dir = base + "-data";
  std::filesystem::create_directories(data_dir);
  absl::StatusOr<std::unique_ptr<ServerProcess>> process =
      ServerProcess::Start({.binary = server.binary,
                            .args = server.args(data_dir, topics_),
                            .stdout_path = base + ".stdout",
                            .stderr_path = base + ".stderr"},
                           absl::Seconds(30));
  if (!process.ok()) return process.status();
  if (server.create_topics_with_admin) {
    absl::Status created =
        CreateTopics((*process)->bootstrap(), topics_, absl::Seconds(30));
    if (!created.ok()) return created;
  }
  ServerProcess* result = process->get();
  running_[server.name] = *std::move(process);
  return result;
}

absl::StatusOr<std::string> RunningServers::ScratchDir() {
  if (scratch_dir_.empty()) {
    const std::string parent = FromEnvOr("RILL_BENCH_DIR", "/tmp");
    std::string dir = parent + "/rill-wire-bench-XXXXXX";
    if (::mkdtemp(dir.data()) == nullptr) {
      return absl::InternalError("mkdtemp under " + parent);
    }
    scratch_dir_ = dir;
  }
  return scratch_dir_;
}

absl::Status RunningServers::StopAll() {
  absl::Status status;
  for (auto& [name, process] : running_) {
    absl::Status stopped = process->Stop(absl::Seconds(30));
    if (!stopped.ok() && status.ok()) status = stopped;
  }
  running_.clear();
  if (!scratch_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(scratch_dir_, ignored);
    scratch_dir_.clear();
  }
  return status;
}

}  // namespace rill::wire_bench
