// status_test_util.h — Catch2 assertions on absl::Status / StatusOr, shared
// by every test suite.
//
//   REQUIRE_OK(log->Flush());
//   ASSIGN_OR_REQUIRE(rill::AppendInfo info, log->Append(batch));
#ifndef RILL_TESTS_STATUS_TEST_UTIL_H_
#define RILL_TESTS_STATUS_TEST_UTIL_H_

#include <catch2/catch.hpp>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rill::test {

// StatusText renders a status (or a StatusOr's) so that a failed assertion
// prints its code and message.
inline std::string StatusText(const absl::Status& status) {
  return status.ToString();
}
template <typename T>
std::string StatusText(const absl::StatusOr<T>& status_or) {
  return status_or.status().ToString();
}

}  // namespace rill::test

#define RILL_TEST_CONCAT_INNER_(a, b) a##b
#define RILL_TEST_CONCAT_(a, b) RILL_TEST_CONCAT_INNER_(a, b)

// REQUIRE_OK / CHECK_OK assert that a Status or StatusOr is OK, printing it
// otherwise.
#define REQUIRE_OK(expr) REQUIRE(::rill::test::StatusText(expr) == "OK")
#define CHECK_OK(expr) CHECK(::rill::test::StatusText(expr) == "OK")

// ASSIGN_OR_REQUIRE requires a StatusOr to be OK and moves its value into
// `lhs` (which may be a declaration).
#define ASSIGN_OR_REQUIRE(lhs, rexpr)                                      \
  ASSIGN_OR_REQUIRE_IMPL_(RILL_TEST_CONCAT_(rill_test_or_, __LINE__), lhs, \
                          rexpr)
#define ASSIGN_OR_REQUIRE_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                            \
  REQUIRE_OK(tmp);                               \
  lhs = std::move(tmp).value()

#endif  // RILL_TESTS_STATUS_TEST_UTIL_H_
