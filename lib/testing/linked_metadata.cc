#include "testing/linked_metadata.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "util/status_macros.h"

namespace rill::testing::internal {
namespace {

absl::Status NoController(int node) {
  return absl::UnavailableError(absl::StrCat(
      "broker ", node, " cannot reach the controller (link cut, injected)"));
}

bool Newer(const std::shared_ptr<const replication::ClusterImage>& image,
           const std::shared_ptr<const replication::ClusterImage>& than) {
  return than == nullptr || image->version() > than->version();
}

}  // namespace

// --- LinkedMetadataStore ------------------------------------------------

LinkedMetadataStore::LinkedMetadataStore(
    std::shared_ptr<replication::MetadataStore> base,
    std::shared_ptr<const Links> links, int node)
    : base_(std::move(base)), links_(std::move(links)), node_(node) {
  // The first call, with the base's image, runs before Subscribe returns.
  base_subscription_ = base_->Subscribe(
      [this](const std::shared_ptr<const replication::ClusterImage>& image) {
        OnImage(image);
      });
  absl::MutexLock lock(&mu_);
  if (seen_ == nullptr) seen_ = newest_;  // cut from the start
}

LinkedMetadataStore::~LinkedMetadataStore() { base_subscription_.Cancel(); }

bool LinkedMetadataStore::Linked() const {
  return links_->Connected(node_, Links::kController);
}

std::shared_ptr<const replication::ClusterImage> LinkedMetadataStore::image()
    const {
  absl::MutexLock lock(&mu_);
  return seen_;
}

absl::StatusOr<int64_t> LinkedMetadataStore::Commit(
    int64_t expected_version,
    std::vector<replication::MetadataRecord> records) {
  if (!Linked()) return NoController(node_);
  return base_->Commit(expected_version, std::move(records));
}

replication::MetadataSubscription LinkedMetadataStore::Subscribe(
    Listener listener) {
  std::pair<replication::MetadataSubscription,
            replication::internal::Subscribers::Delivery>
      added;
  {
    absl::MutexLock lock(&mu_);
    added = subscribers_->Subscribe(std::move(listener), seen_);
  }
  std::move(added.second).Run();
  return std::move(added.first);
}

void LinkedMetadataStore::OnImage(
    const std::shared_ptr<const replication::ClusterImage>& image) {
  replication::internal::Subscribers::Delivery delivery;
  {
    absl::MutexLock lock(&mu_);
    if (Newer(image, newest_)) newest_ = image;
    delivery = PassOnLocked();
  }
  std::move(delivery).Run();
}

void LinkedMetadataStore::CatchUp() {
  replication::internal::Subscribers::Delivery delivery;
  {
    absl::MutexLock lock(&mu_);
    delivery = PassOnLocked();
  }
  std::move(delivery).Run();
}

std::shared_ptr<const replication::ClusterImage>
LinkedMetadataStore::ImageForCall() {
  if (!Linked()) return image();
  std::shared_ptr<const replication::ClusterImage> newest = base_->image();
  replication::internal::Subscribers::Delivery delivery;
  {
    absl::MutexLock lock(&mu_);
    promised_ = std::max(promised_, newest->version());
    // Cut since Linked() above, OnImage may have held it back already.
    delivery = PassOnLocked();
  }
  std::move(delivery).Run();
  return newest;
}

replication::internal::Subscribers::Delivery
LinkedMetadataStore::PassOnLocked() {
  if (newest_ == nullptr || !Newer(newest_, seen_)) return {};
  if (!Linked() && newest_->version() > promised_) return {};
  seen_ = newest_;
  return subscribers_->Publish(seen_);
}

// --- LinkedController ---------------------------------------------------

LinkedController::LinkedController(
    std::shared_ptr<replication::Controller> base,
    std::shared_ptr<LinkedMetadataStore> store,
    std::shared_ptr<const Links> links, int node)
    : base_(std::move(base)),
      store_(std::move(store)),
      links_(std::move(links)),
      node_(node) {}

absl::Status LinkedController::Reachable() const {
  if (links_->Connected(node_, Links::kController)) return absl::OkStatus();
  return NoController(node_);
}

std::shared_ptr<const replication::ClusterImage> LinkedController::image()
    const {
  return store_->ImageForCall();
}

replication::ControllerMetrics LinkedController::metrics() const {
  return base_->metrics();
}

absl::StatusOr<int64_t> LinkedController::RegisterBroker(
    NodeId id, std::vector<replication::BrokerEndpoint> endpoints,
    const replication::RegistrationOptions& options) {
  RETURN_IF_ERROR(Reachable());
  return base_->RegisterBroker(id, std::move(endpoints), options);
}

absl::Status LinkedController::Heartbeat(NodeId id, int64_t broker_epoch) {
  RETURN_IF_ERROR(Reachable());
  return base_->Heartbeat(id, broker_epoch);
}

absl::Status LinkedController::FenceBroker(NodeId id) {
  RETURN_IF_ERROR(Reachable());
  return base_->FenceBroker(id);
}

absl::Status LinkedController::ControlledShutdown(NodeId id,
                                                  int64_t broker_epoch) {
  RETURN_IF_ERROR(Reachable());
  return base_->ControlledShutdown(id, broker_epoch);
}

absl::Status LinkedController::UnregisterBroker(NodeId id) {
  RETURN_IF_ERROR(Reachable());
  return base_->UnregisterBroker(id);
}

absl::Status LinkedController::Tick() {
  RETURN_IF_ERROR(Reachable());
  return base_->Tick();
}

absl::StatusOr<replication::TopicState> LinkedController::CreateTopic(
    const NewTopic& topic, const replication::CreateTopicOptions& options) {
  RETURN_IF_ERROR(Reachable());
  return base_->CreateTopic(topic, options);
}

absl::Status LinkedController::DeleteTopic(std::string_view name) {
  RETURN_IF_ERROR(Reachable());
  return base_->DeleteTopic(name);
}

absl::Status LinkedController::CreatePartitions(
    std::string_view name, const replication::NewPartitions& request) {
  RETURN_IF_ERROR(Reachable());
  return base_->CreatePartitions(name, request);
}

absl::Status LinkedController::SetTopicConfigs(
    std::string_view name, std::map<std::string, std::string> configs) {
  RETURN_IF_ERROR(Reachable());
  return base_->SetTopicConfigs(name, std::move(configs));
}

absl::StatusOr<replication::PartitionState> LinkedController::AlterPartition(
    const replication::AlterPartitionRequest& request) {
  RETURN_IF_ERROR(Reachable());
  return base_->AlterPartition(request);
}

absl::StatusOr<int32_t> LinkedController::ElectPreferredLeaders() {
  RETURN_IF_ERROR(Reachable());
  return base_->ElectPreferredLeaders();
}

}  // namespace rill::testing::internal
