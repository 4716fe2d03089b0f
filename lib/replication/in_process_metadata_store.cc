// InProcessMetadataStore: the MetadataStore of one process, in memory.
#include <memory>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "replication/subscribers.h"
#include "rill/replication/metadata_store.h"

namespace rill::replication {
namespace {

// InProcessMetadataStore keeps the newest image only (there is no log to
// replay: the store lives as long as the process). Owned by shared_ptr; its
// subscriptions may outlive it. Thread-safe.
class InProcessMetadataStore final : public MetadataStore {
 public:
  InProcessMetadataStore() : image_(std::make_shared<ClusterImage>()) {}

  std::shared_ptr<const ClusterImage> image() const override {
    absl::MutexLock lock(&mu_);
    return image_;
  }

  absl::StatusOr<int64_t> Commit(int64_t expected_version,
                                 std::vector<MetadataRecord> records) override {
    internal::Subscribers::Delivery delivery;
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
      delivery = subscribers_->Publish(image_);
    }
    std::move(delivery).Run();
    return version;
  }

  MetadataSubscription Subscribe(Listener listener) override {
    std::pair<MetadataSubscription, internal::Subscribers::Delivery> added;
    {
      absl::MutexLock lock(&mu_);
      added = subscribers_->Subscribe(std::move(listener), image_);
    }
    std::move(added.second).Run();
    return std::move(added.first);
  }

 private:
  const std::shared_ptr<internal::Subscribers> subscribers_ =
      std::make_shared<internal::Subscribers>();
  mutable absl::Mutex mu_;
  std::shared_ptr<const ClusterImage> image_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::shared_ptr<MetadataStore> NewInProcessMetadataStore() {
  return std::make_shared<InProcessMetadataStore>();
}

}  // namespace rill::replication
