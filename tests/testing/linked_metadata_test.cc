// LinkedMetadataStore and LinkedController: a broker's view of the
// controller across a link that can be cut.
#include "testing/linked_metadata.h"

#include <catch2/catch.hpp>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "rill/replication/controller.h"
#include "status_test_util.h"
#include "testing/links.h"

namespace rill::testing::internal {
namespace {

struct Fixture {
  Fixture() {
    auto created = replication::Controller::Create({.store = store});
    REQUIRE_OK(created);
    controller = *std::move(created);
    linked = std::make_shared<LinkedMetadataStore>(store, links, 1);
    linked_controller =
        std::make_shared<LinkedController>(controller, linked, links, 1);
    subscription = linked->Subscribe(
        [this](const std::shared_ptr<const replication::ClusterImage>& image) {
          absl::MutexLock lock(&mu);
          versions.push_back(image->version());
        });
  }

  int64_t LastSeen() {
    absl::MutexLock lock(&mu);
    return versions.empty() ? -1 : versions.back();
  }

  std::shared_ptr<replication::MetadataStore> store =
      replication::NewInProcessMetadataStore();
  std::shared_ptr<Links> links = std::make_shared<Links>();
  std::shared_ptr<replication::Controller> controller;
  std::shared_ptr<LinkedMetadataStore> linked;
  std::shared_ptr<LinkedController> linked_controller;
  absl::Mutex mu;
  std::vector<int64_t> versions;
  replication::MetadataSubscription subscription;
};

TEST_CASE(
    "a broker cut from the controller sees no new image until the link "
    "heals, and then the newest at once",
    "[testing][faults]") {
  Fixture f;
  REQUIRE_OK(f.controller->RegisterBroker(NodeId(0), {}));
  const int64_t before = f.store->image()->version();
  CHECK(f.LastSeen() == before);

  f.links->Cut(1, Links::kController);
  REQUIRE_OK(f.controller->RegisterBroker(NodeId(2), {}));
  REQUIRE_OK(f.controller->RegisterBroker(NodeId(3), {}));
  CHECK(f.LastSeen() == before);
  CHECK(f.linked->image()->version() == before);
  CHECK(f.linked_controller->image()->version() == before);

  f.links->Heal(1, Links::kController);
  f.linked->CatchUp();
  CHECK(f.LastSeen() == f.store->image()->version());
  // Images are passed on in order, never one twice.
  absl::MutexLock lock(&f.mu);
  for (size_t i = 1; i < f.versions.size(); ++i) {
    CHECK(f.versions[i] > f.versions[i - 1]);
  }
}

TEST_CASE(
    "every controller call across a cut link is unavailable, and works "
    "again once it heals",
    "[testing][faults]") {
  Fixture f;
  ASSIGN_OR_REQUIRE(int64_t epoch,
                    f.linked_controller->RegisterBroker(NodeId(1), {}));
  f.links->Cut(Links::kController, 1);
  CHECK(absl::IsUnavailable(f.linked_controller->Heartbeat(NodeId(1), epoch)));
  CHECK(absl::IsUnavailable(
      f.linked_controller->CreateTopic({.name = "t"}, {}).status()));
  CHECK(absl::IsUnavailable(f.linked_controller->Tick()));
  CHECK(absl::IsUnavailable(f.linked->Commit(0, {}).status()));
  f.links->Heal(1, Links::kController);
  CHECK_OK(f.linked_controller->Heartbeat(NodeId(1), epoch));
}

// HandStore is a metadata store whose images the test commits and
// delivers by hand, so that a delivery can come after a cut.
class HandStore final : public replication::MetadataStore {
 public:
  explicit HandStore(std::shared_ptr<const replication::ClusterImage> image)
      : image_(std::move(image)) {}

  std::shared_ptr<const replication::ClusterImage> image() const override {
    return image_;
  }
  absl::StatusOr<int64_t> Commit(
      int64_t, std::vector<replication::MetadataRecord>) override {
    return absl::FailedPreconditionError("images come by hand");
  }
  replication::MetadataSubscription Subscribe(Listener listener) override {
    listener_ = std::move(listener);
    listener_(image_);
    return replication::MetadataSubscription([this] { listener_ = nullptr; });
  }

  // Commit makes `image` the newest without delivering it.
  void Commit(std::shared_ptr<const replication::ClusterImage> image) {
    image_ = std::move(image);
  }
  void Deliver() { listener_(image_); }

 private:
  std::shared_ptr<const replication::ClusterImage> image_;
  Listener listener_;
};

TEST_CASE(
    "an image a call may wait for reaches the broker even when the link is "
    "cut before it arrives",
    "[testing][faults]") {
  // Real images to hand out, from a real controller.
  Fixture source;
  std::vector<std::shared_ptr<const replication::ClusterImage>> images;
  for (int id = 0; id < 3; ++id) {
    REQUIRE_OK(source.controller->RegisterBroker(NodeId(id), {}));
    images.push_back(source.store->image());
  }

  auto store = std::make_shared<HandStore>(images[0]);
  auto links = std::make_shared<Links>();
  auto linked = std::make_shared<LinkedMetadataStore>(store, links, 1);
  LinkedController controller(source.controller, linked, links, 1);
  std::vector<int64_t> seen;
  replication::MetadataSubscription subscription = linked->Subscribe(
      [&](const std::shared_ptr<const replication::ClusterImage>& image) {
        seen.push_back(image->version());
      });
  REQUIRE(seen == std::vector<int64_t>{images[0]->version()});

  // Committed, not yet delivered: a call made now may wait for it.
  store->Commit(images[1]);
  CHECK(controller.image()->version() == images[1]->version());
  links->Cut(1, Links::kController);
  store->Deliver();
  CHECK(seen.back() == images[1]->version());
  // Later images wait for the link.
  store->Commit(images[2]);
  store->Deliver();
  CHECK(seen.back() == images[1]->version());
  CHECK(controller.image()->version() == images[1]->version());

  links->Heal(1, Links::kController);
  linked->CatchUp();
  CHECK(seen.back() == images[2]->version());
}

}  // namespace
}  // namespace rill::testing::internal
