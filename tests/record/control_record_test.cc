#include <catch2/catch.hpp>

#include "record/record_test_util.h"
#include "rill/record/record_batch.h"

namespace rill::record {
namespace {

TEST_CASE("control record keys and values encode and parse", "[record]") {
  CHECK(testing::Hex(ControlRecordKey(ControlType::kAbort)) == "00000000");
  CHECK(testing::Hex(ControlRecordKey(ControlType::kCommit)) == "00000001");
  CHECK(testing::Hex(ControlRecordValue(0x01020304)) == "000001020304");
  CHECK(ParseControlRecordKey(testing::Unhex("00000001")).value() ==
        ControlType::kCommit);
  // A newer version is read by its known prefix, as Kafka does.
  CHECK(ParseControlRecordKey(testing::Unhex("0001000000ff")).value() ==
        ControlType::kAbort);
  CHECK(ParseControlRecordValue(testing::Unhex("000000000007")).value() == 7);

  CHECK(ParseControlRecordKey(testing::Unhex("000000")).status().code() ==
        absl::StatusCode::kDataLoss);
  CHECK(ParseControlRecordKey(testing::Unhex("ffff0000")).status().code() ==
        absl::StatusCode::kDataLoss);
  CHECK(ParseControlRecordKey(testing::Unhex("00000002")).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(ParseControlRecordValue(testing::Unhex("0000000000")).status().code() ==
        absl::StatusCode::kDataLoss);
  CHECK(
      ParseControlRecordValue(testing::Unhex("800000000000")).status().code() ==
      absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace rill::record
