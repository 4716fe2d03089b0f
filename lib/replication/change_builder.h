// ChangeBuilder: one controller write in the making.
#ifndef RILL_REPLICATION_CHANGE_BUILDER_H_
#define RILL_REPLICATION_CHANGE_BUILDER_H_

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "replication/partition_change.h"
#include "rill/replication/cluster_image.h"
#include "rill/replication/cluster_metadata.h"

namespace rill::replication::internal {

// ChangeCounts tally the kinds of partition changes in a write; the
// controller adds them to its counters once the write commits.
struct ChangeCounts {
  int64_t leader_elections = 0;
  int64_t unclean_leader_elections = 0;
  int64_t isr_shrinks = 0;
  int64_t isr_expands = 0;

  void Count(const PartitionChange& change);
  ChangeCounts& operator+=(const ChangeCounts& other);
};

// ChangeBuilder collects the records of one write against the image it
// started from. Each record is applied to a scratch image as it is added,
// so a later decision in the same write sees the earlier ones (a broker
// fenced, then its partitions re-elected). Not thread-safe: one write.
class ChangeBuilder {
 public:
  explicit ChangeBuilder(std::shared_ptr<const ClusterImage> base)
      : base_(std::move(base)), image_(*base_) {}
  ChangeBuilder(const ChangeBuilder&) = delete;
  ChangeBuilder& operator=(const ChangeBuilder&) = delete;

  // base is the image the write started from: the version it commits on.
  const ClusterImage& base() const { return *base_; }
  // image is the base with the records so far applied.
  const ClusterImage& image() const { return image_; }
  // next_offset is the metadata log offset the next added record gets
  // (KRaft's broker epochs are these).
  int64_t next_offset() const { return image_.version(); }

  // Add appends records, applying them to the scratch image.
  absl::Status Add(std::vector<MetadataRecord> records);
  absl::Status Add(MetadataRecord record);
  // AddPartitionChanges appends one ChangePartitionRecord per change and
  // counts them.
  absl::Status AddPartitionChanges(
      std::vector<std::pair<TopicPartition, PartitionChange>> changes);

  const std::vector<MetadataRecord>& records() const { return records_; }
  std::vector<MetadataRecord> TakeRecords() { return std::move(records_); }
  const ChangeCounts& counts() const { return counts_; }

 private:
  std::shared_ptr<const ClusterImage> base_;
  ClusterImage image_;
  std::vector<MetadataRecord> records_;
  ChangeCounts counts_;
};

}  // namespace rill::replication::internal

#endif  // RILL_REPLICATION_CHANGE_BUILDER_H_
