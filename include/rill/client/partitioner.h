// rill/client/partitioner.h — which partition a produced record goes to.
//
// The default partitioner is Kafka's: a keyed record goes to
// toPositive(murmur2(key)) % num_partitions, the partition the Java client's
// default partitioner (and librdkafka with partitioner=murmur2_random) picks
// for the same key and partition count; a record with a null key goes to the
// topic's current "sticky" partition (KIP-480), chosen at random and kept until
// the producer reports, with OnNewBatch, that the batch for it was closed.
// Sticking to one partition per batch makes larger batches than spreading every
// record.
//
//   std::unique_ptr<rill::Partitioner> partitioner =
//       rill::NewDefaultPartitioner();
//   ASSIGN_OR_RETURN(rill::PartitionId p,
//                    partitioner->Partition("orders", key, 12, {}));
//   ...
//   // The producer closed the batch it was filling for orders-<p>:
//   partitioner->OnNewBatch("orders", p);
//
// An empty key ("") is a key, not a null key: it is hashed.
#ifndef RILL_CLIENT_PARTITIONER_H_
#define RILL_CLIENT_PARTITIONER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "absl/status/statusor.h"
#include "rill/types.h"

namespace rill {

// Partitioner picks partitions for records. Implementations must be
// thread-safe: a producer calls them from every thread that sends.
class Partitioner {
 public:
  Partitioner() = default;
  Partitioner(const Partitioner&) = delete;
  Partitioner& operator=(const Partitioner&) = delete;
  virtual ~Partitioner() = default;

  // Partition returns the partition of `topic` for a record with `key`
  // (nullopt: a null key) when the topic has `num_partitions` partitions.
  // `available` lists the partitions that can take writes now (those with a
  // leader); empty means all of them. The default partitioner consults it
  // only when it picks a new sticky partition for null keys; a keyed
  // record's partition never depends on it. kInvalidArgument when
  // num_partitions < 1.
  virtual absl::StatusOr<PartitionId> Partition(
      std::string_view topic, std::optional<std::string_view> key,
      int32_t num_partitions, std::span<const PartitionId> available) = 0;

  // OnNewBatch tells the partitioner that the producer closed (filled or
  // sent) its batch for `previous_partition` of `topic` and is starting a new
  // one, so that null-key records can move on to another partition.
  virtual void OnNewBatch(std::string_view topic,
                          PartitionId previous_partition) = 0;
};

// DefaultPartitionerOptions configure NewDefaultPartitioner.
struct DefaultPartitionerOptions {
  // Seed for the random choice of sticky partitions; 0 seeds from
  // std::random_device. Tests set it for repeatable choices. Default: 0.
  uint64_t seed = 0;
};

// NewDefaultPartitioner returns Kafka's default partitioner: murmur2 for keys,
// sticky for null keys.
std::unique_ptr<Partitioner> NewDefaultPartitioner(
    const DefaultPartitionerOptions& options = {});

}  // namespace rill

#endif  // RILL_CLIENT_PARTITIONER_H_
