#include "broker/fetch_purgatory.h"

#include <algorithm>
#include <limits>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"

namespace rill::broker {
namespace {

// FetchOp is one parked fetch. `timer` is guarded by Core::mu_.
struct FetchOp {
  FetchRequest request;
  FetchCallback done;
  util::TimerQueue::Id timer = 0;
};

// ReadOutcome is one read of every partition of a fetch.
struct ReadOutcome {
  FetchResult result;
  int64_t bytes = 0;
  bool error = false;
};

}  // namespace

// Core holds the purgatory's state. It is shared with the timer callbacks,
// so a deadline that fires while the purgatory is being destroyed still
// finds a live mutex (and, after Shutdown, nothing left to complete).
//
// Exactly-once completion: a fetch is parked while it is in `parked_`.
// Whoever removes it there (Claim, under mu_) — an append, the deadline, or
// Shutdown — completes it; everyone else finds it gone and does nothing.
class FetchPurgatory::Core : public std::enable_shared_from_this<Core> {
 public:
  Core(PartitionLookup lookup, util::TimerQueue* timers)
      : lookup_(std::move(lookup)), timers_(timers) {}

  void Fetch(FetchRequest request, FetchCallback done)
      ABSL_LOCKS_EXCLUDED(mu_) {
    ReadOutcome now = ReadAll(request);
    if (Satisfied(request, now)) {
      done(std::move(now.result));
      return;
    }
    auto op = std::make_shared<FetchOp>();
    op->request = std::move(request);
    op->done = std::move(done);
    bool parked = false;
    {
      absl::MutexLock lock(&mu_);
      if (!shutdown_) {
        parked_.emplace(op.get(), op);
        for (const FetchPartitionRequest& p : op->request.partitions) {
          watchers_[p.tp].insert(op.get());
        }
        parked = true;
      }
    }
    if (!parked) {  // shut down meanwhile
      op->done(ReadAll(op->request).result);
      return;
    }
    // Saturating: an in-process caller may pass any int64 wait.
    const int64_t now_ms = timers_->clock()->NowMs();
    const int64_t deadline_ms =
        now_ms > std::numeric_limits<int64_t>::max() - op->request.max_wait_ms
            ? std::numeric_limits<int64_t>::max()
            : now_ms + op->request.max_wait_ms;
    const util::TimerQueue::Id id = timers_->Schedule(
        deadline_ms, [core = shared_from_this(), op] { core->Complete(op); });
    bool cancel = false;
    {
      absl::MutexLock lock(&mu_);
      if (parked_.contains(op.get())) {
        op->timer = id;
      } else {
        cancel = true;  // completed before its timer was known
      }
    }
    if (cancel) timers_->Cancel(id);
    if (id == 0) {
      Complete(op);  // the timer queue is shut down: answer now
      return;
    }
    // An append between the first read and the registration above woke no
    // one: look again.
    TryComplete(op);
  }

  void OnPartitionChange(const TopicPartition& tp) ABSL_LOCKS_EXCLUDED(mu_) {
    std::vector<std::shared_ptr<FetchOp>> ops;
    {
      absl::MutexLock lock(&mu_);
      auto it = watchers_.find(tp);
      if (it == watchers_.end()) return;
      ops.reserve(it->second.size());
      for (FetchOp* op : it->second) ops.push_back(parked_.at(op));
    }
    for (const std::shared_ptr<FetchOp>& op : ops) TryComplete(op);
  }

  size_t parked() const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return parked_.size();
  }

  void Shutdown() ABSL_LOCKS_EXCLUDED(mu_) {
    std::vector<std::shared_ptr<FetchOp>> ops;
    {
      absl::MutexLock lock(&mu_);
      shutdown_ = true;
      for (auto& [raw, op] : parked_) ops.push_back(op);
    }
    for (const std::shared_ptr<FetchOp>& op : ops) Complete(op);
    // Completions claimed by other threads (an append, a deadline) may
    // still be running their callbacks: the broker tears down after this.
    absl::MutexLock lock(&mu_);
    while (completing_ > 0) idle_.Wait(&mu_);
  }

