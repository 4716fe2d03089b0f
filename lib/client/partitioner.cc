#include "rill/client/partitioner.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "client/murmur2.h"

namespace rill {
namespace {

// DefaultPartitioner is Kafka's default partitioner with KIP-480's sticky
// choice for null keys. Owned by the producer that made it; lives as long as
// the producer. Thread-safe: the sticky state and the random generator are
// guarded by mu_.
class DefaultPartitioner final : public Partitioner {
 public:
  explicit DefaultPartitioner(uint64_t seed) : rng_(Seed(seed)) {}

  absl::StatusOr<PartitionId> Partition(
      std::string_view topic, std::optional<std::string_view> key,
      int32_t num_partitions, std::span<const PartitionId> available) override {
    if (num_partitions < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("topic ", absl::string_view(topic.data(), topic.size()),
                       " has ", num_partitions, " partitions"));
    }
    if (key.has_value()) {
      return PartitionId(client::ToPositive(client::Murmur2(*key)) %
                         num_partitions);
    }
    absl::MutexLock lock(&mu_);
    auto it = sticky_.find(topic);
    if (it == sticky_.end()) {
      it = sticky_.emplace(std::string(topic), Sticky{}).first;
    }
    Sticky& sticky = it->second;
    // A partition count never shrinks in Kafka, but a caller's view of it
    // can: re-pick rather than return a partition that does not exist.
    if (sticky.current.has_value() &&
        sticky.current->value() < num_partitions) {
      return *sticky.current;
    }
    sticky.current = Choose(num_partitions, available, sticky.avoid);
    sticky.avoid.reset();
    return *sticky.current;
  }

  void OnNewBatch(std::string_view topic,
                  PartitionId previous_partition) override {
    absl::MutexLock lock(&mu_);
    auto it = sticky_.find(topic);
    // A batch for another partition (a keyed record's, or one closed after
    // the sticky partition already moved on) changes nothing.
    if (it == sticky_.end() || it->second.current != previous_partition) {
      return;
    }
    it->second.avoid = previous_partition;
    it->second.current.reset();
  }

 private:
  static uint64_t Seed(uint64_t seed) {
    if (seed != 0) return seed;
    std::random_device device;
    return (uint64_t{device()} << 32) | device();
  }

  // Sticky is one topic's null-key state.
  struct Sticky {
    // The partition null-key records go to; unset until the next record
    // picks one.
    std::optional<PartitionId> current;
    // The partition whose batch just closed: the next pick avoids it when
    // there is any other choice.
    std::optional<PartitionId> avoid;
  };

  // Choose picks uniformly among the available partitions (all of them when
  // `available` names none in range), leaving out `avoid` when there is any
  // other choice. Runs once per batch, so building the pool is cheap enough.
  PartitionId Choose(int32_t num_partitions,
                     std::span<const PartitionId> available,
                     std::optional<PartitionId> avoid)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::vector<PartitionId> pool;
    for (PartitionId p : available) {
      if (p.value() >= 0 && p.value() < num_partitions) pool.push_back(p);
    }
    if (pool.empty()) {
      for (int32_t p = 0; p < num_partitions; ++p) pool.emplace_back(p);
    }
    if (avoid.has_value() &&
        std::any_of(pool.begin(), pool.end(),
                    [&](PartitionId p) { return p != *avoid; })) {
      std::erase(pool, *avoid);
    }
    return pool[Uniform(pool.size())];
  }

  uint64_t Uniform(uint64_t n) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_);
  }

  absl::Mutex mu_;
  std::map<std::string, Sticky, std::less<>> sticky_ ABSL_GUARDED_BY(mu_);
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<Partitioner> NewDefaultPartitioner(
    const DefaultPartitionerOptions& options) {
  return std::make_unique<DefaultPartitioner>(options.seed);
}

}  // namespace rill
