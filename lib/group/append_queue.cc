#include "group/append_queue.h"

#include <memory>
#include <span>
#include <utility>

#include "rill/error.h"

namespace rill::group {

void AppendQueue::Enqueue(int32_t partition, std::string batch,
                          GroupLog::AppendCallback done) {
  absl::MutexLock lock(&mu_);
  ++outstanding_;
  queue_.push_back(Pending{partition, std::move(batch), std::move(done)});
}

void AppendQueue::Drain() {
  {
    absl::MutexLock lock(&mu_);
    if (draining_) return;
    draining_ = true;
  }
  for (;;) {
    Pending next;
    bool closed = false;
    {
      absl::MutexLock lock(&mu_);
      if (queue_.empty()) {
        draining_ = false;
        return;
      }
      next = std::move(queue_.front());
      queue_.pop_front();
      closed = closed_;
    }
    // The batch stays alive until its callback has run: a GroupLog may keep
    // referring to the buffer it was handed until then.
    auto batch = std::make_shared<std::string>(std::move(next.batch));
    GroupLog::AppendCallback done = [this, batch, done = std::move(next.done)](
                                        absl::StatusOr<Offset> result) mutable {
      done(std::move(result));
      Finished();
    };
    if (closed) {
      done(MakeError(ErrorReason::kCoordinatorNotAvailable,
                     "the group coordinator is closed"));
    } else {
      log_->Append(next.partition,
                   std::span<char>(batch->data(), batch->size()),
                   std::move(done));
    }
  }
}

void AppendQueue::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
}

void AppendQueue::WaitIdle() {
  Drain();
  absl::MutexLock lock(&mu_);
  while (outstanding_ > 0) idle_.Wait(&mu_);
}

void AppendQueue::Finished() {
  absl::MutexLock lock(&mu_);
  if (--outstanding_ == 0) idle_.SignalAll();
}

}  // namespace rill::group
