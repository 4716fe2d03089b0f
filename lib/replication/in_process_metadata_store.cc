// InProcessMetadataStore: the MetadataStore of one process, in memory.
#include <deque>
#include <map>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "rill/replication/metadata_store.h"

namespace rill::replication {
namespace {

// Subscriber is one listener and the images queued for it. Whichever
// thread finds it idle delivers its queue; others only enqueue. That keeps
// calls in order and one at a time without a thread of the store's own.
struct Subscriber {
  explicit Subscriber(MetadataStore::Listener l) : listener(std::move(l)) {}

  const MetadataStore::Listener listener;
  absl::Mutex mu;
  std::deque<std::shared_ptr<const ClusterImage>> pending ABSL_GUARDED_BY(mu);
  bool delivering ABSL_GUARDED_BY(mu) = false;
  std::thread::id deliverer ABSL_GUARDED_BY(mu);
  bool cancelled ABSL_GUARDED_BY(mu) = false;
  absl::CondVar idle;  // signalled when `delivering` turns false
};

// InProcessMetadataStore keeps the newest image only (there is no log to
// replay: the store lives as long as the process). Owned by shared_ptr (its
// subscriptions hold weak references). Thread-safe.
class InProcessMetadataStore final
    : public MetadataStore,
      public std::enable_shared_from_this<InProcessMetadataStore> {
 public:
  InProcessMetadataStore() : image_(std::make_shared<ClusterImage>()) {}

  std::shared_ptr<const ClusterImage> image() const override {
    absl::MutexLock lock(&mu_);
    return image_;
  }

  absl::StatusOr<int64_t> Commit(int64_t expected_version,
                                 std::vector<MetadataRecord> records) override {
    std::vector<std::shared_ptr<Subscriber>> to_notify;
    int64_t version;
    {
      absl::MutexLock lock(&mu_);
      if (image_->version() != expected_version) {
        return absl::AbortedError(absl::StrCat("metadata moved to version ",
                                               image_->version(), " (expected ",
                                               expected_version, ")"));
      }
      if (records.empty()) return expected_version;
      absl::StatusOr<ClusterImage> next = image_->Apply(records);
      if (!next.ok()) return next.status();
      image_ = std::make_shared<const ClusterImage>(*std::move(next));
      version = image_->version();
      // Queued under mu_, so every subscriber's queue is in version order.
      for (const auto& [id, subscriber] : subscribers_) {
        absl::MutexLock sub_lock(&subscriber->mu);
        subscriber->pending.push_back(image_);
        to_notify.push_back(subscriber);
      }
    }
    for (const auto& subscriber : to_notify) {
      if (Claim(*subscriber)) Drain(*subscriber);
    }
    return version;
  }

  MetadataSubscription Subscribe(Listener listener) override {
    auto subscriber = std::make_shared<Subscriber>(std::move(listener));
    // Claimed before anyone else can see it, so the first image goes out on
    // this thread before Subscribe returns.
    Claim(*subscriber);
    uint64_t id;
    {
      absl::MutexLock lock(&mu_);
      id = next_id_++;
      {
        absl::MutexLock sub_lock(&subscriber->mu);
        subscriber->pending.push_back(image_);
      }
      subscribers_.emplace(id, subscriber);
    }
    Drain(*subscriber);
    std::weak_ptr<InProcessMetadataStore> weak = weak_from_this();
    return MetadataSubscription([weak, id] {
      if (auto store = weak.lock()) store->Unsubscribe(id);
    });
  }

 private:
  // Claim makes this thread the subscriber's deliverer, unless another
  // thread is.
  static bool Claim(Subscriber& subscriber) {
    absl::MutexLock lock(&subscriber.mu);
    if (subscriber.delivering || subscriber.cancelled) return false;
    subscriber.delivering = true;
    subscriber.deliverer = std::this_thread::get_id();
    return true;
  }

  // Drain, by the claiming thread, delivers the queue until it is empty
  // (including what other threads queue meanwhile), then lets go.
  static void Drain(Subscriber& subscriber) {
    for (;;) {
      std::shared_ptr<const ClusterImage> image;
      {
        absl::MutexLock lock(&subscriber.mu);
        if (subscriber.cancelled || subscriber.pending.empty()) {
          subscriber.delivering = false;
          subscriber.deliverer = std::thread::id();
          subscriber.idle.SignalAll();
          return;
        }
        image = std::move(subscriber.pending.front());
        subscriber.pending.pop_front();
      }
      subscriber.listener(image);
    }
  }

  void Unsubscribe(uint64_t id) {
    std::shared_ptr<Subscriber> subscriber;
    {
      absl::MutexLock lock(&mu_);
      auto it = subscribers_.find(id);
      if (it == subscribers_.end()) return;
      subscriber = std::move(it->second);
      subscribers_.erase(it);
    }
    absl::MutexLock lock(&subscriber->mu);
    subscriber->cancelled = true;
    subscriber->pending.clear();
    // From inside the listener the current call is ours: don't wait on it.
    while (subscriber->delivering &&
           subscriber->deliverer != std::this_thread::get_id()) {
      subscriber->idle.Wait(&subscriber->mu);
    }
  }

  mutable absl::Mutex mu_;
  std::shared_ptr<const ClusterImage> image_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, std::shared_ptr<Subscriber>> subscribers_
      ABSL_GUARDED_BY(mu_);
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace

std::shared_ptr<MetadataStore> NewInProcessMetadataStore() {
  return std::make_shared<InProcessMetadataStore>();
}

}  // namespace rill::replication
