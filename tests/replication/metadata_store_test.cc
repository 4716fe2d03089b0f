#include "rill/replication/metadata_store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "metadata_samples.h"
#include "rill/io/file_system.h"
#include "status_test_util.h"

namespace rill::replication {
namespace {

using test::Versions;

// NewStore makes an in-process or a durable store (on an in-memory file
// system): every case here runs on both, which promise the same behaviour.
std::shared_ptr<MetadataStore> NewStore(bool durable) {
  if (!durable) return NewInProcessMetadataStore();
  absl::StatusOr<std::shared_ptr<MetadataStore>> store =
      OpenDurableMetadataStore(
          {.fs = io::NewMemFileSystem(), .dir = "/metadata"});
  REQUIRE_OK(store);
  return *std::move(store);
}

// Register returns a record that registers broker `id` at log offset
// `epoch` (any increasing epoch will do).
MetadataRecord Register(int32_t id, int64_t epoch) {
  return RegisterBrokerRecord{.id = NodeId(id), .epoch = epoch};
}

TEST_CASE("A subscriber sees the current image, then every commit in order",
          "[replication]") {
  const bool durable = GENERATE(false, true);
  CAPTURE(durable);
  auto store = NewStore(durable);
  REQUIRE_OK(store->Commit(0, {Register(1, 0)}));
  Versions versions;
  MetadataSubscription sub = store->Subscribe(versions.Listener());
  CHECK(versions.Get() == std::vector<int64_t>{1});
  REQUIRE_OK(store->Commit(1, {Register(2, 1), Register(3, 2)}));
  REQUIRE_OK(store->Commit(3, {Register(4, 3)}));
  CHECK(versions.Get() == std::vector<int64_t>{1, 3, 4});
  CHECK(store->image()->brokers().size() == 4);
}

TEST_CASE("A commit against a moved image is aborted and changes nothing",
          "[replication]") {
  const bool durable = GENERATE(false, true);
  CAPTURE(durable);
  auto store = NewStore(durable);
  REQUIRE_OK(store->Commit(0, {Register(1, 0)}));
  absl::StatusOr<int64_t> stale = store->Commit(0, {Register(2, 0)});
  CHECK(stale.status().code() == absl::StatusCode::kAborted);
  CHECK(store->image()->version() == 1);
  CHECK(store->image()->FindBroker(NodeId(2)) == nullptr);
}

TEST_CASE("A batch with a record that does not apply commits nothing",
          "[replication]") {
  const bool durable = GENERATE(false, true);
  CAPTURE(durable);
  auto store = NewStore(durable);
  Versions versions;
  MetadataSubscription sub = store->Subscribe(versions.Listener());
  absl::StatusOr<int64_t> bad = store->Commit(
      0, {Register(1, 0), FenceBrokerRecord{.id = NodeId(9), .epoch = 0}});
  CHECK(bad.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(store->image()->version() == 0);
  CHECK(versions.Get() == std::vector<int64_t>{0});
}

TEST_CASE("Listeners run outside the store's lock: they read and commit",
          "[replication]") {
  const bool durable = GENERATE(false, true);
  CAPTURE(durable);
  auto store = NewStore(durable);
  std::vector<int64_t> seen;  // only the listener touches it, one at a time
  MetadataSubscription sub =
      store->Subscribe([&](const std::shared_ptr<const ClusterImage>& image) {
        seen.push_back(image->version());
        // Under the store's lock either call would deadlock.
        REQUIRE(store->image()->version() >= image->version());
        if (image->version() == 1) {
          REQUIRE_OK(store->Commit(1, {Register(2, 1)}));
        }
      });
  REQUIRE_OK(store->Commit(0, {Register(1, 0)}));
  // The listener's own commit reaches it after the call that made it.
  CHECK(seen == std::vector<int64_t>{0, 1, 2});
}

TEST_CASE("Concurrent commits reach each subscriber in order, one at a time",
          "[replication]") {
  const bool durable = GENERATE(false, true);
  CAPTURE(durable);
  auto store = NewStore(durable);
  std::atomic<int> inside{0};
  std::atomic<bool> overlapped{false};
  Versions versions;
  MetadataSubscription sub =
      store->Subscribe([&](const std::shared_ptr<const ClusterImage>& image) {
        if (inside.fetch_add(1) != 0) overlapped = true;
        std::this_thread::yield();
        versions.Listener()(image);
        inside.fetch_sub(1);
      });
  constexpr int kThreads = 4;
  constexpr int kCommitsEach = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCommitsEach;) {
        const int64_t at = store->image()->version();
        // Each broker id belongs to one thread, so only the version races.
        if (store->Commit(at, {Register(t * kCommitsEach + i, at)}).ok()) ++i;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK_FALSE(overlapped);
  std::vector<int64_t> expected;
  for (int64_t v = 0; v <= kThreads * kCommitsEach; ++v) expected.push_back(v);
  CHECK(versions.Get() == expected);
}

TEST_CASE("A cancelled subscription hears nothing more, even cancelled inside",
          "[replication]") {
  const bool durable = GENERATE(false, true);
  CAPTURE(durable);
  auto store = NewStore(durable);
  int calls = 0;
  MetadataSubscription sub;
  sub = store->Subscribe([&](const std::shared_ptr<const ClusterImage>& image) {
    ++calls;
    if (image->version() == 1) sub.Cancel();
  });
  REQUIRE_OK(store->Commit(0, {Register(1, 0)}));
  REQUIRE_OK(store->Commit(1, {Register(2, 1)}));
  CHECK(calls == 2);  // version 0 on subscribing, then version 1

  Versions versions;
  MetadataSubscription other = store->Subscribe(versions.Listener());
  other.Cancel();
  REQUIRE_OK(store->Commit(2, {Register(3, 2)}));
  CHECK(versions.Get() == std::vector<int64_t>{2});
}

TEST_CASE("A subscription may outlive its store", "[replication]") {
  const bool durable = GENERATE(false, true);
  CAPTURE(durable);
  Versions versions;
  MetadataSubscription sub;
  {
    auto store = NewStore(durable);
    sub = store->Subscribe(versions.Listener());
  }
  sub.Cancel();  // the store is gone: nothing to do, nothing to crash
  CHECK(versions.Get() == std::vector<int64_t>{0});
}

}  // namespace
}  // namespace rill::replication
