// AdminImpl: see rill/client/admin.h. Each call goes straight to the
// broker; calls over several topics or groups try every one and return the
// first error, as Kafka's per-item results would show it.
#include "rill/client/admin.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "client/consumer_protocol.h"
#include "rill/error.h"
#include "util/status_macros.h"

namespace rill::client {
namespace {

class AdminImpl final : public Admin {
 public:
  explicit AdminImpl(Broker& broker) : broker_(broker) {}

  absl::Status CreateTopics(const std::vector<NewTopic>& topics,
                            bool validate_only) override {
    absl::Status status;
    for (const NewTopic& topic : topics) {
      status.Update(broker_.CreateTopic(topic, validate_only));
    }
    return status;
  }

  absl::Status DeleteTopics(const std::vector<std::string>& names) override {
    absl::Status status;
    for (const std::string& name : names) {
      status.Update(broker_.DeleteTopic(name));
    }
    return status;
  }

  absl::StatusOr<std::vector<std::string>> ListTopics(
      bool include_internal) override {
    return broker_.ListTopics(include_internal);
  }

  absl::StatusOr<std::vector<TopicDescription>> DescribeTopics(
      const std::vector<std::string>& names) override {
    std::vector<TopicDescription> descriptions;
    for (const std::string& name : names) {
      ASSIGN_OR_RETURN(TopicDescription d, broker_.DescribeTopic(name));
      descriptions.push_back(std::move(d));
    }
    return descriptions;
  }

  absl::Status CreatePartitions(const std::map<std::string, int32_t>& totals,
                                bool validate_only) override {
    absl::Status status;
    for (const auto& [topic, total] : totals) {
      status.Update(broker_.CreatePartitions(topic, total, validate_only));
    }
    return status;
  }

  absl::StatusOr<std::vector<ConfigEntry>> DescribeConfigs(
      const std::string& topic) override {
    return broker_.DescribeTopicConfigs(topic);
  }

  absl::Status IncrementalAlterConfigs(const std::string& topic,
                                       const std::vector<ConfigChange>& changes,
                                       bool validate_only) override {
    return broker_.AlterTopicConfigs(topic, changes, validate_only);
  }

  absl::StatusOr<ListOffsetsResult> ListOffsets(
      const TopicPartition& tp, const ListOffsetsSpec& spec) override {
    return broker_.ListOffsets(tp, spec);
  }

  absl::StatusOr<std::map<TopicPartition, Offset>> DeleteRecords(
      const std::map<TopicPartition, Offset>& before) override {
    std::map<TopicPartition, Offset> low_watermarks;
    for (const auto& [tp, offset] : before) {
      ASSIGN_OR_RETURN(low_watermarks[tp], broker_.DeleteRecords(tp, offset));
    }
    return low_watermarks;
  }

  absl::StatusOr<std::vector<GroupListing>> ListConsumerGroups() override {
    return broker_.group_coordinator().ListGroups();
  }

  absl::StatusOr<GroupDescription> DescribeConsumerGroup(
      const std::string& group_id) override {
    return broker_.group_coordinator().DescribeGroup(group_id);
  }

  absl::Status DeleteConsumerGroups(
      const std::vector<std::string>& group_ids) override {
    absl::Status status;
    for (const std::string& group : group_ids) {
      status.Update(broker_.group_coordinator().DeleteGroup(group));
    }
    return status;
  }

  absl::StatusOr<std::map<TopicPartition, OffsetAndMetadata>>
  ListConsumerGroupOffsets(const std::string& group_id) override {
    ASSIGN_OR_RETURN(
        std::vector<CommittedOffset> committed,
        broker_.group_coordinator().FetchOffsets(group_id, std::nullopt));
    std::map<TopicPartition, OffsetAndMetadata> offsets;
    for (CommittedOffset& c : committed) {
      if (c.offset.value() < 0) continue;
      offsets[c.tp] = {.offset = c.offset,
                       .metadata = std::move(c.metadata),
                       .leader_epoch = c.leader_epoch};
    }
    return offsets;
  }

  absl::Status AlterConsumerGroupOffsets(
      const std::string& group_id,
      const std::map<TopicPartition, OffsetAndMetadata>& offsets) override {
    OffsetCommitRequest request{.group_id = group_id};
    for (const auto& [tp, offset] : offsets) {
      request.offsets.push_back({.tp = tp,
                                 .offset = offset.offset,
                                 .leader_epoch = offset.leader_epoch,
                                 .metadata = offset.metadata});
    }
    absl::Notification done;
    absl::Status status;
    broker_.group_coordinator().CommitOffsets(
        std::move(request), [&](OffsetCommitResponse response) {
          for (const absl::Status& s : response.partition_statuses) {
            status.Update(s);
          }
          done.Notify();
        });
    done.WaitForNotification();
    return status;
  }

  absl::Status DeleteConsumerGroupOffsets(
      const std::string& group_id,
      const std::vector<TopicPartition>& partitions) override {
    ASSIGN_OR_RETURN(
        std::vector<absl::Status> statuses,
        broker_.group_coordinator().DeleteOffsets(group_id, partitions));
    absl::Status status;
    for (const absl::Status& s : statuses) status.Update(s);
    return status;
  }

  absl::StatusOr<std::vector<PartitionLag>> ConsumerGroupLag(
      const std::string& group_id) override {
    ASSIGN_OR_RETURN(
        std::vector<CommittedOffset> committed,
        broker_.group_coordinator().FetchOffsets(group_id, std::nullopt));
    std::map<TopicPartition, Offset> positions;
    for (const CommittedOffset& c : committed) positions[c.tp] = c.offset;
    // Partitions of subscribed topics count too, committed or not.
    absl::StatusOr<GroupDescription> group =
        broker_.group_coordinator().DescribeGroup(group_id);
    if (group.ok() && group->protocol_type == "consumer") {
      std::set<std::string> topics;
      for (const GroupMemberDescription& member : group->members) {
        absl::StatusOr<ConsumerProtocolSubscription> subscription =
            DecodeSubscription(member.metadata);
        if (!subscription.ok()) continue;
        topics.insert(subscription->topics.begin(), subscription->topics.end());
      }
      for (const std::string& topic : topics) {
        absl::StatusOr<TopicDescription> d = broker_.DescribeTopic(topic);
        if (!d.ok()) continue;
        for (const PartitionDescription& p : d->partitions) {
          positions.emplace(TopicPartition{topic, p.partition}, Offset(-1));
        }
      }
    }
    std::vector<PartitionLag> lags;
    for (const auto& [tp, offset] : positions) {
      absl::StatusOr<PartitionOffsets> bounds = broker_.GetPartitionOffsets(tp);
      if (!bounds.ok()) continue;  // the topic was deleted since the commit
      const Offset from =
          offset.value() >= 0 ? offset : bounds->log_start_offset;
      lags.push_back(
          {.tp = tp,
           .committed = offset,
           .log_end_offset = bounds->high_watermark,
           .lag = std::max<int64_t>(0, bounds->high_watermark - from)});
    }
    return lags;
  }

 private:
  Broker& broker_;
};

}  // namespace
}  // namespace rill::client

namespace rill {

absl::StatusOr<std::unique_ptr<Admin>> Admin::Create(Broker& broker) {
  return std::unique_ptr<Admin>(new client::AdminImpl(broker));
}

}  // namespace rill
