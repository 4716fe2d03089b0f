// rill/error.h — why a call failed, in Kafka's terms, without Kafka's numbers.
//
// rill returns absl::Status everywhere. Where a caller must act on *which*
// Kafka condition occurred (rejoin on a rebalance, refresh on an unknown
// member, retry a duplicate), the status carries an ErrorReason as a payload,
// and its absl code is the reason's canonical one:
//
//   absl::Status s = coordinator->Heartbeat(request);
//   if (rill::GetErrorReason(s) == rill::ErrorReason::kRebalanceInProgress) {
//     Rejoin();
//   }
//   return rill::MakeError(rill::ErrorReason::kUnknownMemberId,
//                          "member m-1 is not in group g");
//
// The Kafka int16 code of each reason lives only at the protocol edge
// (lib/protocol), in one table.
#ifndef RILL_ERROR_H_
#define RILL_ERROR_H_

#include <string_view>

#include "absl/status/status.h"

namespace rill {

// ErrorReason names a Kafka error condition. Values are rill's own (not the
// wire codes) and may be renumbered; use the names.
enum class ErrorReason {
  kNone = 0,  // no reason attached (OK, or a plain absl::Status)
  // Topics and partitions.
  kUnknownTopicOrPartition,
  kTopicAlreadyExists,
  kInvalidTopic,
  kInvalidPartitions,
  kInvalidReplicationFactor,
  kInvalidReplicaAssignment,
  kInvalidConfig,
  kInvalidRequest,
  kPolicyViolation,
  kNotLeaderOrFollower,
  kLeaderNotAvailable,
  kNotEnoughReplicas,
  kNotEnoughReplicasAfterAppend,
  kInvalidRequiredAcks,
  kRequestTimedOut,
  kKafkaStorageError,
  // Replication and the controller.
  kFencedLeaderEpoch,
  kUnknownLeaderEpoch,
  kStaleBrokerEpoch,
  kIneligibleReplica,
  kInvalidUpdateVersion,
  kBrokerIdNotRegistered,
  // Records.
  kCorruptMessage,
  kMessageTooLarge,
  kRecordListTooLarge,
  kInvalidRecord,
  kInvalidTimestamp,
  kUnsupportedCompressionType,
  kOffsetOutOfRange,
  // Idempotent producers.
  kOutOfOrderSequenceNumber,
  kDuplicateSequenceNumber,
  kInvalidProducerEpoch,
  kUnknownProducerId,
  kInvalidProducerIdMapping,
  kTransactionalIdAuthorizationFailed,
  // Groups.
  kCoordinatorNotAvailable,
  kNotCoordinator,
  kCoordinatorLoadInProgress,
  kInvalidGroupId,
  kGroupIdNotFound,
  kNonEmptyGroup,
  kIllegalGeneration,
  kInconsistentGroupProtocol,
  kUnknownMemberId,
  kInvalidSessionTimeout,
  kRebalanceInProgress,
  kMemberIdRequired,
  kFencedInstanceId,
  kGroupMaxSizeReached,
  kOffsetMetadataTooLarge,
  kInvalidCommitOffsetSize,
  kGroupSubscribedToTopic,
  kUnstableOffsetCommit,
  // Anything else.
  kUnsupportedVersion,
  kUnknownServerError,
};

// MakeError returns a non-OK status with `reason` attached and the reason's
// canonical absl code (kNotFound for unknown topics and members,
// kInvalidArgument for bad input, kFailedPrecondition for stale state,
// kUnavailable for conditions a retry can clear, kPermissionDenied for what
// the broker does not allow, kDataLoss for corruption).
absl::Status MakeError(ErrorReason reason, std::string_view message);

// GetErrorReason returns the reason attached to `status`, or kNone (also for
// OK and for statuses made without one).
ErrorReason GetErrorReason(const absl::Status& status);

// HasErrorReason is GetErrorReason(status) == reason.
inline bool HasErrorReason(const absl::Status& status, ErrorReason reason) {
  return GetErrorReason(status) == reason;
}

// CanonicalCode is the absl code MakeError uses for `reason`.
absl::StatusCode CanonicalCode(ErrorReason reason);

// ErrorReasonName is Kafka's name for the condition, e.g.
// "REBALANCE_IN_PROGRESS"; "NONE" for kNone.
std::string_view ErrorReasonName(ErrorReason reason);

}  // namespace rill

#endif  // RILL_ERROR_H_
