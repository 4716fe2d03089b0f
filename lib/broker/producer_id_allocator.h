// ProducerIdAllocator hands out idempotent producer ids that are never
// reused, across restarts too.
//
// Like Kafka's ProducerIdManager it reserves ids in blocks: the start of the
// next unreserved block is written durably before any id of the current one
// is handed out, so a crash can skip ids but never repeat one.
// On disk: <metadata_dir>/producer_ids, one line "next.block.start=<n>".
//
// The brokers of a cluster each count on their own, so their ids are
// interleaved by broker id: broker b hands out n * kMaxBrokers + b for its
// n-th id, never one another broker hands out. (Kafka instead has the
// controller allocate blocks, KIP-730; this needs no metadata round trip
// and keeps a cluster of one's ids 0, 1, 2, ... as before.)
#ifndef RILL_BROKER_PRODUCER_ID_ALLOCATOR_H_
#define RILL_BROKER_PRODUCER_ID_ALLOCATOR_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "rill/io/file_system.h"
#include "rill/types.h"

namespace rill::broker {

// ProducerIdAllocator: owned by the broker. Thread-safe.
class ProducerIdAllocator {
 public:
  // kBlockSize ids are reserved per durable write.
  static constexpr int64_t kBlockSize = 1000;

  // kMaxBrokers bounds the broker ids of a cluster that interleaves.
  static constexpr int64_t kMaxBrokers = int64_t{1} << 20;

  // `interleave_as`: this broker's id in a cluster of several, or nullopt
  // for a cluster of one.
  ProducerIdAllocator(std::shared_ptr<io::FileSystem> fs,
                      std::string metadata_dir,
                      std::optional<NodeId> interleave_as)
      : fs_(std::move(fs)),
        dir_(std::move(metadata_dir)),
        path_(io::JoinPath(dir_, "producer_ids")),
        interleave_as_(interleave_as) {}

  // Next returns a producer id no earlier call (in this or a previous run)
  // returned.
  absl::StatusOr<ProducerId> Next() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  absl::Status ReserveBlock() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::shared_ptr<io::FileSystem> fs_;
  // A broker of a replicated cluster has nothing else in it: created on
  // the first reservation.
  const std::string dir_;
  const std::string path_;
  const std::optional<NodeId> interleave_as_;
  absl::Mutex mu_;
  int64_t next_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t block_end_ ABSL_GUARDED_BY(mu_) = 0;  // 0: nothing reserved yet
};

}  // namespace rill::broker

#endif  // RILL_BROKER_PRODUCER_ID_ALLOCATOR_H_
