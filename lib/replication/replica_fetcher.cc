// ReplicaFetcher: one thread per leader, truncating and then fetching.
#include "rill/replication/replica_fetcher.h"

#include <algorithm>
#include <map>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "rill/error.h"

namespace rill::replication {
namespace {

// After an error that new metadata will fix (the leader moved on), look
// again soon rather than after the full backoff: Follow with the new
// leader resets the partition anyway.
constexpr int64_t kStaleMetadataBackoffMs = 20;
// A leader that does not know our epoch yet (kUnknownLeaderEpoch) is about
// to learn it from the metadata it is applying: ask again at once, or the
// first acks=all produce after a failover waits for this follower's
// backoff.
constexpr int64_t kLeaderBehindBackoffMs = 1;

bool IsStaleLeadership(const absl::Status& status) {
  switch (GetErrorReason(status)) {
    case ErrorReason::kNotLeaderOrFollower:
    case ErrorReason::kFencedLeaderEpoch:
    case ErrorReason::kUnknownLeaderEpoch:
    case ErrorReason::kLeaderNotAvailable:
    case ErrorReason::kUnknownTopicOrPartition:
      return true;
    default:
      return false;
  }
}

// TruncationPoint is where a follower cuts its log given the leader's answer
// for the follower's latest epoch (KIP-101/KIP-279): the end of the last
// epoch both logs share, never past the follower's own end.
Offset TruncationPoint(const FollowerReplica& replica, LeaderEpoch latest,
                       const EpochEndOffsetAnswer& answer) {
  const Offset end = replica.log_end_offset();
  if (answer.leader_epoch == LeaderEpoch(-1)) {
    // The leader has no epoch at or below ours: nothing is shared.
    return Offset(0);
  }
  if (answer.leader_epoch == latest) return std::min(answer.end_offset, end);
  const EpochEndOffset ours = replica.EndOffsetForEpoch(answer.leader_epoch);
  return std::min(answer.end_offset,
                  ours.end_offset == Offset(-1) ? Offset(0) : ours.end_offset);
}

}  // namespace

class ReplicaFetcher::Impl : public std::enable_shared_from_this<Impl> {
 public:
  explicit Impl(ReplicaFetcherOptions options) : options_(std::move(options)) {}

  void Follow(std::shared_ptr<FollowerReplica> replica, NodeId leader,
              LeaderEpoch epoch) {
    absl::MutexLock lock(&mu_);
    if (shutdown_) return;
    const TopicPartition tp = replica->tp();
    WaitUntilIdleLocked(tp);
    Followed& f = partitions_[tp];
    f.replica = std::move(replica);
    f.leader = leader;
    f.epoch = epoch;
    f.generation = ++next_generation_;
    f.truncated = false;
    f.retry_at = absl::InfinitePast();
    if (!threads_.contains(leader)) {
      threads_.emplace(leader, std::thread([self = shared_from_this(), leader] {
                         self->Run(leader);
                       }));
    }
    ++changes_[leader];
    wake_.SignalAll();
  }

  void Unfollow(const TopicPartition& tp) {
    absl::MutexLock lock(&mu_);
    WaitUntilIdleLocked(tp);
    auto it = partitions_.find(tp);
    if (it == partitions_.end()) return;
    ++changes_[it->second.leader];
    partitions_.erase(it);
    wake_.SignalAll();
  }

  size_t following() const {
    absl::MutexLock lock(&mu_);
    return partitions_.size();
  }

  ReplicaFetcherMetrics metrics() const {
    absl::MutexLock lock(&mu_);
    return metrics_;
  }

  void Shutdown() {
    std::map<NodeId, std::thread> threads;
    {
      absl::MutexLock lock(&mu_);
      shutdown_ = true;
      threads.swap(threads_);
      wake_.SignalAll();
    }
    for (auto& [leader, thread] : threads) thread.join();
    absl::MutexLock lock(&mu_);
    partitions_.clear();
  }

