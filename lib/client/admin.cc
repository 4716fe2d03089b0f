// AdminImpl: see rill/client/admin.h. Each call goes straight to a broker:
// topic administration to any live one (which hands it to the controller),
// a partition's offsets and records to its leader, a group's state and
// offsets to its coordinator — looked up again while leaders and
// coordinators move, up to default.api.timeout.ms. Calls over several
// topics or groups try every one and return the first error, as Kafka's
// per-item results would show it.
#include "rill/client/admin.h"

#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "client/consumer_protocol.h"
#include "client/router.h"
#include "rill/error.h"
#include "util/status_macros.h"

namespace rill::client {
namespace {

absl::Time Deadline() { return absl::Now() + kDefaultApiTimeout; }

class AdminImpl final : public Admin {
 public:
  explicit AdminImpl(std::shared_ptr<BrokerDirectory> brokers)
      : router_(std::make_shared<Router>(std::move(brokers))) {}

  absl::Status CreateTopics(const std::vector<NewTopic>& topics,
                            bool validate_only) override {
    ASSIGN_OR_RETURN(std::shared_ptr<Broker> broker, router_->AnyBroker());
    absl::Status status;
    for (const NewTopic& topic : topics) {
      status.Update(broker->CreateTopic(topic, validate_only));
    }
    return status;
  }

  absl::Status DeleteTopics(const std::vector<std::string>& names) override {
    ASSIGN_OR_RETURN(std::shared_ptr<Broker> broker, router_->AnyBroker());
    absl::Status status;
    for (const std::string& name : names) {
      status.Update(broker->DeleteTopic(name));
    }
    return status;
  }

  absl::StatusOr<std::vector<std::string>> ListTopics(
      bool include_internal) override {
    ASSIGN_OR_RETURN(std::shared_ptr<Broker> broker, router_->AnyBroker());
    return broker->ListTopics(include_internal);
  }

  absl::StatusOr<std::vector<TopicDescription>> DescribeTopics(
      const std::vector<std::string>& names) override {
    std::vector<TopicDescription> descriptions;
    for (const std::string& name : names) {
      ASSIGN_OR_RETURN(TopicDescription d, router_->DescribeTopic(name));
      descriptions.push_back(std::move(d));
    }
    return descriptions;
  }

  absl::Status CreatePartitions(const std::map<std::string, int32_t>& totals,
                                bool validate_only) override {
    ASSIGN_OR_RETURN(std::shared_ptr<Broker> broker, router_->AnyBroker());
    absl::Status status;
    for (const auto& [topic, total] : totals) {
      status.Update(broker->CreatePartitions(topic, total, validate_only));
    }
    return status;
  }

  absl::StatusOr<std::vector<ConfigEntry>> DescribeConfigs(
      const std::string& topic) override {
    ASSIGN_OR_RETURN(std::shared_ptr<Broker> broker, router_->AnyBroker());
    return broker->DescribeTopicConfigs(topic);
  }

  absl::Status IncrementalAlterConfigs(const std::string& topic,
                                       const std::vector<ConfigChange>& changes,
                                       bool validate_only) override {
    ASSIGN_OR_RETURN(std::shared_ptr<Broker> broker, router_->AnyBroker());
    return broker->AlterTopicConfigs(topic, changes, validate_only);
  }

  absl::StatusOr<ListOffsetsResult> ListOffsets(
      const TopicPartition& tp, const ListOffsetsSpec& spec) override {
    return router_->CallLeader<ListOffsetsResult>(
        tp, Deadline(), [&](Broker& leader, LeaderEpoch) {
          return leader.ListOffsets(tp, spec);
        });
  }

  absl::StatusOr<std::map<TopicPartition, Offset>> DeleteRecords(
      const std::map<TopicPartition, Offset>& before) override {
    std::map<TopicPartition, Offset> low_watermarks;
    for (const auto& entry : before) {
      const TopicPartition& tp = entry.first;
      const Offset offset = entry.second;
      ASSIGN_OR_RETURN(low_watermarks[tp],
                       router_->CallLeader<Offset>(
                           tp, Deadline(), [&](Broker& leader, LeaderEpoch) {
                             return leader.DeleteRecords(tp, offset);
                           }));
    }
    return low_watermarks;
  }

  // Each broker lists the groups it coordinates (Kafka's admin asks
  // every broker too); one moving may be listed twice for a moment.
  absl::StatusOr<std::vector<GroupListing>> ListConsumerGroups() override {
    std::vector<GroupListing> groups;
    std::set<std::string> seen;
    for (const std::shared_ptr<Broker>& broker :
         router_->directory().Bootstrap()) {
      for (GroupListing& group : broker->group_coordinator().ListGroups()) {
        if (seen.insert(group.group_id).second) {
          groups.push_back(std::move(group));
        }
      }
    }
    return groups;
  }

