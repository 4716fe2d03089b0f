// DurableMetadataStore: a MetadataStore kept in a directory, as a log of
// committed batches behind a snapshot (format in metadata_format.h).
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "replication/metadata_format.h"
#include "replication/metadata_frames.h"
#include "replication/metadata_record_codec.h"
#include "replication/subscribers.h"
#include "rill/replication/metadata_store.h"
#include "util/status_macros.h"

namespace rill::replication {
namespace {

using internal::Subscribers;

absl::Status DataLoss(const std::string& path, const absl::Status& cause) {
  return absl::DataLossError(
      absl::StrCat("metadata in ", path, " is damaged: ", cause.message()));
}

// Loaded is what opening a store's directory found.
struct Loaded {
  ClusterImage image = {};
  std::unique_ptr<io::File> log = nullptr;
};

// ReplayLog applies the log's frames to `image` (what the snapshot held),
// truncating a torn tail away.
absl::Status ReplayLog(io::FileSystem& fs, const std::string& path,
                       ClusterImage& image, std::unique_ptr<io::File>& log) {
  ASSIGN_OR_RETURN(std::string contents, io::ReadFileToString(fs, path));
  absl::StatusOr<internal::FrameScan> scan = internal::ScanFrames(contents);
  if (!scan.ok()) return DataLoss(path, scan.status());
  for (const internal::Frame& frame : scan->frames) {
    absl::StatusOr<internal::MetadataBatch> batch =
        internal::DecodeBatch(frame.payload);
    if (!batch.ok()) return DataLoss(path, batch.status());
    // Batches the snapshot already holds: the log a crash mid-rollover left.
    if (batch->end_version() <= image.version()) continue;
    if (batch->base_version != image.version()) {
      return DataLoss(
          path, absl::DataLossError(absl::StrCat(
                    "the frame at byte ", frame.offset, " starts at version ",
                    batch->base_version, ", not ", image.version())));
    }
    absl::StatusOr<ClusterImage> next = image.Apply(batch->records);
    if (!next.ok()) return DataLoss(path, next.status());
    image = *std::move(next);
  }
  ASSIGN_OR_RETURN(log, fs.OpenFile(path, {}));
  if (scan->valid_bytes < contents.size()) {
    RETURN_IF_ERROR(log->Truncate(scan->valid_bytes));
    RETURN_IF_ERROR(log->Sync());
  }
  return absl::OkStatus();
}

absl::StatusOr<Loaded> Load(io::FileSystem& fs, const std::string& dir) {
  RETURN_IF_ERROR(fs.CreateDirs(dir));
  const std::string snapshot_path =
      io::JoinPath(dir, internal::kMetadataSnapshotFile);
  const std::string log_path = io::JoinPath(dir, internal::kMetadataLogFile);
  Loaded loaded;
  ASSIGN_OR_RETURN(const bool has_snapshot, fs.Exists(snapshot_path));
  if (has_snapshot) {
    ASSIGN_OR_RETURN(std::string contents,
                     io::ReadFileToString(fs, snapshot_path));
    absl::StatusOr<std::string_view> payload =
        internal::ReadSingleFrame(contents);
    if (!payload.ok()) return DataLoss(snapshot_path, payload.status());
    absl::StatusOr<ClusterImage> image = internal::DecodeSnapshot(*payload);
    if (!image.ok()) return DataLoss(snapshot_path, image.status());
    loaded.image = *std::move(image);
  }
  ASSIGN_OR_RETURN(const bool has_log, fs.Exists(log_path));
  if (has_log) {
    RETURN_IF_ERROR(ReplayLog(fs, log_path, loaded.image, loaded.log));
  } else if (has_snapshot) {
    // A rollover replaces the log by renaming over it: it never goes
    // missing, and what it held after the snapshot would be lost.
    return DataLoss(log_path, absl::NotFoundError("the log is missing"));
  } else {
    ASSIGN_OR_RETURN(loaded.log, fs.OpenFile(log_path, {.create = true}));
    RETURN_IF_ERROR(loaded.log->Sync());
    RETURN_IF_ERROR(fs.SyncDir(dir));
  }
  return loaded;
}

// DurableMetadataStore behaves as the in-process store, and every batch it
// commits is in its log, synced, before Commit returns. Owned by
// shared_ptr; its subscriptions may outlive it. Thread-safe: write_mu_
// serializes commits and is held across their I/O; image() and Subscribe
// take only mu_, which is never held across I/O.
class DurableMetadataStore final : public MetadataStore {
 public:
  DurableMetadataStore(DurableMetadataStoreOptions options, Loaded loaded)
      : fs_(std::move(options.fs)),
        dir_(std::move(options.dir)),
        log_path_(io::JoinPath(dir_, internal::kMetadataLogFile)),
        snapshot_path_(io::JoinPath(dir_, internal::kMetadataSnapshotFile)),
        snapshot_every_bytes_(options.snapshot_every_bytes),
        log_(std::move(loaded.log)),
        image_(std::make_shared<const ClusterImage>(std::move(loaded.image))) {}

