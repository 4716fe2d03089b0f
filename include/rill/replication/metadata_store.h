// rill/replication/metadata_store.h — where cluster metadata lives.
//
// The seam between the controller (the one writer) and everything that
// reads cluster metadata (brokers, clients' Metadata answers). A store holds
// the current ClusterImage, commits batches of records atomically against
// an expected version (optimistic concurrency: a writer that computed its
// records from an older image is refused and recomputes), and tells
// subscribers about every new image. One in-process store is shared by all
// brokers of a process; a durable store keeps a single broker's metadata in
// a directory across restarts; a replicated metadata quorum would be a
// third implementation of the same interface.
//
//   std::shared_ptr<MetadataStore> store = NewInProcessMetadataStore();
//   MetadataSubscription sub = store->Subscribe(
//       [](const std::shared_ptr<const ClusterImage>& image) { ... });
//   auto image = store->image();
//   ASSIGN_OR_RETURN(int64_t version,
//                    store->Commit(image->version(), std::move(records)));
#ifndef RILL_REPLICATION_METADATA_STORE_H_
#define RILL_REPLICATION_METADATA_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "rill/io/file_system.h"
#include "rill/replication/cluster_image.h"
#include "rill/replication/cluster_metadata.h"

namespace rill::replication {

// MetadataSubscription ends a subscription when destroyed (or on Cancel).
// Move-only. Not thread-safe: one owner.
class MetadataSubscription {
 public:
  MetadataSubscription() = default;
  // `cancel` is the store's way to end this subscription; it may outlive
  // the store (it then does nothing).
  explicit MetadataSubscription(std::function<void()> cancel)
      : cancel_(std::move(cancel)) {}
  ~MetadataSubscription() { Cancel(); }
  MetadataSubscription(MetadataSubscription&& other) noexcept
      : cancel_(std::move(other.cancel_)) {
    other.cancel_ = nullptr;
  }
  MetadataSubscription& operator=(MetadataSubscription&& other) noexcept {
    if (this != &other) {
      Cancel();
      cancel_ = std::move(other.cancel_);
      other.cancel_ = nullptr;
    }
    return *this;
  }
  MetadataSubscription(const MetadataSubscription&) = delete;
  MetadataSubscription& operator=(const MetadataSubscription&) = delete;

  // Cancel: once it returns the listener is not running and never runs
  // again (when called from inside the listener: never again after the
  // current call).
  void Cancel() {
    if (cancel_) {
      auto cancel = std::move(cancel_);
      cancel_ = nullptr;
      cancel();
    }
  }

 private:
  std::function<void()> cancel_;
};

// MetadataStore holds cluster metadata. Implementations are thread-safe.
class MetadataStore {
 public:
  using Listener =
      std::function<void(const std::shared_ptr<const ClusterImage>&)>;

  virtual ~MetadataStore() = default;

  // image is the newest committed image (version 0, empty, at first).
  virtual std::shared_ptr<const ClusterImage> image() const = 0;

  // Commit appends `records` as one atomic batch if the newest image is at
  // `expected_version`, and returns the new version. kAborted if the image
  // has moved (recompute from the new one and retry); the image's
  // kFailedPrecondition if a record does not apply (nothing is committed).
  // An empty batch commits nothing.
  virtual absl::StatusOr<int64_t> Commit(
      int64_t expected_version, std::vector<MetadataRecord> records) = 0;

  // Subscribe calls `listener` with the newest image and then with every
  // image committed after it, in version order; never two calls at once for
  // one subscriber, and never under a lock of the store (the listener may
  // read the store and Commit). The first call runs on the subscribing
  // thread before Subscribe returns; later ones on a thread that committed.
  virtual MetadataSubscription Subscribe(Listener listener) = 0;
};

// NewInProcessMetadataStore returns an empty store that lives in memory. All
// brokers of one process share it; it outlives any of them.
std::shared_ptr<MetadataStore> NewInProcessMetadataStore();

// DurableMetadataStoreOptions configure OpenDurableMetadataStore.
struct DurableMetadataStoreOptions {
  // The file system holding the store's files. Required.
  // Default: null (kInvalidArgument).
  std::shared_ptr<io::FileSystem> fs = nullptr;
  // The directory of the store's files (format in
  // lib/replication/metadata_format.h), created when missing. One store at
  // a time owns it. Required. Default: "" (kInvalidArgument).
  std::string dir = {};
  // Once the log of commits has grown past this many bytes, the commit that
  // grew it also writes a snapshot of the whole image and starts an empty
  // log, which bounds what opening replays. Must be positive.
  // Default: 1 MiB.
  int64_t snapshot_every_bytes = int64_t{1} << 20;
};

// OpenDurableMetadataStore opens the store kept in `options.dir`, creating
// an empty one (version 0) the first time. Its image, version included, is
// the one the last successful Commit made before the store was closed or
// the machine crashed. A commit torn by a crash is dropped; metadata damaged
// anywhere else is kDataLoss, and the store refuses to open rather than
// lose committed records.
//
// The store behaves as the in-process one, and Commit returns only once the
// batch is durable (appended to the log and synced). An I/O error fails
// every Commit after it (with that error) until the store is reopened, and
// the Commit that hit it too, unless its batch was already durable (the
// error came from writing a snapshot); a batch that failed may or may not
// be found committed after reopening. Stores are thread-safe and may be
// dropped at any time (there is no Close).
//
//   ASSIGN_OR_RETURN(std::shared_ptr<MetadataStore> store,
//                    OpenDurableMetadataStore(
//                        {.fs = fs, .dir = "/data/__cluster_metadata"}));
absl::StatusOr<std::shared_ptr<MetadataStore>> OpenDurableMetadataStore(
    DurableMetadataStoreOptions options);

}  // namespace rill::replication

#endif  // RILL_REPLICATION_METADATA_STORE_H_
