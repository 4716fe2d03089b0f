#include "rill/error.h"

#include <array>
#include <string>

#include "absl/strings/cord.h"

namespace rill {
namespace {

// The status payload that carries a reason; its value is the Kafka name, so
// Status::ToString() shows it.
constexpr char kReasonPayloadUrl[] = "rill.dev/ErrorReason";

struct ReasonInfo {
  ErrorReason reason;
  absl::StatusCode code;
  std::string_view name;
};

using C = absl::StatusCode;
using R = ErrorReason;

// Indexed by ErrorReason; a static_assert below keeps it complete.
constexpr std::array kReasons = {
    ReasonInfo{R::kNone, C::kOk, "NONE"},
    ReasonInfo{R::kUnknownTopicOrPartition, C::kNotFound,
               "UNKNOWN_TOPIC_OR_PARTITION"},
    ReasonInfo{R::kTopicAlreadyExists, C::kAlreadyExists,
               "TOPIC_ALREADY_EXISTS"},
    ReasonInfo{R::kInvalidTopic, C::kInvalidArgument,
               "INVALID_TOPIC_EXCEPTION"},
    ReasonInfo{R::kInvalidPartitions, C::kInvalidArgument,
               "INVALID_PARTITIONS"},
    ReasonInfo{R::kInvalidReplicationFactor, C::kInvalidArgument,
               "INVALID_REPLICATION_FACTOR"},
    ReasonInfo{R::kInvalidReplicaAssignment, C::kInvalidArgument,
               "INVALID_REPLICA_ASSIGNMENT"},
    ReasonInfo{R::kInvalidConfig, C::kInvalidArgument, "INVALID_CONFIG"},
    ReasonInfo{R::kInvalidRequest, C::kInvalidArgument, "INVALID_REQUEST"},
    ReasonInfo{R::kPolicyViolation, C::kInvalidArgument, "POLICY_VIOLATION"},
    ReasonInfo{R::kNotLeaderOrFollower, C::kUnavailable,
               "NOT_LEADER_OR_FOLLOWER"},
    ReasonInfo{R::kLeaderNotAvailable, C::kUnavailable, "LEADER_NOT_AVAILABLE"},
    ReasonInfo{R::kNotEnoughReplicas, C::kUnavailable, "NOT_ENOUGH_REPLICAS"},
    ReasonInfo{R::kNotEnoughReplicasAfterAppend, C::kUnavailable,
               "NOT_ENOUGH_REPLICAS_AFTER_APPEND"},
    ReasonInfo{R::kInvalidRequiredAcks, C::kInvalidArgument,
               "INVALID_REQUIRED_ACKS"},
    ReasonInfo{R::kRequestTimedOut, C::kDeadlineExceeded, "REQUEST_TIMED_OUT"},
    ReasonInfo{R::kKafkaStorageError, C::kInternal, "KAFKA_STORAGE_ERROR"},
    ReasonInfo{R::kFencedLeaderEpoch, C::kFailedPrecondition,
               "FENCED_LEADER_EPOCH"},
    ReasonInfo{R::kUnknownLeaderEpoch, C::kFailedPrecondition,
               "UNKNOWN_LEADER_EPOCH"},
    ReasonInfo{R::kStaleBrokerEpoch, C::kFailedPrecondition,
               "STALE_BROKER_EPOCH"},
    ReasonInfo{R::kIneligibleReplica, C::kFailedPrecondition,
               "INELIGIBLE_REPLICA"},
    ReasonInfo{R::kInvalidUpdateVersion, C::kFailedPrecondition,
               "INVALID_UPDATE_VERSION"},
    ReasonInfo{R::kBrokerIdNotRegistered, C::kNotFound,
               "BROKER_ID_NOT_REGISTERED"},
    ReasonInfo{R::kCorruptMessage, C::kDataLoss, "CORRUPT_MESSAGE"},
    ReasonInfo{R::kMessageTooLarge, C::kOutOfRange, "MESSAGE_TOO_LARGE"},
    ReasonInfo{R::kRecordListTooLarge, C::kOutOfRange, "RECORD_LIST_TOO_LARGE"},
    ReasonInfo{R::kInvalidRecord, C::kInvalidArgument, "INVALID_RECORD"},
    ReasonInfo{R::kInvalidTimestamp, C::kInvalidArgument, "INVALID_TIMESTAMP"},
    ReasonInfo{R::kUnsupportedCompressionType, C::kInvalidArgument,
               "UNSUPPORTED_COMPRESSION_TYPE"},
    ReasonInfo{R::kOffsetOutOfRange, C::kOutOfRange, "OFFSET_OUT_OF_RANGE"},
    ReasonInfo{R::kOutOfOrderSequenceNumber, C::kFailedPrecondition,
               "OUT_OF_ORDER_SEQUENCE_NUMBER"},
    ReasonInfo{R::kDuplicateSequenceNumber, C::kAlreadyExists,
               "DUPLICATE_SEQUENCE_NUMBER"},
    ReasonInfo{R::kInvalidProducerEpoch, C::kFailedPrecondition,
               "INVALID_PRODUCER_EPOCH"},
    ReasonInfo{R::kUnknownProducerId, C::kFailedPrecondition,
               "UNKNOWN_PRODUCER_ID"},
    ReasonInfo{R::kInvalidProducerIdMapping, C::kFailedPrecondition,
               "INVALID_PRODUCER_ID_MAPPING"},
    ReasonInfo{R::kTransactionalIdAuthorizationFailed, C::kPermissionDenied,
               "TRANSACTIONAL_ID_AUTHORIZATION_FAILED"},
    ReasonInfo{R::kCoordinatorNotAvailable, C::kUnavailable,
               "COORDINATOR_NOT_AVAILABLE"},
    ReasonInfo{R::kNotCoordinator, C::kUnavailable, "NOT_COORDINATOR"},
    ReasonInfo{R::kCoordinatorLoadInProgress, C::kUnavailable,
               "COORDINATOR_LOAD_IN_PROGRESS"},
    ReasonInfo{R::kInvalidGroupId, C::kInvalidArgument, "INVALID_GROUP_ID"},
    ReasonInfo{R::kGroupIdNotFound, C::kNotFound, "GROUP_ID_NOT_FOUND"},
    ReasonInfo{R::kNonEmptyGroup, C::kFailedPrecondition, "NON_EMPTY_GROUP"},
    ReasonInfo{R::kIllegalGeneration, C::kFailedPrecondition,
               "ILLEGAL_GENERATION"},
    ReasonInfo{R::kInconsistentGroupProtocol, C::kInvalidArgument,
               "INCONSISTENT_GROUP_PROTOCOL"},
    ReasonInfo{R::kUnknownMemberId, C::kNotFound, "UNKNOWN_MEMBER_ID"},
    ReasonInfo{R::kInvalidSessionTimeout, C::kInvalidArgument,
               "INVALID_SESSION_TIMEOUT"},
    ReasonInfo{R::kRebalanceInProgress, C::kUnavailable,
               "REBALANCE_IN_PROGRESS"},
    ReasonInfo{R::kMemberIdRequired, C::kFailedPrecondition,
               "MEMBER_ID_REQUIRED"},
    ReasonInfo{R::kFencedInstanceId, C::kFailedPrecondition,
               "FENCED_INSTANCE_ID"},
    ReasonInfo{R::kGroupMaxSizeReached, C::kResourceExhausted,
               "GROUP_MAX_SIZE_REACHED"},
    ReasonInfo{R::kOffsetMetadataTooLarge, C::kInvalidArgument,
               "OFFSET_METADATA_TOO_LARGE"},
    ReasonInfo{R::kInvalidCommitOffsetSize, C::kInvalidArgument,
               "INVALID_COMMIT_OFFSET_SIZE"},
    ReasonInfo{R::kGroupSubscribedToTopic, C::kFailedPrecondition,
               "GROUP_SUBSCRIBED_TO_TOPIC"},
    ReasonInfo{R::kUnstableOffsetCommit, C::kUnavailable,
               "UNSTABLE_OFFSET_COMMIT"},
    ReasonInfo{R::kUnsupportedVersion, C::kUnimplemented,
               "UNSUPPORTED_VERSION"},
    ReasonInfo{R::kUnknownServerError, C::kInternal, "UNKNOWN_SERVER_ERROR"},
};
static_assert(kReasons.size() ==
              static_cast<size_t>(ErrorReason::kUnknownServerError) + 1);

constexpr bool TableIsIndexed() {
  for (size_t i = 0; i < kReasons.size(); ++i) {
    if (static_cast<size_t>(kReasons[i].reason) != i) return false;
  }
  return true;
}
static_assert(TableIsIndexed(), "kReasons must be in ErrorReason order");

const ReasonInfo& Info(ErrorReason reason) {
  const auto index = static_cast<size_t>(reason);
  return index < kReasons.size() ? kReasons[index] : kReasons.back();
}

}  // namespace

absl::Status MakeError(ErrorReason reason, std::string_view message) {
  const ReasonInfo& info = Info(reason);
  if (info.code == C::kOk) return absl::OkStatus();
  absl::Status status(info.code,
                      absl::string_view(message.data(), message.size()));
  status.SetPayload(
      kReasonPayloadUrl,
      absl::Cord(absl::string_view(info.name.data(), info.name.size())));
  return status;
}

ErrorReason GetErrorReason(const absl::Status& status) {
  if (status.ok()) return ErrorReason::kNone;
  auto payload = status.GetPayload(kReasonPayloadUrl);
  if (!payload) return ErrorReason::kNone;
  const std::string name(*payload);
  for (const ReasonInfo& info : kReasons) {
    if (info.name == name) return info.reason;
  }
  return ErrorReason::kNone;
}

absl::StatusCode CanonicalCode(ErrorReason reason) { return Info(reason).code; }

std::string_view ErrorReasonName(ErrorReason reason) {
  return Info(reason).name;
}

}  // namespace rill