  std::shared_ptr<const ClusterImage> image() const override {
    absl::MutexLock lock(&mu_);
    return image_;
  }

  absl::StatusOr<int64_t> Commit(int64_t expected_version,
                                 std::vector<MetadataRecord> records) override {
    Subscribers::Delivery delivery;
    int64_t version;
    {
      absl::MutexLock write_lock(&write_mu_);
      // Only commits change image_, and they hold write_mu_.
      const std::shared_ptr<const ClusterImage> current = image();
      if (current->version() != expected_version) {
        return absl::AbortedError(
            absl::StrCat("metadata moved to version ", current->version(),
                         " (expected ", expected_version, ")"));
      }
      if (records.empty()) return expected_version;
      RETURN_IF_ERROR(failed_);
      ASSIGN_OR_RETURN(ClusterImage next, current->Apply(records));
      ASSIGN_OR_RETURN(std::string frame,
                       internal::EncodeFrame(
                           internal::EncodeBatch(expected_version, records)));
      absl::Status written = log_->Append(frame);
      if (written.ok()) written = log_->Sync();
      if (!written.ok()) {
        // The log may end in part of this frame: appending after it would
        // turn a torn tail into corruption. Reopening cuts it away.
        failed_ = util::Annotate(written, StoreFailed());
        return failed_;
      }
      auto published = std::make_shared<const ClusterImage>(std::move(next));
      version = published->version();
      {
        absl::MutexLock lock(&mu_);
        image_ = published;
        // Queued under write_mu_, so every queue is in version order.
        delivery = subscribers_->Publish(published);
      }
      if (log_->Size() > static_cast<uint64_t>(snapshot_every_bytes_)) {
        // The batch is durable whatever happens here: this Commit succeeds.
        absl::Status rolled = Roll(*published);
        if (!rolled.ok()) failed_ = util::Annotate(rolled, StoreFailed());
      }
    }
    std::move(delivery).Run();
    return version;
  }

  MetadataSubscription Subscribe(Listener listener) override {
    std::pair<MetadataSubscription, Subscribers::Delivery> added;
    {
      absl::MutexLock lock(&mu_);
      added = subscribers_->Subscribe(std::move(listener), image_);
    }
    std::move(added.second).Run();
    return std::move(added.first);
  }

 private:
  std::string StoreFailed() const {
    return absl::StrCat("metadata store ", dir_,
                        " stopped committing until reopened");
  }

  // Roll writes `image` as the snapshot, then replaces the log by an empty
  // one (the order metadata_format.h explains).
  absl::Status Roll(const ClusterImage& image)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_) {
    ASSIGN_OR_RETURN(std::string snapshot,
                     internal::EncodeFrame(internal::EncodeSnapshot(image)));
    RETURN_IF_ERROR(io::WriteFileAtomically(*fs_, snapshot_path_, snapshot));
    const std::string tmp =
        absl::StrCat(log_path_, internal::kMetadataTmpSuffix);
    ASSIGN_OR_RETURN(std::unique_ptr<io::File> fresh,
                     fs_->OpenFile(tmp, {.create = true, .truncate = true}));
    RETURN_IF_ERROR(fresh->Sync());
    RETURN_IF_ERROR(fs_->Rename(tmp, log_path_));
    // The name is the fresh file's now, durable or not: never append to the
    // old one again.
    log_ = std::move(fresh);
    return fs_->SyncDir(dir_);
  }

  // Constant after construction.
  const std::shared_ptr<io::FileSystem> fs_;
  const std::string dir_;
  const std::string log_path_;
  const std::string snapshot_path_;
  const int64_t snapshot_every_bytes_;
  const std::shared_ptr<Subscribers> subscribers_ =
      std::make_shared<Subscribers>();

  // Serializes commits; held across their I/O.
  absl::Mutex write_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  std::unique_ptr<io::File> log_ ABSL_GUARDED_BY(write_mu_);
  // The first I/O error, after which nothing more is written.
  absl::Status failed_ ABSL_GUARDED_BY(write_mu_);

  mutable absl::Mutex mu_;
  std::shared_ptr<const ClusterImage> image_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

absl::StatusOr<std::shared_ptr<MetadataStore>> OpenDurableMetadataStore(
    DurableMetadataStoreOptions options) {
  if (options.fs == nullptr || options.dir.empty()) {
    return absl::InvalidArgumentError(
        "a durable metadata store needs a file system and a directory");
  }
  if (options.snapshot_every_bytes <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("snapshot_every_bytes must be positive, not ",
                     options.snapshot_every_bytes));
  }
  ASSIGN_OR_RETURN(Loaded loaded, Load(*options.fs, options.dir));
  return std::make_shared<DurableMetadataStore>(std::move(options),
                                                std::move(loaded));
}

}  // namespace rill::replication
