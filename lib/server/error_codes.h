// The one translation from rill's errors to Kafka's int16 error codes.
//
// Inside rill an error is an absl::Status carrying an ErrorReason
// (rill/error.h); Kafka's numbers exist only here, at the protocol edge.
#ifndef RILL_SERVER_ERROR_CODES_H_
#define RILL_SERVER_ERROR_CODES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "rill/error.h"

namespace rill::server {

// Kafka's codes the server sends without an ErrorReason behind them.
enum KafkaError : int16_t {
  kErrorUnknownServerError = -1,
  kErrorNone = 0,
  kErrorUnknownTopicOrPartition = 3,
  kErrorRequestTimedOut = 7,
  kErrorUnsupportedVersion = 35,
  kErrorInvalidRequest = 42,
  kErrorFetchSessionIdNotFound = 70,
};

// KafkaErrorCode is the code a Kafka broker sends for `status`: 0 for OK,
// the reason's code, else UNKNOWN_SERVER_ERROR (-1) — or REQUEST_TIMED_OUT
// for a plain deadline.
int16_t KafkaErrorCode(const absl::Status& status);

// KafkaErrorMessage is the error_message field of a per-item result: null
// for OK, else the status' message.
std::optional<std::string> KafkaErrorMessage(const absl::Status& status);

// KafkaErrorCodeFor is the code of one reason (kNone is 0).
int16_t KafkaErrorCodeFor(ErrorReason reason);

// ErrorReasonForKafkaCode is the inverse, for tests and clients: kNone for
// 0, kUnknownServerError for codes rill has no reason for.
ErrorReason ErrorReasonForKafkaCode(int16_t code);

// KafkaErrorStatus turns a code a Kafka broker answered back into a status:
// OK for 0, else MakeError with the code's reason (kUnknownServerError for
// codes rill has no reason for) and a message naming the code and `what`
// it was about ("FENCED_LEADER_EPOCH (74) from broker 1 for t-0").
absl::Status KafkaErrorStatus(int16_t code, std::string_view what);

}  // namespace rill::server

#endif  // RILL_SERVER_ERROR_CODES_H_
