// GatedFileSystem: a test file system whose segment files' appends wait at a
// gate, so a test can look at what others see while a write is under way.
#ifndef RILL_TESTS_IO_GATED_FILE_SYSTEM_H_
#define RILL_TESTS_IO_GATED_FILE_SYSTEM_H_

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "io/forwarding_file_system.h"

namespace rill::io::testing {

// AppendGate holds appends while closed. Thread-safe.
class AppendGate {
 public:
  void Close() {
    absl::MutexLock lock(&mu_);
    open_ = false;
  }
  void Open() {
    absl::MutexLock lock(&mu_);
    open_ = true;
  }
  // WaitForHeldAppend waits up to `timeout` until an append is held; false
  // if none came.
  bool WaitForHeldAppend(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(
        absl::Condition(
            +[](int* held) { return *held > 0; }, &held_),
        timeout);
  }
  // Pass returns once the gate is open, counted as held meanwhile.
  void Pass() {
    absl::MutexLock lock(&mu_);
    ++held_;
    mu_.Await(absl::Condition(&open_));
    --held_;
  }

 private:
  absl::Mutex mu_;
  bool open_ ABSL_GUARDED_BY(mu_) = true;
  int held_ ABSL_GUARDED_BY(mu_) = 0;
};

// ResultWhileHeld runs `fn` on another thread while an append is held at
// `gate` and returns its result if it returned within `patience` (far
// longer than it takes unless it waits for the held append, which would be
// for ever); if it did not, the gate opens so that it can, and the result
// is empty. (Catch2's assertions are for the test's thread: `fn` returns
// what to check.)
template <typename Fn>
auto ResultWhileHeld(AppendGate& gate, Fn fn,
                     std::chrono::seconds patience = std::chrono::seconds(20))
    -> std::optional<decltype(fn())> {
  auto done = std::async(std::launch::async, std::move(fn));
  if (done.wait_for(patience) == std::future_status::ready) return done.get();
  gate.Open();
  (void)done.get();
  return std::nullopt;
}

// GatedFile passes every append through the gate first.
class GatedFile final : public ForwardingFile {
 public:
  GatedFile(std::unique_ptr<File> base, std::shared_ptr<AppendGate> gate)
      : ForwardingFile(std::move(base)), gate_(std::move(gate)) {}

  absl::Status Append(std::string_view data) override {
    gate_->Pass();
    return ForwardingFile::Append(data);
  }
  absl::StatusOr<uint64_t> AppendFrom(const File& source, uint64_t offset,
                                      uint64_t n) override {
    gate_->Pass();
    return ForwardingFile::AppendFrom(source, offset, n);
  }

 private:
  const std::shared_ptr<AppendGate> gate_;
};

// GatedFileSystem forwards to `base`; its .log files are GatedFiles.
class GatedFileSystem final : public ForwardingFileSystem {
 public:
  explicit GatedFileSystem(std::shared_ptr<FileSystem> base)
      : ForwardingFileSystem(std::move(base)) {}

  const std::shared_ptr<AppendGate>& gate() const { return gate_; }

  absl::StatusOr<std::unique_ptr<File>> OpenFile(
      const std::string& path, const OpenOptions& options) override {
    absl::StatusOr<std::unique_ptr<File>> file =
        ForwardingFileSystem::OpenFile(path, options);
    if (!file.ok() || !absl::EndsWith(path, ".log")) return file;
    return std::unique_ptr<File>(
        std::make_unique<GatedFile>(*std::move(file), gate_));
  }

 private:
  const std::shared_ptr<AppendGate> gate_ = std::make_shared<AppendGate>();
};

}  // namespace rill::io::testing

#endif  // RILL_TESTS_IO_GATED_FILE_SYSTEM_H_