 private:
  // ReadAll reads every partition of `request` with one byte budget:
  // request.max_bytes over all partitions, each also bounded by its own
  // max_bytes; the first batch of the first partition with data comes back
  // whole even if larger (KIP-74), later ones only if they fit.
  ReadOutcome ReadAll(const FetchRequest& request) const {
    ReadOutcome out;
    out.result.partitions.reserve(request.partitions.size());
    int64_t remaining = std::max<int64_t>(request.max_bytes, 0);
    bool first_batch_whole = true;
    for (const FetchPartitionRequest& p : request.partitions) {
      absl::StatusOr<std::shared_ptr<Partition>> partition = lookup_(p.tp);
      FetchPartitionResult r;
      if (!partition.ok()) {
        r.status = partition.status();
      } else {
        const int64_t limit =
            std::max<int64_t>(0, std::min<int64_t>(p.max_bytes, remaining));
        r = (*partition)
                ->Read(p, request.isolation, limit, first_batch_whole,
                       request.replica_id);
      }
      r.tp = p.tp;
      if (!r.status.ok()) out.error = true;
      const int64_t size = static_cast<int64_t>(r.records.size_bytes);
      if (size > 0) {
        first_batch_whole = false;
        remaining = std::max<int64_t>(0, remaining - size);
        out.bytes += size;
      }
      out.result.partitions.push_back(std::move(r));
    }
    return out;
  }

  static bool Satisfied(const FetchRequest& request, const ReadOutcome& now) {
    return request.max_wait_ms <= 0 || request.partitions.empty() ||
           now.error || now.bytes >= request.min_bytes;
  }

  // TryComplete answers a parked fetch if it now has what it waits for.
  void TryComplete(const std::shared_ptr<FetchOp>& op)
      ABSL_LOCKS_EXCLUDED(mu_) {
    ReadOutcome now = ReadAll(op->request);
    if (Satisfied(op->request, now) && Claim(op.get())) {
      Deliver(*op, std::move(now.result));
    }
  }

  // Complete answers a parked fetch with what is there now (its deadline,
  // or shutdown).
  void Complete(const std::shared_ptr<FetchOp>& op) ABSL_LOCKS_EXCLUDED(mu_) {
    if (Claim(op.get())) Deliver(*op, ReadAll(op->request).result);
  }

  // Claim takes a fetch out of the purgatory; true for the one caller that
  // gets to complete it, who must then call Deliver.
  bool Claim(FetchOp* op) ABSL_LOCKS_EXCLUDED(mu_) {
    util::TimerQueue::Id timer = 0;
    {
      absl::MutexLock lock(&mu_);
      if (parked_.erase(op) == 0) return false;
      for (const FetchPartitionRequest& p : op->request.partitions) {
        auto it = watchers_.find(p.tp);
        if (it == watchers_.end()) continue;
        it->second.erase(op);
        if (it->second.empty()) watchers_.erase(it);
      }
      timer = op->timer;
      ++completing_;
    }
    // A deadline that is already running finds the fetch gone.
    if (timer != 0) timers_->Cancel(timer);
    return true;
  }

  void Deliver(FetchOp& op, FetchResult result) ABSL_LOCKS_EXCLUDED(mu_) {
    FetchCallback done = std::move(op.done);
    done(std::move(result));
    absl::MutexLock lock(&mu_);
    if (--completing_ == 0) idle_.SignalAll();
  }

  const PartitionLookup lookup_;
  util::TimerQueue* const timers_;

  mutable absl::Mutex mu_;
  absl::CondVar idle_;  // completing_ dropped to 0
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  // The parked fetches, owned here; watchers_ indexes them by partition.
  absl::flat_hash_map<FetchOp*, std::shared_ptr<FetchOp>> parked_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<TopicPartition, absl::flat_hash_set<FetchOp*>> watchers_
      ABSL_GUARDED_BY(mu_);
  // Fetches claimed whose callbacks have not returned yet.
  int completing_ ABSL_GUARDED_BY(mu_) = 0;
};

FetchPurgatory::FetchPurgatory(PartitionLookup lookup, util::TimerQueue* timers)
    : core_(std::make_shared<Core>(std::move(lookup), timers)) {}

FetchPurgatory::~FetchPurgatory() { Shutdown(); }

void FetchPurgatory::Fetch(FetchRequest request, FetchCallback done) {
  core_->Fetch(std::move(request), std::move(done));
}

void FetchPurgatory::OnPartitionChange(const TopicPartition& tp) {
  core_->OnPartitionChange(tp);
}

size_t FetchPurgatory::parked() const { return core_->parked(); }

void FetchPurgatory::Shutdown() { core_->Shutdown(); }

}  // namespace rill::broker
