#include "rill/error.h"

#include <catch2/catch.hpp>
#include <string>

namespace rill {
namespace {

TEST_CASE("MakeError attaches the reason and its canonical code", "[util]") {
  const absl::Status status =
      MakeError(ErrorReason::kRebalanceInProgress, "group g is rebalancing");
  CHECK(status.code() == absl::StatusCode::kUnavailable);
  CHECK(std::string(status.message()) == "group g is rebalancing");
  CHECK(GetErrorReason(status) == ErrorReason::kRebalanceInProgress);
  CHECK(HasErrorReason(status, ErrorReason::kRebalanceInProgress));
  CHECK(status.ToString().find("REBALANCE_IN_PROGRESS") != std::string::npos);
}

TEST_CASE("Every reason round-trips through a status", "[util]") {
  for (int i = 1; i <= static_cast<int>(ErrorReason::kUnknownServerError);
       ++i) {
    const auto reason = static_cast<ErrorReason>(i);
    const absl::Status status = MakeError(reason, "x");
    CAPTURE(ErrorReasonName(reason));
    CHECK_FALSE(status.ok());
    CHECK(status.code() == CanonicalCode(reason));
    CHECK(GetErrorReason(status) == reason);
  }
}

TEST_CASE("Statuses without a reason report kNone", "[util]") {
  CHECK(GetErrorReason(absl::OkStatus()) == ErrorReason::kNone);
  CHECK(GetErrorReason(absl::NotFoundError("x")) == ErrorReason::kNone);
  CHECK(MakeError(ErrorReason::kNone, "ignored").ok());
  CHECK(ErrorReasonName(ErrorReason::kNone) == "NONE");
}

TEST_CASE("Reasons keep Kafka's names", "[util]") {
  CHECK(ErrorReasonName(ErrorReason::kUnknownTopicOrPartition) ==
        "UNKNOWN_TOPIC_OR_PARTITION");
  CHECK(ErrorReasonName(ErrorReason::kOutOfOrderSequenceNumber) ==
        "OUT_OF_ORDER_SEQUENCE_NUMBER");
  CHECK(CanonicalCode(ErrorReason::kCorruptMessage) ==
        absl::StatusCode::kDataLoss);
  CHECK(CanonicalCode(ErrorReason::kUnknownTopicOrPartition) ==
        absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace rill
