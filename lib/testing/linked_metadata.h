// A broker's link to the cluster's controller and metadata, as the
// simulated network (testing/links.h) allows: the MetadataStore and the
// Controller an EmbeddedCluster hands each broker.
//
//   auto store = std::make_shared<LinkedMetadataStore>(shared, links, 2);
//   auto controller = std::make_shared<LinkedController>(
//       shared_controller, store, links, 2);
//   links->Cut(2, Links::kController);
//   // broker 2's Heartbeat/AlterPartition/... are kUnavailable now, and it
//   // sees no new image until:
//   links->Heal(2, Links::kController);
//   store->CatchUp();  // the newest image, at once
#ifndef RILL_TESTING_LINKED_METADATA_H_
#define RILL_TESTING_LINKED_METADATA_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "replication/subscribers.h"
#include "rill/replication/controller.h"
#include "rill/replication/metadata_store.h"
#include "testing/links.h"

namespace rill::testing::internal {

// LinkedMetadataStore is one broker's view of the shared store. While the
// broker's link to the controller is up it passes every image on; while it
// is cut the broker's subscribers see nothing new (image() stays at the
// last image they saw) and Commit is kUnavailable. CatchUp, after the link
// heals, delivers the newest image at once.
//
// Owned by shared_ptr (by the cluster, shared with the broker); lives
// across the broker's restarts. Thread-safe; keeps the MetadataStore
// guarantees (version order, one call at a time per subscriber, no lock
// held during a call).
class LinkedMetadataStore final : public replication::MetadataStore {
 public:
  LinkedMetadataStore(std::shared_ptr<replication::MetadataStore> base,
                      std::shared_ptr<const Links> links, int node);
  ~LinkedMetadataStore() override;
  LinkedMetadataStore(const LinkedMetadataStore&) = delete;
  LinkedMetadataStore& operator=(const LinkedMetadataStore&) = delete;

  // image is the newest image this broker has been given.
  std::shared_ptr<const replication::ClusterImage> image() const override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<int64_t> Commit(
      int64_t expected_version,
      std::vector<replication::MetadataRecord> records) override;
  replication::MetadataSubscription Subscribe(Listener listener) override
      ABSL_LOCKS_EXCLUDED(mu_);

  // CatchUp passes on the newest image if the link is up and this broker
  // has not seen it.
  void CatchUp() ABSL_LOCKS_EXCLUDED(mu_);
  // ImageForCall is the image a broker's controller call may wait for:
  // while the link is up, the base's newest, which is then passed on even
  // if the link is cut before it gets here (it was on its way); otherwise
  // the newest seen.
  std::shared_ptr<const replication::ClusterImage> ImageForCall()
      ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void OnImage(const std::shared_ptr<const replication::ClusterImage>& image)
      ABSL_LOCKS_EXCLUDED(mu_);
  // PassOnLocked publishes newest_ if the broker has not seen it and may:
  // the link is up, or the image was promised.
  replication::internal::Subscribers::Delivery PassOnLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool Linked() const;

  const std::shared_ptr<replication::MetadataStore> base_;
  const std::shared_ptr<const Links> links_;
  const int node_;
  const std::shared_ptr<replication::internal::Subscribers> subscribers_ =
      std::make_shared<replication::internal::Subscribers>();

  // Orders what is published to subscribers_.
  mutable absl::Mutex mu_;
  // The newest image of the base store, and the newest passed on.
  std::shared_ptr<const replication::ClusterImage> newest_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const replication::ClusterImage> seen_ ABSL_GUARDED_BY(mu_);
  // Images up to this version are passed on whatever the link (see
  // ImageForCall).
  int64_t promised_ ABSL_GUARDED_BY(mu_) = -1;
  // Last, so it ends (and OnImage stops) before the rest goes.
  replication::MetadataSubscription base_subscription_;
};

// LinkedController is one broker's way to the shared controller: while the
// broker's link to it is cut every call is kUnavailable (a heartbeat that
// does not arrive; the session then expires at the controller's Tick).
// image() is the LinkedMetadataStore's ImageForCall, so a broker waiting
// for the image its call made never waits for one that cannot reach it.
//
// Owned by shared_ptr (by the cluster, shared with the broker).
// Thread-safe.
class LinkedController final : public replication::Controller {
 public:
  LinkedController(std::shared_ptr<replication::Controller> base,
                   std::shared_ptr<LinkedMetadataStore> store,
                   std::shared_ptr<const Links> links, int node);

  std::shared_ptr<const replication::ClusterImage> image() const override;
  replication::ControllerMetrics metrics() const override;
  using replication::Controller::RegisterBroker;
  absl::StatusOr<int64_t> RegisterBroker(
      NodeId id, std::vector<replication::BrokerEndpoint> endpoints,
      const replication::RegistrationOptions& options) override;
  absl::Status Heartbeat(NodeId id, int64_t broker_epoch) override;
  absl::Status FenceBroker(NodeId id) override;
  absl::Status ControlledShutdown(NodeId id, int64_t broker_epoch) override;
  absl::Status UnregisterBroker(NodeId id) override;
  absl::Status Tick() override;
  absl::StatusOr<replication::TopicState> CreateTopic(
      const NewTopic& topic,
      const replication::CreateTopicOptions& options) override;
  absl::Status DeleteTopic(std::string_view name) override;
  absl::Status CreatePartitions(
      std::string_view name,
      const replication::NewPartitions& request) override;
  absl::Status SetTopicConfigs(
      std::string_view name,
      std::map<std::string, std::string> configs) override;
  absl::StatusOr<replication::PartitionState> AlterPartition(
      const replication::AlterPartitionRequest& request) override;
  absl::StatusOr<int32_t> ElectPreferredLeaders() override;

 private:
  // Reachable is OK while the link is up, else kUnavailable.
  absl::Status Reachable() const;

  const std::shared_ptr<replication::Controller> base_;
  const std::shared_ptr<LinkedMetadataStore> store_;
  const std::shared_ptr<const Links> links_;
  const int node_;
};

}  // namespace rill::testing::internal

#endif  // RILL_TESTING_LINKED_METADATA_H_
