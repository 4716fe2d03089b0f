#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "metadata_samples.h"
#include "replication/metadata_format.h"
#include "rill/clock.h"
#include "rill/io/file_system.h"
#include "rill/replication/controller.h"
#include "rill/replication/metadata_store.h"
#include "status_test_util.h"
#include "util/endian.h"

namespace rill::replication {
namespace {

using test::ImagesAfter;
using test::MoreBatches;
using test::SampleBatches;
using test::Versions;

constexpr char kDir[] = "/data/__cluster_metadata";
const std::string kLog = io::JoinPath(kDir, internal::kMetadataLogFile);
const std::string kSnapshot =
    io::JoinPath(kDir, internal::kMetadataSnapshotFile);

absl::StatusOr<std::shared_ptr<MetadataStore>> Open(
    const std::shared_ptr<io::FileSystem>& fs,
    int64_t snapshot_every_bytes = 1 << 20) {
  return OpenDurableMetadataStore(
      {.fs = fs, .dir = kDir, .snapshot_every_bytes = snapshot_every_bytes});
}

// CommitAll commits each batch against the store's newest image.
void CommitAll(MetadataStore& store,
               const std::vector<std::vector<MetadataRecord>>& batches) {
  for (const auto& batch : batches) {
    REQUIRE_OK(store.Commit(store.image()->version(), batch));
  }
}

uint64_t FileSize(io::FileSystem& fs, const std::string& path) {
  absl::StatusOr<std::string> contents = io::ReadFileToString(fs, path);
  REQUIRE_OK(contents);
  return contents->size();
}

void Rewrite(io::FileSystem& fs, const std::string& path,
             const std::string& contents) {
  ASSIGN_OR_REQUIRE(std::unique_ptr<io::File> file,
                    fs.OpenFile(path, {.create = true, .truncate = true}));
  REQUIRE_OK(file->Append(contents));
  REQUIRE_OK(file->Sync());
}

TEST_CASE("A new durable store is empty at version 0 and creates its log",
          "[replication][durable]") {
  auto fs = io::NewMemFileSystem();
  ASSIGN_OR_REQUIRE(std::shared_ptr<MetadataStore> store, Open(fs));
  CHECK(*store->image() == ClusterImage());
  CHECK(fs->Exists(kLog).value_or(false));
  CHECK_FALSE(fs->Exists(kSnapshot).value_or(true));
}

TEST_CASE("A reopened store has the committed image, version included",
          "[replication][durable]") {
  auto fs = io::NewMemFileSystem();
  const auto batches = SampleBatches();
  const std::vector<ClusterImage> images = ImagesAfter(batches);
  {
    ASSIGN_OR_REQUIRE(std::shared_ptr<MetadataStore> store, Open(fs));
    CommitAll(*store, batches);
    REQUIRE(*store->image() == images.back());
  }
  ASSIGN_OR_REQUIRE(std::shared_ptr<MetadataStore> reopened, Open(fs));
  CHECK(reopened->image()->version() == images.back().version());
  CHECK(*reopened->image() == images.back());

  // It goes on from there, and again survives a reopen.
  const auto more = MoreBatches(3);
  CommitAll(*reopened, more);
  const std::shared_ptr<const ClusterImage> after = reopened->image();
  reopened.reset();
  ASSIGN_OR_REQUIRE(std::shared_ptr<MetadataStore> again, Open(fs));
  CHECK(*again->image() == *after);
  CHECK(again->image()->FindTopic("topic-2") != nullptr);
}

TEST_CASE("Subscribers of a durable store see its image, then each commit",
          "[replication][durable]") {
  auto fs = io::NewMemFileSystem();
  const auto batches = SampleBatches();
  {
    ASSIGN_OR_REQUIRE(std::shared_ptr<MetadataStore> store, Open(fs));
    CommitAll(*store, {batches[0], batches[1]});
  }
  ASSIGN_OR_REQUIRE(std::shared_ptr<MetadataStore> store, Open(fs));
  Versions versions;
  MetadataSubscription sub = store->Subscribe(versions.Listener());
  CommitAll(*store, {batches[2], batches[3]});
  CHECK(versions.Get() == std::vector<int64_t>{3, 4, 5});
}

TEST_CASE("A stale or failing commit changes nothing, on disk either",
          "[replication][durable]") {
  auto fs = io::NewMemFileSystem();
  const auto batches = SampleBatches();
  ASSIGN_OR_REQUIRE(std::shared_ptr<MetadataStore> store, Open(fs));
  CommitAll(*store, {batches[0]});
  const uint64_t log_size = FileSize(*fs, kLog);

  SECTION("an expected version that has moved is kAborted") {
    CHECK(store->Commit(0, batches[1]).status().code() ==
          absl::StatusCode::kAborted);
  }
  SECTION("a record that does not apply is kFailedPrecondition") {
    CHECK(store->Commit(2, {FenceBrokerRecord{.id = NodeId(9), .epoch = 0}})
              .status()
              .code() == absl::StatusCode::kFailedPrecondition);
  }
  SECTION("an empty batch commits nothing") {
    ASSIGN_OR_REQUIRE(int64_t version, store->Commit(2, {}));
    CHECK(version == 2);
  }
  CHECK(store->image()->version() == 2);
  CHECK(FileSize(*fs, kLog) == log_size);
  store.reset();
  ASSIGN_OR_REQUIRE(std::shared_ptr<MetadataStore> reopened, Open(fs));
  CHECK(reopened->image()->version() == 2);
}

TEST_CASE("A torn last commit is cut away and the one before it kept",
          "[replication][durable]") {
  auto fs = io::NewMemFileSystem();
  const auto batches = SampleBatches();
  const std::vector<ClusterImage> images = ImagesAfter(batches);
  uint64_t before_last = 0;
  {
    ASSIGN_OR_REQUIRE(std::shared_ptr<MetadataStore> store, Open(fs));
    CommitAll(*store, std::vector(batches.begin(), batches.end() - 1));
    before_last = FileSize(*fs, kLog);
    CommitAll(*store, {batches.back()});
  }
  const uint64_t full = FileSize(*fs, kLog);
  REQUIRE(full > before_last + internal::kFrameHeaderBytes);
  ASSIGN_OR_REQUIRE(std::string contents, io::ReadFileToString(*fs, kLog));

  SECTION("the last frame lost a few bytes") {
    ASSIGN_OR_REQUIRE(std::unique_ptr<io::File> log, fs->OpenFile(kLog, {}));
    REQUIRE_OK(log->Truncate(full - 3));
  }
  SECTION("only part of the last frame's header was written") {
    ASSIGN_OR_REQUIRE(std::unique_ptr<io::File> log, fs->OpenFile(kLog, {}));
    REQUIRE_OK(log->Truncate(before_last + 5));
  }
  SECTION("the last frame's payload is zeros (the size grew, the data not)") {
    std::fill(contents.begin() + before_last + internal::kFrameHeaderBytes,
              contents.end(), '\0');
    Rewrite(*fs, kLog, contents);
  }
  ASSIGN_OR_REQUIRE(std::shared_ptr<MetadataStore> store, Open(fs));
  CHECK(*store->image() == images[images.size() - 2]);
  // The tail is gone from the file, so later commits follow good frames.
  CHECK(FileSize(*fs, kLog) == before_last);
  CommitAll(*store, {batches.back()});
  store.reset();
  ASSIGN_OR_REQUIRE(std::shared_ptr<MetadataStore> reopened, Open(fs));
  CHECK(*reopened->image() == images.back());
}

TEST_CASE("Damage before the last frame refuses to open with kDataLoss",
          "[replication][durable]") {
  auto fs = io::NewMemFileSystem();
  {
    ASSIGN_OR_REQUIRE(std::shared_ptr<MetadataStore> store, Open(fs));
    CommitAll(*store, SampleBatches());
  }
  ASSIGN_OR_REQUIRE(std::string contents, io::ReadFileToString(*fs, kLog));
  SECTION("a flipped byte in the middle of the log") {
    contents[contents.size() / 2] ^= 0x10;
  }
  SECTION("a flipped byte in the first frame's payload") {
    contents[internal::kFrameHeaderBytes + 2] ^= 0x01;
  }
  SECTION("a first frame's length grown past the end of the file") {
    contents[0] = '\x7f';
  }
  SECTION("a first frame's length shrunk") { contents[3] ^= 0x01; }
  Rewrite(*fs, kLog, contents);
  absl::StatusOr<std::shared_ptr<MetadataStore>> store = Open(fs);
  CHECK(store.status().code() == absl::StatusCode::kDataLoss);
  // Nothing was cut away: the damage is still there to be looked at.
  CHECK(io::ReadFileToString(*fs, kLog).value_or("") == contents);
}

TEST_CASE("A large log rolls over into a snapshot and reopens from it",
          "[replication][durable]") {
  auto fs = io::NewMemFileSystem();
  constexpr int64_t kRollBytes = 300;
  auto batches = SampleBatches();
  for (auto& batch : MoreBatches(40)) batches.push_back(std::move(batch));
  const std::vector<ClusterImage> images = ImagesAfter(batches);
  {
    ASSIGN_OR_REQUIRE(std::shared_ptr<MetadataStore> store,
                      Open(fs, kRollBytes));
    CommitAll(*store, batches);
  }
  REQUIRE(fs->Exists(kSnapshot).value_or(false));
  // The log holds what came after the snapshot only.
  CHECK(FileSize(*fs, kLog) <= static_cast<uint64_t>(kRollBytes));
  ASSIGN_OR_REQUIRE(std::shared_ptr<MetadataStore> store, Open(fs, kRollBytes));
  CHECK(store->image()->version() == images.back().version());
  CHECK(*store->image() == images.back());
}

TEST_CASE("Log frames the snapshot holds are skipped, a gap is kDataLoss",
          "[replication][durable]") {
  auto fs = io::NewMemFileSystem();
  const auto batches = SampleBatches();
  const auto more = MoreBatches(3);
  std::string old_log;
  {
    ASSIGN_OR_REQUIRE(std::shared_ptr<MetadataStore> store, Open(fs));
    CommitAll(*store, batches);
    ASSIGN_OR_REQUIRE(old_log, io::ReadFileToString(*fs, kLog));
  }
  {
    // A threshold below the log's size: the next commit rolls over.
    ASSIGN_OR_REQUIRE(std::shared_ptr<MetadataStore> store, Open(fs, 1));
    CommitAll(*store, {more[0]});
    REQUIRE(fs->Exists(kSnapshot).value_or(false));
    REQUIRE(FileSize(*fs, kLog) == 0);
  }
  auto all = batches;
  all.push_back(more[0]);
  const std::vector<ClusterImage> images = ImagesAfter(all);

  SECTION("an older log beside the snapshot (a crash mid-rollover)") {
    Rewrite(*fs, kLog, old_log);
    ASSIGN_OR_REQUIRE(std::shared_ptr<MetadataStore> store, Open(fs));
    // Its batches are in the snapshot: skipped, not applied twice.
    CHECK(*store->image() == images.back());
    // And the commits after it follow on.
    CommitAll(*store, {more[1]});
    store.reset();
    ASSIGN_OR_REQUIRE(std::shared_ptr<MetadataStore> reopened, Open(fs));
    CHECK(reopened->image()->version() == images.back().version() + 1);
  }
  SECTION("a log missing the first commit after the snapshot") {
    {
      ASSIGN_OR_REQUIRE(std::shared_ptr<MetadataStore> store, Open(fs));
      CommitAll(*store, {more[1], more[2]});
    }
    ASSIGN_OR_REQUIRE(std::string log, io::ReadFileToString(*fs, kLog));
    const size_t first_frame =
        internal::kFrameHeaderBytes + util::LoadBigEndian<uint32_t>(log.data());
    REQUIRE(first_frame < log.size());
    Rewrite(*fs, kLog, log.substr(first_frame));
    CHECK(Open(fs).status().code() == absl::StatusCode::kDataLoss);
  }
}

TEST_CASE("Damaged or missing files beside a snapshot are kDataLoss",
          "[replication][durable]") {
  auto fs = io::NewMemFileSystem();
  {
    ASSIGN_OR_REQUIRE(std::shared_ptr<MetadataStore> store, Open(fs, 1));
    CommitAll(*store, SampleBatches());
  }
  REQUIRE(fs->Exists(kSnapshot).value_or(false));
  SECTION("a flipped byte in the snapshot") {
    ASSIGN_OR_REQUIRE(std::string snapshot,
                      io::ReadFileToString(*fs, kSnapshot));
    snapshot[snapshot.size() / 2] ^= 0x04;
    Rewrite(*fs, kSnapshot, snapshot);
  }
  SECTION("a truncated snapshot") {
    ASSIGN_OR_REQUIRE(std::unique_ptr<io::File> file,
                      fs->OpenFile(kSnapshot, {}));
    REQUIRE_OK(file->Truncate(file->Size() - 1));
  }
  SECTION("the log removed") { REQUIRE_OK(fs->RemoveFile(kLog)); }
  CHECK(Open(fs).status().code() == absl::StatusCode::kDataLoss);
}

TEST_CASE("Opening without a file system, a directory or a threshold fails",
          "[replication][durable]") {
  auto fs = io::NewMemFileSystem();
  CHECK(
      OpenDurableMetadataStore({.fs = nullptr, .dir = kDir}).status().code() ==
      absl::StatusCode::kInvalidArgument);
  CHECK(OpenDurableMetadataStore({.fs = fs, .dir = ""}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(OpenDurableMetadataStore(
            {.fs = fs, .dir = kDir, .snapshot_every_bytes = 0})
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("A controller's brokers and topics survive reopening its store",
          "[replication][durable]") {
  auto fs = io::NewMemFileSystem();
  auto clock = std::make_shared<ManualClock>(1'000'000);
  std::shared_ptr<const ClusterImage> before;
  {
    ASSIGN_OR_REQUIRE(std::shared_ptr<MetadataStore> store, Open(fs, 512));
    ASSIGN_OR_REQUIRE(
        std::unique_ptr<Controller> controller,
        Controller::Create(
            {.store = store, .clock = clock, .assignment_seed = 3}));
    REQUIRE_OK(controller->RegisterBroker(NodeId(1), {}));
    for (int i = 0; i < 20; ++i) {
      REQUIRE_OK(controller->CreateTopic(
          {.name = "t" + std::to_string(i), .num_partitions = 3}, {}));
    }
    REQUIRE_OK(controller->DeleteTopic("t7"));
    before = store->image();
  }
  ASSIGN_OR_REQUIRE(std::shared_ptr<MetadataStore> store, Open(fs, 512));
  CHECK(*store->image() == *before);
  ASSIGN_OR_REQUIRE(
      std::unique_ptr<Controller> controller,
      Controller::Create(
          {.store = store, .clock = clock, .assignment_seed = 3}));
  // The same name after a restart is refused: the topic is still there.
  CHECK_FALSE(controller->CreateTopic({.name = "t3"}, {}).ok());
  REQUIRE_OK(controller->CreateTopic({.name = "t7"}, {}));
  CHECK(store->image()->FindTopic("t7")->id !=
        Uuid{});  // a new incarnation, committed durably
}

}  // namespace
}  // namespace rill::replication
