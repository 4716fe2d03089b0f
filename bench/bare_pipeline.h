// BarePipeline is replication's structure with nothing of a broker in it:
// a leader that write(2)s each batch to its file, followers that
// copy_file_range(2) what it wrote into files of their own on threads of
// their own, and a batch acknowledged once every follower has copied it.
// Files roll at 64 MiB and each writer deletes its oldest beyond 256 MiB, as
// the benchmark topic's retention does. It is what acks=all with
// replication factor 3 could reach on this machine if the broker cost
// nothing: the limit BM_ReplicatedProduce/rf:3 is measured against.
//
// Thread-safe: Append and Drain from one thread (the leader's).
#ifndef RILL_BENCH_BARE_PIPELINE_H_
#define RILL_BENCH_BARE_PIPELINE_H_

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace rill::bench {

class BarePipeline {
 public:
  // `dir` exists; `window` batches of `batch_bytes` may be unacknowledged.
  BarePipeline(std::string dir, int followers, int window, size_t batch_bytes)
      : dir_(std::move(dir)),
        window_(window),
        batch_bytes_(batch_bytes),
        batches_per_file_(static_cast<int64_t>(kFileBytes / batch_bytes)),
        copied_(followers, 0) {
    for (int f = 0; f < followers; ++f) {
      threads_.emplace_back([this, f] { Follow(f); });
    }
  }
  ~BarePipeline() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    for (std::thread& t : threads_) t.join();
    if (fd_ >= 0) ::close(fd_);
  }
  BarePipeline(const BarePipeline&) = delete;
  BarePipeline& operator=(const BarePipeline&) = delete;

  // Append waits for room in the window, then writes `batch` to the
  // leader's file and lets the followers know.
  void Append(const std::string& batch) {
    int64_t index;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &BarePipeline::HasRoom));
      index = written_;
    }
    const int64_t file = index / batches_per_file_;
    if (file != file_) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = OpenForWrite(Path(0, file));
      if (file >= kFilesKept) ::unlink(Path(0, file - kFilesKept).c_str());
      file_ = file;
    }
    if (::write(fd_, batch.data(), batch.size()) !=
        static_cast<ssize_t>(batch.size())) {
      std::abort();
    }
    absl::MutexLock lock(&mu_);
    ++written_;
  }

  // Drain waits until every follower has copied everything.
  void Drain() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &BarePipeline::AllCopied));
  }

 private:
  static constexpr uint64_t kFileBytes = uint64_t{64} << 20;
  static constexpr int64_t kFilesKept = 4;

  // Acknowledged counts the batches every follower has (all of them
  // without followers).
  int64_t Acknowledged() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return copied_.empty() ? written_
                           : *std::min_element(copied_.begin(), copied_.end());
  }
  bool HasRoom() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return written_ - Acknowledged() < window_;
  }
  bool AllCopied() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return Acknowledged() == written_;
  }

  // Writer 0 is the leader, 1.. the followers.
  std::string Path(int writer, int64_t file) const {
    return dir_ + "/" + std::to_string(writer) + "-" + std::to_string(file);
  }
  static int OpenForWrite(const std::string& path) {
    const int fd =
        ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) std::abort();
    return fd;
  }

  // Follow copies every batch the leader wrote, as far as it got each time
  // (a follower's fetch takes what there is).
  void Follow(int f) {
    int64_t copied = 0;
    int64_t file = -1;
    int in = -1, out = -1;
    for (;;) {
      int64_t written;
      {
        absl::MutexLock lock(&mu_);
        auto news = [this, copied]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return stop_ || written_ > copied;
        };
        mu_.Await(absl::Condition(&news));
        if (stop_) break;
        written = written_;
      }
      while (copied < written) {
        const int64_t at = copied / batches_per_file_;
        if (at != file) {
          if (in >= 0) ::close(in);
          if (out >= 0) ::close(out);
          in = ::open(Path(0, at).c_str(), O_RDONLY | O_CLOEXEC);
          out = OpenForWrite(Path(f + 1, at));
          if (in < 0) std::abort();
          if (at >= kFilesKept) {
            ::unlink(Path(f + 1, at - kFilesKept).c_str());
          }
          file = at;
        }
        const int64_t upto = std::min(written, (at + 1) * batches_per_file_);
        off_t from = static_cast<off_t>((copied - at * batches_per_file_) *
                                        static_cast<int64_t>(batch_bytes_));
        size_t left = static_cast<size_t>(upto - copied) * batch_bytes_;
        while (left > 0) {
          const ssize_t n = ::copy_file_range(in, &from, out, nullptr, left, 0);
          if (n <= 0) std::abort();
          left -= static_cast<size_t>(n);
        }
        copied = upto;
        absl::MutexLock lock(&mu_);
        copied_[f] = copied;
      }
    }
    if (in >= 0) ::close(in);
    if (out >= 0) ::close(out);
  }

  const std::string dir_;
  const int window_;
  const size_t batch_bytes_;
  const int64_t batches_per_file_;
  // The leader's file being written (Append's thread only).
  int fd_ = -1;
  int64_t file_ = -1;

  absl::Mutex mu_;
  int64_t written_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<int64_t> copied_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace rill::bench

#endif  // RILL_BENCH_BARE_PIPELINE_H_