 private:
  struct Followed {
    std::shared_ptr<FollowerReplica> replica;
    NodeId leader = NodeId(-1);
    LeaderEpoch epoch = LeaderEpoch(-1);
    // Tells a Follow apart from the one an answer in flight was for.
    uint64_t generation = 0;
    bool truncated = false;
    absl::Time retry_at = absl::InfinitePast();
  };
  // Work is one partition a round acts on, as it stood when picked.
  struct Work {
    std::shared_ptr<FollowerReplica> replica;
    LeaderEpoch epoch;
    uint64_t generation;
  };

  // Run is the thread fetching from `leader`.
  void Run(NodeId leader) {
    for (;;) {
      std::vector<Work> truncate, fetch;
      {
        absl::MutexLock lock(&mu_);
        if (!PickWorkLocked(leader, &truncate, &fetch)) return;
      }
      if (!truncate.empty()) {
        Truncate(leader, truncate);
      } else {
        Fetch(leader, fetch);
      }
    }
  }

  // PickWorkLocked waits until some partition of `leader` is due, and
  // sorts the due ones into those to truncate and those to fetch. False on
  // shutdown.
  bool PickWorkLocked(NodeId leader, std::vector<Work>* truncate,
                      std::vector<Work>* fetch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (;;) {
      if (shutdown_) return false;
      const absl::Time now = absl::Now();
      absl::Time next = absl::InfiniteFuture();
      for (const auto& [tp, f] : partitions_) {
        if (f.leader != leader) continue;
        if (f.retry_at > now) {
          next = std::min(next, f.retry_at);
          continue;
        }
        (f.truncated ? fetch : truncate)
            ->push_back({f.replica, f.epoch, f.generation});
      }
      if (!truncate->empty() || !fetch->empty()) return true;
      const uint64_t seen = changes_[leader];
      while (!shutdown_ && changes_[leader] == seen && absl::Now() < next) {
        wake_.WaitWithDeadline(&mu_, next);
      }
    }
  }

  // Truncate asks the leader where each replica's latest epoch ends and
  // cuts what diverges.
  void Truncate(NodeId leader, const std::vector<Work>& work) {
    std::vector<EpochEndOffsetQuery> queries;
    std::vector<Work> asked;
    for (const Work& w : work) {
      std::optional<LeaderEpoch> latest = w.replica->latest_epoch();
      if (!latest) {
        // Nothing written under any epoch: nothing can diverge.
        Settle(w,
               [](Followed& f, ReplicaFetcherMetrics&) { f.truncated = true; });
        continue;
      }
      queries.push_back({.tp = w.replica->tp(),
                         .current_leader_epoch = w.epoch,
                         .leader_epoch = *latest});
      asked.push_back(w);
    }
    if (queries.empty()) return;
    auto answers =
        Call<std::vector<EpochEndOffsetAnswer>>(leader, [&](auto done) {
          options_.transport->OffsetsForLeaderEpoch(
              options_.node_id, leader, std::move(queries), std::move(done));
        });
    if (!answers) return;  // shut down or interrupted
    if (!answers->ok()) {
      BackOff(asked, options_.fetch_backoff_ms);
      return;
    }
    for (const Work& w : asked) {
      auto it = std::find_if((*answers)->begin(), (*answers)->end(),
                             [&](const EpochEndOffsetAnswer& a) {
                               return a.tp == w.replica->tp();
                             });
      if (it == (*answers)->end() || !it->status.ok()) {
        const absl::Status status = it == (*answers)->end()
                                        ? absl::InternalError("no answer")
                                        : it->status;
        BackOff({w}, BackoffMs(status));
        continue;
      }
      Settle(w, [&](Followed& f, ReplicaFetcherMetrics& delta) {
        const std::optional<LeaderEpoch> latest = w.replica->latest_epoch();
        if (!latest) {
          f.truncated = true;
          return;
        }
        const Offset end = w.replica->log_end_offset();
        const Offset point = TruncationPoint(*w.replica, *latest, *it);
        absl::Status s = w.replica->TruncateFromLeader(w.epoch, point);
        if (!s.ok()) {
          f.retry_at = RetryTime(kStaleMetadataBackoffMs);
          return;
        }
        if (point < end) ++delta.truncations;
        f.truncated = true;
      });
    }
  }

