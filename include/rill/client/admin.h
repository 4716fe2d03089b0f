// rill/client/admin.h — topic, config, group and offset administration.
//
// The in-process counterpart of Kafka's Admin client, answering at once
// from the broker (or, over a BrokerDirectory, from the cluster's brokers:
// topic requests to any, partition requests to the leader, group requests
// to the coordinator):
//
//   ASSIGN_OR_RETURN(auto admin, rill::Admin::Create(broker));
//   RETURN_IF_ERROR(admin->CreateTopics({{.name = "orders",
//                                         .num_partitions = 6}}));
//   ASSIGN_OR_RETURN(auto lag, admin->ConsumerGroupLag("billing"));
#ifndef RILL_CLIENT_ADMIN_H_
#define RILL_CLIENT_ADMIN_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rill/broker/broker.h"
#include "rill/broker/topic.h"
#include "rill/client/broker_directory.h"
#include "rill/client/consumer.h"
#include "rill/group/group_coordinator.h"
#include "rill/types.h"

namespace rill {

// PartitionLag is one partition's lag for a consumer group.
struct PartitionLag {
  TopicPartition tp;
  // Offset(-1) when the group has committed nothing for the partition.
  Offset committed = Offset(-1);
  Offset log_end_offset;  // the high watermark
  // log end - committed; from the log start when nothing is committed.
  int64_t lag = 0;
};

// Admin administers a broker, or a cluster's brokers. Owned by its
// creator; the broker (or the directory's brokers) must outlive it.
// Thread-safe.
class Admin {
 public:
  static absl::StatusOr<std::unique_ptr<Admin>> Create(Broker& broker);
  static absl::StatusOr<std::unique_ptr<Admin>> Create(
      std::shared_ptr<BrokerDirectory> brokers);
  virtual ~Admin() = default;

  // Topics. Calls taking several topics act on each and return the first
  // error (every topic is attempted), like Kafka's per-topic results.
  virtual absl::Status CreateTopics(const std::vector<NewTopic>& topics,
                                    bool validate_only = false) = 0;
  virtual absl::Status DeleteTopics(const std::vector<std::string>& names) = 0;
  virtual absl::StatusOr<std::vector<std::string>> ListTopics(
      bool include_internal = false) = 0;
  virtual absl::StatusOr<std::vector<TopicDescription>> DescribeTopics(
      const std::vector<std::string>& names) = 0;
  virtual absl::Status CreatePartitions(
      const std::map<std::string, int32_t>& new_totals,
      bool validate_only = false) = 0;

  // Configs.
  virtual absl::StatusOr<std::vector<ConfigEntry>> DescribeConfigs(
      const std::string& topic) = 0;
  virtual absl::Status IncrementalAlterConfigs(
      const std::string& topic, const std::vector<ConfigChange>& changes,
      bool validate_only = false) = 0;

  // Offsets and records.
  virtual absl::StatusOr<ListOffsetsResult> ListOffsets(
      const TopicPartition& tp, const ListOffsetsSpec& spec) = 0;
  // DeleteRecords deletes every record below `before` in each partition;
  // returns the new low watermarks.
  virtual absl::StatusOr<std::map<TopicPartition, Offset>> DeleteRecords(
      const std::map<TopicPartition, Offset>& before) = 0;

  // Consumer groups.
  virtual absl::StatusOr<std::vector<GroupListing>> ListConsumerGroups() = 0;
  virtual absl::StatusOr<GroupDescription> DescribeConsumerGroup(
      const std::string& group_id) = 0;
  virtual absl::Status DeleteConsumerGroups(
      const std::vector<std::string>& group_ids) = 0;
  virtual absl::StatusOr<std::map<TopicPartition, OffsetAndMetadata>>
  ListConsumerGroupOffsets(const std::string& group_id) = 0;
  // AlterConsumerGroupOffsets commits offsets for an empty group (resetting
  // a group's position, as kafka-consumer-groups --reset-offsets does).
  virtual absl::Status AlterConsumerGroupOffsets(
      const std::string& group_id,
      const std::map<TopicPartition, OffsetAndMetadata>& offsets) = 0;
  virtual absl::Status DeleteConsumerGroupOffsets(
      const std::string& group_id,
      const std::vector<TopicPartition>& partitions) = 0;
  // ConsumerGroupLag reports, for every partition of every topic the group
  // has offsets for or is subscribed to, the committed offset, the log end
  // and the lag.
  virtual absl::StatusOr<std::vector<PartitionLag>> ConsumerGroupLag(
      const std::string& group_id) = 0;
};

}  // namespace rill

#endif  // RILL_CLIENT_ADMIN_H_
