// append_queue.h — the coordinator's writes to the group log, in the order it
// decided them.
//
// A group's records must reach the log in the order its state changed (a
// commit after a DeleteGroup's tombstone must survive it; a newer group
// metadata record must not be overwritten by an older one), yet the
// coordinator may not hold a group's lock while calling GroupLog::Append,
// whose callback may run inline. So writes are queued under the group lock
// (cheap, a leaf mutex) and appended after it is released by whichever
// thread drains the queue first:
//
//   {
//     absl::MutexLock lock(&group.mu);
//     appends.Enqueue(partition, std::move(batch), std::move(done));
//   }
//   appends.Drain();   // appends it, unless another thread already drains
#ifndef RILL_GROUP_APPEND_QUEUE_H_
#define RILL_GROUP_APPEND_QUEUE_H_

#include <cstdint>
#include <deque>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "rill/group/group_log.h"

namespace rill::group {

// AppendQueue is owned by the coordinator and must outlive every append it
// issued (Close + WaitIdle before destruction). Thread-safe.
class AppendQueue {
 public:
  explicit AppendQueue(GroupLog* log) : log_(log) {}
  AppendQueue(const AppendQueue&) = delete;
  AppendQueue& operator=(const AppendQueue&) = delete;

  // Enqueue queues one batch for `partition`; `done` gets its base offset or
  // the append's error. May be called with group locks held.
  void Enqueue(int32_t partition, std::string batch,
               GroupLog::AppendCallback done) ABSL_LOCKS_EXCLUDED(mu_);

  // Drain appends every queued batch in order, unless another thread is
  // draining (it appends them instead). Call with no coordinator lock held:
  // append callbacks may run inside it.
  void Drain() ABSL_LOCKS_EXCLUDED(mu_);

  // Close makes later drains fail queued batches with
  // kCoordinatorNotAvailable instead of appending them.
  void Close() ABSL_LOCKS_EXCLUDED(mu_);

  // WaitIdle drains, then blocks until the callback of every batch ever
  // enqueued has returned. Must not be called from such a callback.
  void WaitIdle() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Pending {
    int32_t partition;
    std::string batch;
    GroupLog::AppendCallback done;
  };

  void Finished() ABSL_LOCKS_EXCLUDED(mu_);

  GroupLog* const log_;

  absl::Mutex mu_;
  absl::CondVar idle_;  // outstanding_ dropped to 0
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  // Batches enqueued whose callback has not returned yet.
  int64_t outstanding_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace rill::group

#endif  // RILL_GROUP_APPEND_QUEUE_H_
