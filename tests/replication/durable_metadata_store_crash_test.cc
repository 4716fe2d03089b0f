// Crashes at every point of a durable metadata store's life, on the
// fault-injecting file system: whatever Commit returned OK must be there
// after reopening, and nothing that was never committed.
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "metadata_samples.h"
#include "rill/io/fault_injection_file_system.h"
#include "rill/io/file_system.h"
#include "rill/replication/metadata_store.h"
#include "status_test_util.h"

namespace rill::replication {
namespace {

using test::ImagesAfter;
using test::MoreBatches;
using test::SampleBatches;

constexpr char kDir[] = "/data/__cluster_metadata";
// Small enough that the batches below roll over several times.
constexpr int64_t kRollBytes = 400;

std::vector<std::vector<MetadataRecord>> Workload() {
  auto batches = SampleBatches();
  for (auto& batch : MoreBatches(12)) batches.push_back(std::move(batch));
  return batches;
}

// Outcome is what a run up to its crash committed.
struct Outcome {
  // Commits that returned OK (the image after the last is images[acked]).
  size_t acked = 0;
  // Whether a further commit was under way when the crash hit.
  bool in_flight = false;
  // Whether the file system crashed at all.
  bool crashed = false;
};

// Run opens a store on `fs` (faults already armed) and commits the
// workload until something fails.
Outcome Run(const std::shared_ptr<io::FaultInjectionFileSystem>& fs,
            const std::vector<std::vector<MetadataRecord>>& batches) {
  Outcome outcome;
  absl::StatusOr<std::shared_ptr<MetadataStore>> store =
      OpenDurableMetadataStore(
          {.fs = fs, .dir = kDir, .snapshot_every_bytes = kRollBytes});
  if (store.ok()) {
    for (const auto& batch : batches) {
      absl::StatusOr<int64_t> committed =
          (*store)->Commit((*store)->image()->version(), batch);
      if (!committed.ok()) {
        outcome.in_flight = true;
        break;
      }
      ++outcome.acked;
    }
  }
  outcome.crashed = fs->crashed();
  return outcome;
}

// Reopen restarts the "machine" and checks the store holds every
// acknowledged commit, at most the one in flight beyond, and still works.
void Reopen(const std::shared_ptr<io::FaultInjectionFileSystem>& fs,
            bool power_loss, const Outcome& outcome,
            const std::vector<ClusterImage>& images) {
  if (power_loss) fs->DropUnsyncedData();
  fs->Reset();
  ASSIGN_OR_REQUIRE(
      std::shared_ptr<MetadataStore> store,
      OpenDurableMetadataStore(
          {.fs = fs, .dir = kDir, .snapshot_every_bytes = kRollBytes}));
  const ClusterImage& image = *store->image();
  const bool acked_only = image == images[outcome.acked];
  const bool with_in_flight =
      outcome.in_flight && image == images[outcome.acked + 1];
  INFO("reopened at version " << image.version() << ", acked version "
                              << images[outcome.acked].version());
  REQUIRE((acked_only || with_in_flight));
  // The log is clean: one more commit lands and survives another reopen.
  const MetadataRecord newcomer =
      RegisterBrokerRecord{.id = NodeId(99), .epoch = image.version()};
  ASSIGN_OR_REQUIRE(int64_t version,
                    store->Commit(image.version(), {newcomer}));
  store.reset();
  ASSIGN_OR_REQUIRE(std::shared_ptr<MetadataStore> again,
                    OpenDurableMetadataStore({.fs = fs, .dir = kDir}));
  CHECK(again->image()->version() == version);
  CHECK(again->image()->FindBroker(NodeId(99)) != nullptr);
}

TEST_CASE("Every acknowledged commit survives a crash at any operation",
          "[replication][durable][crash]") {
  const bool power_loss = GENERATE(false, true);
  CAPTURE(power_loss);
  const auto batches = Workload();
  const std::vector<ClusterImage> images = ImagesAfter(batches);
  int crash_points = 0;
  for (uint64_t n = 0;; ++n) {
    CAPTURE(n);
    auto fs =
        std::make_shared<io::FaultInjectionFileSystem>(io::NewMemFileSystem());
    fs->CrashAfterOperations(n);
    const Outcome outcome = Run(fs, batches);
    if (!outcome.crashed) {
      // Past the last operation: the whole workload went through.
      REQUIRE(outcome.acked == batches.size());
      break;
    }
    ++crash_points;
    Reopen(fs, power_loss, outcome, images);
  }
  // Several rollovers' worth of operations were crashed into.
  CHECK(crash_points > 50);
}

TEST_CASE("Every acknowledged commit survives a torn write of the log",
          "[replication][durable][crash]") {
  const bool power_loss = GENERATE(false, true);
  CAPTURE(power_loss);
  const auto batches = Workload();
  const std::vector<ClusterImage> images = ImagesAfter(batches);
  for (uint64_t bytes = 0;; bytes += 7) {
    CAPTURE(bytes);
    auto fs =
        std::make_shared<io::FaultInjectionFileSystem>(io::NewMemFileSystem());
    fs->InjectTornWrite(bytes, "metadata.log");
    const Outcome outcome = Run(fs, batches);
    if (!outcome.crashed) break;
    REQUIRE(outcome.in_flight);
    Reopen(fs, power_loss, outcome, images);
  }
}

TEST_CASE("A failed sync stops commits until the store is reopened",
          "[replication][durable][crash]") {
  auto fs =
      std::make_shared<io::FaultInjectionFileSystem>(io::NewMemFileSystem());
  const auto batches = SampleBatches();
  const std::vector<ClusterImage> images = ImagesAfter(batches);
  ASSIGN_OR_REQUIRE(std::shared_ptr<MetadataStore> store,
                    OpenDurableMetadataStore({.fs = fs, .dir = kDir}));
  REQUIRE_OK(store->Commit(0, batches[0]));
  fs->FailSyncs(1);
  CHECK(store->Commit(2, batches[1]).status().code() ==
        absl::StatusCode::kDataLoss);
  CHECK(store->image()->version() == 2);
  // The log may end in the failed frame: nothing more goes after it.
  CHECK(store->Commit(2, batches[1]).status().code() ==
        absl::StatusCode::kDataLoss);
  store.reset();
  fs->DropUnsyncedData();
  ASSIGN_OR_REQUIRE(store, OpenDurableMetadataStore({.fs = fs, .dir = kDir}));
  CHECK(*store->image() == images[1]);
  REQUIRE_OK(store->Commit(2, batches[1]));
}

}  // namespace
}  // namespace rill::replication
