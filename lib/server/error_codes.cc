#include "server/error_codes.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace rill::server {
namespace {

absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// Kafka's numbers from its protocol guide ("Error Codes").
constexpr std::pair<ErrorReason, int16_t> kCodes[] = {
    {ErrorReason::kNone, 0},
    {ErrorReason::kUnknownServerError, -1},
    {ErrorReason::kOffsetOutOfRange, 1},
    {ErrorReason::kCorruptMessage, 2},
    {ErrorReason::kUnknownTopicOrPartition, 3},
    {ErrorReason::kLeaderNotAvailable, 5},
    {ErrorReason::kNotLeaderOrFollower, 6},
    {ErrorReason::kRequestTimedOut, 7},
    {ErrorReason::kMessageTooLarge, 10},
    {ErrorReason::kOffsetMetadataTooLarge, 12},
    {ErrorReason::kCoordinatorLoadInProgress, 14},
    {ErrorReason::kCoordinatorNotAvailable, 15},
    {ErrorReason::kNotCoordinator, 16},
    {ErrorReason::kInvalidTopic, 17},
    {ErrorReason::kRecordListTooLarge, 18},
    {ErrorReason::kNotEnoughReplicas, 19},
    {ErrorReason::kNotEnoughReplicasAfterAppend, 20},
    {ErrorReason::kInvalidRequiredAcks, 21},
    {ErrorReason::kIllegalGeneration, 22},
    {ErrorReason::kInconsistentGroupProtocol, 23},
    {ErrorReason::kInvalidGroupId, 24},
    {ErrorReason::kUnknownMemberId, 25},
    {ErrorReason::kInvalidSessionTimeout, 26},
    {ErrorReason::kRebalanceInProgress, 27},
    {ErrorReason::kInvalidCommitOffsetSize, 28},
    {ErrorReason::kInvalidTimestamp, 32},
    {ErrorReason::kUnsupportedVersion, 35},
    {ErrorReason::kTopicAlreadyExists, 36},
    {ErrorReason::kInvalidPartitions, 37},
    {ErrorReason::kInvalidReplicationFactor, 38},
    {ErrorReason::kInvalidReplicaAssignment, 39},
    {ErrorReason::kInvalidConfig, 40},
    {ErrorReason::kInvalidRequest, 42},
    {ErrorReason::kPolicyViolation, 44},
    {ErrorReason::kOutOfOrderSequenceNumber, 45},
    {ErrorReason::kDuplicateSequenceNumber, 46},
    {ErrorReason::kInvalidProducerEpoch, 47},
    {ErrorReason::kInvalidProducerIdMapping, 49},
    {ErrorReason::kTransactionalIdAuthorizationFailed, 53},
    {ErrorReason::kKafkaStorageError, 56},
    {ErrorReason::kUnknownProducerId, 59},
    {ErrorReason::kFencedLeaderEpoch, 74},
    {ErrorReason::kUnknownLeaderEpoch, 75},
    {ErrorReason::kNonEmptyGroup, 68},
    {ErrorReason::kGroupIdNotFound, 69},
    {ErrorReason::kUnsupportedCompressionType, 76},
    {ErrorReason::kStaleBrokerEpoch, 77},
    {ErrorReason::kMemberIdRequired, 79},
    {ErrorReason::kGroupMaxSizeReached, 81},
    {ErrorReason::kFencedInstanceId, 82},
    {ErrorReason::kGroupSubscribedToTopic, 86},
    {ErrorReason::kInvalidRecord, 87},
    {ErrorReason::kUnstableOffsetCommit, 88},
    {ErrorReason::kInvalidUpdateVersion, 95},
    {ErrorReason::kBrokerIdNotRegistered, 102},
    {ErrorReason::kIneligibleReplica, 107},
};

}  // namespace

int16_t KafkaErrorCodeFor(ErrorReason reason) {
  for (const auto& [r, code] : kCodes) {
    if (r == reason) return code;
  }
  return kErrorUnknownServerError;
}

int16_t KafkaErrorCode(const absl::Status& status) {
  if (status.ok()) return kErrorNone;
  const ErrorReason reason = GetErrorReason(status);
  if (reason != ErrorReason::kNone) return KafkaErrorCodeFor(reason);
  if (status.code() == absl::StatusCode::kDeadlineExceeded) {
    return kErrorRequestTimedOut;
  }
  return kErrorUnknownServerError;
}

std::optional<std::string> KafkaErrorMessage(const absl::Status& status) {
  if (status.ok()) return std::nullopt;
  return std::string(status.message());
}

ErrorReason ErrorReasonForKafkaCode(int16_t code) {
  for (const auto& [reason, c] : kCodes) {
    if (c == code) return reason;
  }
  return ErrorReason::kUnknownServerError;
}

absl::Status KafkaErrorStatus(int16_t code, std::string_view what) {
  if (code == kErrorNone) return absl::OkStatus();
  const ErrorReason reason = ErrorReasonForKafkaCode(code);
  // A code rill has no reason for keeps its number only.
  const std::string_view name =
      reason == ErrorReason::kUnknownServerError && code != -1
          ? std::string_view("Kafka error")
          : ErrorReasonName(reason);
  return MakeError(
      reason, absl::StrCat(AbslView(name), " (", code, ") ", AbslView(what)));
}

}  // namespace rill::server