  absl::StatusOr<GroupDescription> DescribeConsumerGroup(
      const std::string& group_id) override {
    return router_->CallCoordinator<GroupDescription>(
        group_id, Deadline(), [&](GroupCoordinator& coordinator) {
          return coordinator.DescribeGroup(group_id);
        });
  }

  absl::Status DeleteConsumerGroups(
      const std::vector<std::string>& group_ids) override {
    absl::Status status;
    for (const std::string& group : group_ids) {
      status.Update(
          router_
              ->CallCoordinator<bool>(
                  group, Deadline(),
                  [&](GroupCoordinator& coordinator) -> absl::StatusOr<bool> {
                    RETURN_IF_ERROR(coordinator.DeleteGroup(group));
                    return true;
                  })
              .status());
    }
    return status;
  }

  absl::StatusOr<std::map<TopicPartition, OffsetAndMetadata>>
  ListConsumerGroupOffsets(const std::string& group_id) override {
    ASSIGN_OR_RETURN(std::vector<CommittedOffset> committed,
                     FetchOffsets(group_id));
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
    const absl::Time deadline = Deadline();
    return router_
        ->CallCoordinator<bool>(
            group_id, deadline,
            [&](GroupCoordinator& coordinator) -> absl::StatusOr<bool> {
              struct Wait {
                absl::Notification done;
                absl::Status status;
              };
              auto wait = std::make_shared<Wait>();
              coordinator.CommitOffsets(
                  request, [wait](OffsetCommitResponse response) {
                    for (const absl::Status& s : response.partition_statuses) {
                      wait->status.Update(s);
                    }
                    wait->done.Notify();
                  });
              if (!wait->done.WaitForNotificationWithDeadline(deadline)) {
                return MakeError(ErrorReason::kRequestTimedOut,
                                 absl::StrCat("offset commit for group ",
                                              group_id, " got no answer"));
              }
              RETURN_IF_ERROR(wait->status);
              return true;
            })
        .status();
  }

  absl::Status DeleteConsumerGroupOffsets(
      const std::string& group_id,
      const std::vector<TopicPartition>& partitions) override {
    ASSIGN_OR_RETURN(
        std::vector<absl::Status> statuses,
        router_->CallCoordinator<std::vector<absl::Status>>(
            group_id, Deadline(), [&](GroupCoordinator& coordinator) {
              return coordinator.DeleteOffsets(group_id, partitions);
            }));
    absl::Status status;
    for (const absl::Status& s : statuses) status.Update(s);
    return status;
  }

  absl::StatusOr<std::vector<PartitionLag>> ConsumerGroupLag(
      const std::string& group_id) override {
    ASSIGN_OR_RETURN(std::vector<CommittedOffset> committed,
                     FetchOffsets(group_id));
    std::map<TopicPartition, Offset> positions;
    for (const CommittedOffset& c : committed) positions[c.tp] = c.offset;
    // Partitions of subscribed topics count too, committed or not.
    absl::StatusOr<GroupDescription> group = DescribeConsumerGroup(group_id);
    if (group.ok() && group->protocol_type == "consumer") {
      std::set<std::string> topics;
      for (const GroupMemberDescription& member : group->members) {
        absl::StatusOr<ConsumerProtocolSubscription> subscription =
            DecodeSubscription(member.metadata);
        if (!subscription.ok()) continue;
        topics.insert(subscription->topics.begin(), subscription->topics.end());
      }
      for (const std::string& topic : topics) {
        absl::StatusOr<TopicDescription> d = router_->DescribeTopic(topic);
        if (!d.ok()) continue;
        for (const PartitionDescription& p : d->partitions) {
          positions.emplace(TopicPartition{topic, p.partition}, Offset(-1));
        }
      }
    }
    std::vector<PartitionLag> lags;
    for (const auto& entry : positions) {
      const TopicPartition& tp = entry.first;
      const Offset offset = entry.second;
      absl::StatusOr<PartitionOffsets> bounds =
          router_->CallLeader<PartitionOffsets>(
              tp, Deadline(), [&](Broker& leader, LeaderEpoch) {
                return leader.GetPartitionOffsets(tp);
              });
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
  absl::StatusOr<std::vector<CommittedOffset>> FetchOffsets(
      const std::string& group_id) {
    return router_->CallCoordinator<std::vector<CommittedOffset>>(
        group_id, Deadline(), [&](GroupCoordinator& coordinator) {
          return coordinator.FetchOffsets(group_id, std::nullopt);
        });
  }

  const std::shared_ptr<Router> router_;
};

}  // namespace
}  // namespace rill::client

namespace rill {

absl::StatusOr<std::unique_ptr<Admin>> Admin::Create(Broker& broker) {
  return Create(NewSingleBrokerDirectory(broker));
}

absl::StatusOr<std::unique_ptr<Admin>> Admin::Create(
    std::shared_ptr<BrokerDirectory> brokers) {
  if (brokers == nullptr) {
    return absl::InvalidArgumentError("an admin client needs brokers");
  }
  return std::unique_ptr<Admin>(new client::AdminImpl(std::move(brokers)));
}

}  // namespace rill
