// client/consumer_protocol.h — Kafka's embedded "consumer" protocol: the
// bytes a consumer puts in JoinGroup's protocol metadata (its subscription)
// and the bytes the leader puts in SyncGroup for each member (its
// assignment). The group coordinator treats both as opaque; only clients
// read them, so a group shared by Java, librdkafka and rill consumers needs
// every one of them to write exactly these bytes.
//
// Layout (all big-endian, no flexible encoding, from Kafka's
// ConsumerProtocolSubscription.json / ConsumerProtocolAssignment.json):
//
//   Subscription (versions 0-3)
//     version          int16
//     topics           int32 count, then count x string (int16 length + bytes)
//     user_data        int32 length (-1 = null) + bytes
//     owned_partitions v1+: int32 count x (topic string,
//                                          int32 count x int32 partition)
//     generation_id    v2+: int32 (default -1)
//     rack_id          v3+: nullable string (int16 length, -1 = null)
//
//   Assignment (versions 0-3; v1-v3 add no fields)
//     version             int16
//     assigned_partitions int32 count x (topic string,
//                                        int32 count x int32 partition)
//     user_data           int32 length (-1 = null) + bytes
//
// Decoding follows Kafka: a version above the newest known one is read with
// the newest known layout (new versions may only append fields) and bytes
// after the known fields are ignored. A negative version, a truncated field,
// a null where none is allowed, or a count larger than the remaining bytes
// could hold is kInvalidArgument.
//
//   ConsumerProtocolSubscription s{.topics = {"orders"},
//                                  .owned_partitions = GroupByTopic(owned),
//                                  .generation_id = 7};
//   ASSIGN_OR_RETURN(std::string metadata, EncodeSubscription(s));
//   ASSIGN_OR_RETURN(ConsumerProtocolSubscription back,
//                    DecodeSubscription(metadata));
#ifndef RILL_CLIENT_CONSUMER_PROTOCOL_H_
#define RILL_CLIENT_CONSUMER_PROTOCOL_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "rill/types.h"

namespace rill::client {

// kConsumerProtocolType is the JoinGroup protocol_type of consumer groups.
inline constexpr std::string_view kConsumerProtocolType = "consumer";

// kConsumerProtocolMaxVersion is the newest subscription and assignment
// version rill writes and fully reads.
inline constexpr int16_t kConsumerProtocolMaxVersion = 3;

// ConsumerProtocolTopicPartitions is one topic's partitions, as the protocol
// groups them. Order is kept as on the wire, so decode + encode is exact.
struct ConsumerProtocolTopicPartitions {
  std::string topic = {};
  std::vector<int32_t> partitions = {};

  friend bool operator==(const ConsumerProtocolTopicPartitions&,
                         const ConsumerProtocolTopicPartitions&) = default;
};

// ConsumerProtocolSubscription is a member's JoinGroup metadata.
struct ConsumerProtocolSubscription {
  // Wire version. Encode: 0..kConsumerProtocolMaxVersion, fields newer than
  // it are left out. Decode: the version as read (may exceed the max).
  // Default: kConsumerProtocolMaxVersion.
  int16_t version = kConsumerProtocolMaxVersion;
  // Subscribed topics. Default: none.
  std::vector<std::string> topics = {};
  // Assignor-specific bytes; nullopt is a null on the wire. Default: null.
  std::optional<std::string> user_data = std::nullopt;
  // v1+: the partitions the member owns now. Default: none.
  std::vector<ConsumerProtocolTopicPartitions> owned_partitions = {};
  // v2+: the generation in which the member got owned_partitions.
  // Default: -1 (unknown; also what versions 0-1 decode to).
  int32_t generation_id = -1;
  // v3+: the member's client.rack. Default: null.
  std::optional<std::string> rack_id = std::nullopt;

  friend bool operator==(const ConsumerProtocolSubscription&,
                         const ConsumerProtocolSubscription&) = default;
};

// ConsumerProtocolAssignment is what the leader gives one member.
struct ConsumerProtocolAssignment {
  // Wire version, as for ConsumerProtocolSubscription::version.
  // Default: kConsumerProtocolMaxVersion.
  int16_t version = kConsumerProtocolMaxVersion;
  // The member's partitions. Default: none.
  std::vector<ConsumerProtocolTopicPartitions> assigned_partitions = {};
  // Assignor-specific bytes; nullopt is a null on the wire. Default: null.
  std::optional<std::string> user_data = std::nullopt;

  friend bool operator==(const ConsumerProtocolAssignment&,
                         const ConsumerProtocolAssignment&) = default;
};

// EncodeSubscription writes `subscription` at its version. kInvalidArgument
// for a version outside 0..kConsumerProtocolMaxVersion or a string longer
// than 32767 bytes.
absl::StatusOr<std::string> EncodeSubscription(
    const ConsumerProtocolSubscription& subscription);

// DecodeSubscription reads a subscription (see the file comment for what is
// tolerated and what is kInvalidArgument).
absl::StatusOr<ConsumerProtocolSubscription> DecodeSubscription(
    std::string_view bytes);

// EncodeAssignment writes `assignment` at its version; errors as for
// EncodeSubscription.
absl::StatusOr<std::string> EncodeAssignment(
    const ConsumerProtocolAssignment& assignment);

// DecodeAssignment reads an assignment, as DecodeSubscription does.
absl::StatusOr<ConsumerProtocolAssignment> DecodeAssignment(
    std::string_view bytes);

// GroupByTopic groups partitions by topic in order of each topic's first
// appearance, keeping the partitions' order: how Kafka's Java client builds
// these arrays from a partition list.
std::vector<ConsumerProtocolTopicPartitions> GroupByTopic(
    std::span<const TopicPartition> partitions);

// FlattenTopicPartitions is the inverse of GroupByTopic.
std::vector<TopicPartition> FlattenTopicPartitions(
    std::span<const ConsumerProtocolTopicPartitions> grouped);

}  // namespace rill::client

#endif  // RILL_CLIENT_CONSUMER_PROTOCOL_H_
