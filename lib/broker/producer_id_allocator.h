// ProducerIdAllocator hands out idempotent producer ids that are never
// reused, across restarts too.
//
// Like Kafka's ProducerIdManager it reserves ids in blocks: the start of the
// next unreserved block is written durably before any id of the current one
// is handed out, so a crash can skip ids but never repeat one.
// On disk: <metadata_dir>/producer_ids, one line "next.block.start=<n>".
#ifndef RILL_BROKER_PRODUCER_ID_ALLOCATOR_H_
#define RILL_BROKER_PRODUCER_ID_ALLOCATOR_H_

#include <cstdint>
#include <memory>
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

  ProducerIdAllocator(std::shared_ptr<io::FileSystem> fs,
                      std::string metadata_dir)
      : fs_(std::move(fs)),
        dir_(std::move(metadata_dir)),
        path_(io::JoinPath(dir_, "producer_ids")) {}

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
  absl::Mutex mu_;
  int64_t next_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t block_end_ ABSL_GUARDED_BY(mu_) = 0;  // 0: nothing reserved yet
};

}  // namespace rill::broker

#endif  // RILL_BROKER_PRODUCER_ID_ALLOCATOR_H_