  // Fetch reads from the leader's logs at each replica's end and appends.
  void Fetch(NodeId leader, const std::vector<Work>& work) {
    ReplicaFetchRequest request{.replica_id = options_.node_id,
                                .partitions = {},
                                .max_wait_ms = options_.fetch_wait_max_ms,
                                .min_bytes = 1,
                                .max_bytes = options_.fetch_response_max_bytes};
    for (const Work& w : work) {
      request.partitions.push_back({.tp = w.replica->tp(),
                                    .fetch_offset = w.replica->log_end_offset(),
                                    .current_leader_epoch = w.epoch,
                                    .max_bytes = options_.fetch_max_bytes});
    }
    auto response = Call<ReplicaFetchResponse>(leader, [&](auto done) {
      options_.transport->Fetch(options_.node_id, leader, std::move(request),
                                std::move(done));
    });
    if (!response) return;
    {
      absl::MutexLock lock(&mu_);
      ++metrics_.fetches;
    }
    if (!response->ok()) {
      BackOff(work, options_.fetch_backoff_ms);
      return;
    }
    for (ReplicaFetchedPartition& fetched : (*response)->partitions) {
      auto w = std::find_if(work.begin(), work.end(), [&](const Work& x) {
        return x.replica->tp() == fetched.tp;
      });
      if (w == work.end()) continue;
      if (!fetched.status.ok()) {
        HandleFetchError(*w, fetched);
        continue;
      }
      Settle(*w, [&](Followed& f, ReplicaFetcherMetrics& delta) {
        const bool stored = fetched.stored.size_bytes > 0;
        absl::Status s =
            stored ? w->replica->AppendStoredFromLeader(
                         w->epoch, fetched.stored, fetched.high_watermark,
                         fetched.log_start_offset)
                   : w->replica->AppendFromLeader(
                         w->epoch,
                         std::span<char>(fetched.records.data(),
                                         fetched.records.size()),
                         fetched.high_watermark, fetched.log_start_offset);
        if (s.ok()) {
          delta.bytes_appended +=
              stored ? fetched.stored.size_bytes : fetched.records.size();
          return;
        }
        ++delta.errors;
        f.retry_at = RetryTime(BackoffMs(s));
        // A batch that does not continue the log: truncate again.
        if (!IsStaleLeadership(s)) f.truncated = false;
      });
    }
  }

  void HandleFetchError(const Work& w, const ReplicaFetchedPartition& fetched) {
    if (GetErrorReason(fetched.status) == ErrorReason::kOffsetOutOfRange) {
      Settle(w, [&](Followed& f, ReplicaFetcherMetrics&) {
        // Behind the leader's log start (retention): start over there.
        // Ahead of its end cannot follow a truncation; truncate again.
        if (w.replica->log_end_offset() < fetched.log_start_offset) {
          absl::Status s =
              w.replica->ResetFromLeader(w.epoch, fetched.log_start_offset);
          if (!s.ok()) f.retry_at = RetryTime(options_.fetch_backoff_ms);
        } else {
          f.truncated = false;
        }
      });
      return;
    }
    BackOff({w}, BackoffMs(fetched.status));
  }

  // Settle runs `fn` on the partition's entry if it is still the Follow
  // `w` was picked from, with the partition marked busy so that Unfollow
  // and Follow wait for it. `fn(entry, metrics_delta)` runs without mu_
  // (it does the replica's I/O) on a copy of the entry; the copy's
  // truncated/retry_at and the metrics are kept afterwards under mu_.
  template <typename Fn>
  void Settle(const Work& w, Fn fn) {
    const TopicPartition& tp = w.replica->tp();
    Followed copy;
    {
      absl::MutexLock lock(&mu_);
      auto it = partitions_.find(tp);
      if (it == partitions_.end() || it->second.generation != w.generation) {
        return;
      }
      busy_.insert(tp);
      copy = it->second;
    }
    ReplicaFetcherMetrics delta;
    fn(copy, delta);
    absl::MutexLock lock(&mu_);
    metrics_.truncations += delta.truncations;
    metrics_.bytes_appended += delta.bytes_appended;
    metrics_.errors += delta.errors;
    busy_.erase(tp);
    idle_.SignalAll();
    auto it = partitions_.find(tp);
    if (it != partitions_.end() && it->second.generation == w.generation) {
      it->second.truncated = copy.truncated;
      it->second.retry_at = copy.retry_at;
    }
  }

