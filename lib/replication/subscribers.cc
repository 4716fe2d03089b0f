#include "replication/subscribers.h"

#include <deque>
#include <thread>

namespace rill::replication::internal {

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

namespace {

// Claim makes this thread the subscriber's deliverer, unless another thread
// is.
bool Claim(Subscriber& subscriber) {
  absl::MutexLock lock(&subscriber.mu);
  if (subscriber.delivering || subscriber.cancelled) return false;
  subscriber.delivering = true;
  subscriber.deliverer = std::this_thread::get_id();
  return true;
}

// Drain, by the claiming thread, delivers the queue until it is empty
// (including what other threads queue meanwhile), then lets go.
void Drain(Subscriber& subscriber) {
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

}  // namespace

void Subscribers::Delivery::Run() && {
  if (claimed_ != nullptr) Drain(*claimed_);
  for (const auto& subscriber : others_) {
    if (Claim(*subscriber)) Drain(*subscriber);
  }
  claimed_ = nullptr;
  others_.clear();
}

std::pair<MetadataSubscription, Subscribers::Delivery> Subscribers::Subscribe(
    MetadataStore::Listener listener,
    std::shared_ptr<const ClusterImage> current) {
  auto subscriber = std::make_shared<Subscriber>(std::move(listener));
  // Claimed before anyone else can see it, so the first image goes out on
  // this thread.
  Claim(*subscriber);
  {
    absl::MutexLock sub_lock(&subscriber->mu);
    subscriber->pending.push_back(std::move(current));
  }
  uint64_t id;
  {
    absl::MutexLock lock(&mu_);
    id = next_id_++;
    subscribers_.emplace(id, subscriber);
  }
  Delivery delivery;
  delivery.claimed_ = std::move(subscriber);
  std::weak_ptr<Subscribers> weak = weak_from_this();
  return {MetadataSubscription([weak, id] {
            if (auto subscribers = weak.lock()) subscribers->Unsubscribe(id);
          }),
          std::move(delivery)};
}

Subscribers::Delivery Subscribers::Publish(
    const std::shared_ptr<const ClusterImage>& image) {
  Delivery delivery;
  absl::MutexLock lock(&mu_);
  delivery.others_.reserve(subscribers_.size());
  for (const auto& [id, subscriber] : subscribers_) {
    absl::MutexLock sub_lock(&subscriber->mu);
    subscriber->pending.push_back(image);
    delivery.others_.push_back(subscriber);
  }
  return delivery;
}

void Subscribers::Unsubscribe(uint64_t id) {
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

}  // namespace rill::replication::internal
