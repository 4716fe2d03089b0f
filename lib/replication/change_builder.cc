#include "replication/change_builder.h"

#include "util/status_macros.h"

namespace rill::replication::internal {

void ChangeCounts::Count(const PartitionChange& change) {
  leader_elections += change.leader_elected ? 1 : 0;
  unclean_leader_elections += change.unclean ? 1 : 0;
  isr_shrinks += change.isr_shrunk ? 1 : 0;
  isr_expands += change.isr_expanded ? 1 : 0;
}

ChangeCounts& ChangeCounts::operator+=(const ChangeCounts& other) {
  leader_elections += other.leader_elections;
  unclean_leader_elections += other.unclean_leader_elections;
  isr_shrinks += other.isr_shrinks;
  isr_expands += other.isr_expands;
  return *this;
}

absl::Status ChangeBuilder::Add(std::vector<MetadataRecord> records) {
  if (records.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(image_, image_.Apply(records));
  records_.insert(records_.end(), std::make_move_iterator(records.begin()),
                  std::make_move_iterator(records.end()));
  return absl::OkStatus();
}

absl::Status ChangeBuilder::Add(MetadataRecord record) {
  std::vector<MetadataRecord> one;
  one.push_back(std::move(record));
  return Add(std::move(one));
}

absl::Status ChangeBuilder::AddPartitionChanges(
    std::vector<std::pair<TopicPartition, PartitionChange>> changes) {
  std::vector<MetadataRecord> records;
  ChangeCounts counts;
  for (auto& [tp, change] : changes) {
    const TopicState* topic = image_.FindTopic(tp.topic);
    if (topic == nullptr) {
      return absl::InternalError("partition change for a missing topic");
    }
    counts.Count(change);
    records.push_back(ChangePartitionRecord{.topic_id = topic->id,
                                            .partition = tp.partition,
                                            .state = std::move(change.state)});
  }
  RETURN_IF_ERROR(Add(std::move(records)));
  counts_ += counts;
  return absl::OkStatus();
}

}  // namespace rill::replication::internal
