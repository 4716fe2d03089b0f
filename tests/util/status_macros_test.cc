#include "util/status_macros.h"

#include <catch2/catch.hpp>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rill/error.h"

namespace rill::util {
namespace {

absl::StatusOr<int> Half(int x) {
  if (x % 2 != 0) return absl::InvalidArgumentError("odd");
  return x / 2;
}

absl::Status CheckEven(int x) {
  RETURN_IF_ERROR(Half(x).status());
  return absl::OkStatus();
}

absl::StatusOr<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int half, Half(x));
  ASSIGN_OR_RETURN(int quarter, Half(half));  // two on one scope
  return quarter;
}

absl::StatusOr<int> QuarterAnnotated(int x) {
  int half = 0;
  ASSIGN_OR_RETURN(half, Half(x), Annotate(_, "first half"));
  ASSIGN_OR_RETURN(int quarter, Half(half), Annotate(_, "second half"));
  return quarter;
}

absl::StatusOr<std::unique_ptr<int>> MakeBox(bool ok) {
  if (!ok) return absl::NotFoundError("no box");
  return std::make_unique<int>(7);
}

absl::StatusOr<int> Unbox(bool ok) {
  ASSIGN_OR_RETURN(std::unique_ptr<int> box, MakeBox(ok));  // move-only
  return *box;
}

TEST_CASE("RETURN_IF_ERROR returns the first error and passes OK through",
          "[util]") {
  CHECK(CheckEven(4).ok());
  const absl::Status s = CheckEven(3);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(s.message() == "odd");
}

TEST_CASE("ASSIGN_OR_RETURN assigns values and returns errors unchanged",
          "[util]") {
  REQUIRE(Quarter(8).ok());
  CHECK(*Quarter(8) == 2);
  CHECK(Quarter(6).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(Quarter(3).status().message() == "odd");
  REQUIRE(Unbox(true).ok());
  CHECK(*Unbox(true) == 7);
  CHECK(Unbox(false).status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("ASSIGN_OR_RETURN with a third argument returns that instead",
          "[util]") {
  CHECK(*QuarterAnnotated(8) == 2);
  CHECK(QuarterAnnotated(3).status().message() == "first half: odd");
  CHECK(QuarterAnnotated(6).status().message() == "second half: odd");
  CHECK(QuarterAnnotated(6).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("Annotate prefixes the message and keeps the code; OK stays OK",
          "[util]") {
  CHECK(Annotate(absl::OkStatus(), "ctx").ok());
  const absl::Status s = Annotate(absl::DataLossError("bad crc"), "segment 0");
  CHECK(s.code() == absl::StatusCode::kDataLoss);
  CHECK(s.message() == "segment 0: bad crc");
}

TEST_CASE("Annotate keeps the ErrorReason of the status it annotates",
          "[util]") {
  const absl::Status annotated =
      Annotate(rill::MakeError(rill::ErrorReason::kIllegalGeneration,
                               "generation 3 is stale"),
               "commit");
  CHECK(std::string(annotated.message()) == "commit: generation 3 is stale");
  CHECK(rill::GetErrorReason(annotated) ==
        rill::ErrorReason::kIllegalGeneration);
}

}  // namespace
}  // namespace rill::util
