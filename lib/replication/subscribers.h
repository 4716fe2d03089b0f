// Delivery of a metadata store's images to its subscribers, shared by every
// MetadataStore implementation.
//
//   // Under the store's lock, in version order:
//   Subscribers::Delivery delivery = subscribers_->Publish(image_);
//   // After releasing every lock of the store:
//   std::move(delivery).Run();
#ifndef RILL_REPLICATION_SUBSCRIBERS_H_
#define RILL_REPLICATION_SUBSCRIBERS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "rill/replication/cluster_image.h"
#include "rill/replication/metadata_store.h"

namespace rill::replication::internal {

// Subscriber is one listener and the images queued for it (subscribers.cc).
struct Subscriber;

// Subscribers keeps a store's listeners and the images queued for each. It
// has no thread of its own: whichever thread finds a listener idle delivers
// its queue while others only enqueue, which keeps each listener's calls in
// order and one at a time.
//
// Owned by its store through a shared_ptr; subscriptions hold weak
// references, so they may outlive it. Thread-safe, with two duties for the
// store: call Subscribe and Publish under the lock that orders its images
// (that is what puts every queue in version order), and Run the Delivery
// they return after releasing every lock of its own (listeners may read the
// store and Commit).
class Subscribers : public std::enable_shared_from_this<Subscribers> {
 public:
  // Delivery is the listener calls a Subscribe or Publish left to make.
  // Move-only; run it exactly once, on the thread that got it.
  class [[nodiscard]] Delivery {
   public:
    Delivery() = default;
    Delivery(Delivery&&) = default;
    Delivery& operator=(Delivery&&) = default;
    Delivery(const Delivery&) = delete;
    Delivery& operator=(const Delivery&) = delete;

    // Run delivers the queued images of every subscriber this thread may
    // deliver to (one no other thread is delivering to), including images
    // other threads queue meanwhile.
    void Run() &&;

   private:
    friend class Subscribers;
    // Already made this thread's to deliver to.
    std::shared_ptr<Subscriber> claimed_;
    // To deliver to unless another thread is.
    std::vector<std::shared_ptr<Subscriber>> others_;
  };

  Subscribers() = default;
  Subscribers(const Subscribers&) = delete;
  Subscribers& operator=(const Subscribers&) = delete;

  // Subscribe adds `listener` with `current` queued for it. The calling
  // thread is its deliverer from the start, so running the Delivery calls it
  // with `current` before any later image and before Subscribe's caller
  // returns.
  std::pair<MetadataSubscription, Delivery> Subscribe(
      MetadataStore::Listener listener,
      std::shared_ptr<const ClusterImage> current);

  // Publish queues `image` for every subscriber.
  Delivery Publish(const std::shared_ptr<const ClusterImage>& image);

 private:
  void Unsubscribe(uint64_t id);

  absl::Mutex mu_;
  std::map<uint64_t, std::shared_ptr<Subscriber>> subscribers_
      ABSL_GUARDED_BY(mu_);
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace rill::replication::internal

#endif  // RILL_REPLICATION_SUBSCRIBERS_H_
