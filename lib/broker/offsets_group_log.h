// OffsetsGroupLog: the group coordinator's GroupLog over the broker's
// `__consumer_offsets` partitions, so group state is written like any other
// data (same validation, acks, and later replication).
#ifndef RILL_BROKER_OFFSETS_GROUP_LOG_H_
#define RILL_BROKER_OFFSETS_GROUP_LOG_H_

#include <functional>
#include <memory>

#include "broker/partition.h"
#include "rill/group/group_log.h"

namespace rill::broker {

// OffsetsGroupLog is owned by the broker. Thread-safe (the partitions are).
class OffsetsGroupLog final : public GroupLog {
 public:
  // PartitionSource returns partition `p` of the offsets topic; with
  // `create` it creates the topic first if it does not exist yet (Kafka
  // creates it on first use), else an unknown topic is kNotFound.
  using PartitionSource =
      std::function<absl::StatusOr<std::shared_ptr<Partition>>(int32_t p,
                                                               bool create)>;

  OffsetsGroupLog(int32_t num_partitions, PartitionSource source)
      : num_partitions_(num_partitions), source_(std::move(source)) {}

  int32_t num_partitions() const override { return num_partitions_; }
  void Append(int32_t partition, std::span<char> batch,
              AppendCallback done) override;
  absl::StatusOr<LogReadResult> Read(int32_t partition, Offset offset,
                                     int64_t max_bytes) override;
  absl::StatusOr<Offset> log_start_offset(int32_t partition) override;

 private:
  const int32_t num_partitions_;
  const PartitionSource source_;
};

}  // namespace rill::broker

#endif  // RILL_BROKER_OFFSETS_GROUP_LOG_H_