  // BackoffMs is how long to wait after `status`: briefly when new
  // metadata will fix it, replica.fetch.backoff.ms otherwise.
  int64_t BackoffMs(const absl::Status& status) const {
    if (GetErrorReason(status) == ErrorReason::kUnknownLeaderEpoch) {
      return kLeaderBehindBackoffMs;
    }
    return IsStaleLeadership(status) ? kStaleMetadataBackoffMs
                                     : options_.fetch_backoff_ms;
  }
  static absl::Time RetryTime(int64_t ms) {
    return absl::Now() + absl::Milliseconds(ms);
  }

  void BackOff(const std::vector<Work>& work, int64_t ms) {
    absl::MutexLock lock(&mu_);
    ++metrics_.errors;
    const absl::Time at = RetryTime(ms);
    for (const Work& w : work) {
      auto it = partitions_.find(w.replica->tp());
      if (it != partitions_.end() && it->second.generation == w.generation) {
        it->second.retry_at = at;
      }
    }
  }

  // Call sends one request through `send` and waits for its answer. Empty
  // on shutdown, or when partitions of this leader were added or removed
  // meanwhile (the next round asks again with them; the abandoned answer is
  // dropped when it comes).
  template <typename T, typename Send>
  std::optional<absl::StatusOr<T>> Call(NodeId leader, Send send) {
    auto slot = std::make_shared<Slot<T>>();
    uint64_t seen;
    {
      absl::MutexLock lock(&mu_);
      seen = changes_[leader];
    }
    send([self = shared_from_this(), slot](absl::StatusOr<T> answer) {
      absl::MutexLock lock(&self->mu_);
      slot->answer = std::move(answer);
      self->wake_.SignalAll();
    });
    absl::MutexLock lock(&mu_);
    while (!shutdown_ && !slot->answer && changes_[leader] == seen) {
      wake_.Wait(&mu_);
    }
    if (!slot->answer) return std::nullopt;
    return std::move(slot->answer);
  }

  template <typename T>
  struct Slot {
    std::optional<absl::StatusOr<T>> answer;
  };

  void WaitUntilIdleLocked(const TopicPartition& tp)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    while (busy_.contains(tp)) idle_.Wait(&mu_);
  }

  const ReplicaFetcherOptions options_;
  mutable absl::Mutex mu_;
  absl::CondVar wake_;  // answers, Follow/Unfollow, shutdown
  absl::CondVar idle_;  // a partition stopped being busy
  absl::flat_hash_map<TopicPartition, Followed> partitions_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<TopicPartition> busy_ ABSL_GUARDED_BY(mu_);
  // Bumped per leader on every Follow/Unfollow, so a waiting round notices.
  absl::flat_hash_map<NodeId, uint64_t> changes_ ABSL_GUARDED_BY(mu_);
  std::map<NodeId, std::thread> threads_ ABSL_GUARDED_BY(mu_);
  uint64_t next_generation_ ABSL_GUARDED_BY(mu_) = 0;
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  ReplicaFetcherMetrics metrics_ ABSL_GUARDED_BY(mu_);
};

ReplicaFetcher::ReplicaFetcher(ReplicaFetcherOptions options)
    : impl_(std::make_shared<Impl>(std::move(options))) {}

ReplicaFetcher::~ReplicaFetcher() { Shutdown(); }

void ReplicaFetcher::Follow(std::shared_ptr<FollowerReplica> replica,
                            NodeId leader, LeaderEpoch leader_epoch) {
  impl_->Follow(std::move(replica), leader, leader_epoch);
}

void ReplicaFetcher::Unfollow(const TopicPartition& tp) { impl_->Unfollow(tp); }

size_t ReplicaFetcher::following() const { return impl_->following(); }

ReplicaFetcherMetrics ReplicaFetcher::metrics() const {
  return impl_->metrics();
}

void ReplicaFetcher::Shutdown() { impl_->Shutdown(); }

}  // namespace rill::replication
