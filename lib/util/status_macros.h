// Status-propagation macros (Abseil 20220623 ships none).
//
//   RETURN_IF_ERROR(file->Sync());
//   ASSIGN_OR_RETURN(auto header, record::ParseBatchHeader(bytes));
//   ASSIGN_OR_RETURN(size_t n, ReadLength(in),
//                    rill::util::Annotate(_, "index entry"));
#ifndef RILL_UTIL_STATUS_MACROS_H_
#define RILL_UTIL_STATUS_MACROS_H_

#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace rill::util {

// Annotate returns `status` with "<context>: " before its message, keeping its
// code and payloads (a rill::ErrorReason among them); OK stays OK.
inline absl::Status Annotate(const absl::Status& status,
                             std::string_view context) {
  if (status.ok()) return status;
  // This Abseil build has its own absl::string_view (not std's), which
  // StrCat takes and std::string_view does not convert to.
  absl::Status annotated(
      status.code(),
      absl::StrCat(absl::string_view(context.data(), context.size()), ": ",
                   status.message()));
  status.ForEachPayload(
      [&annotated](absl::string_view url, const absl::Cord& payload) {
        annotated.SetPayload(url, payload);
      });
  return annotated;
}

}  // namespace rill::util

#define RILL_STATUS_CONCAT_INNER_(a, b) a##b
#define RILL_STATUS_CONCAT_(a, b) RILL_STATUS_CONCAT_INNER_(a, b)

// RETURN_IF_ERROR returns the status of `expr` from the enclosing function
// when it is not OK.
#define RETURN_IF_ERROR(expr)                    \
  do {                                           \
    ::absl::Status rill_status_ = (expr);        \
    if (!rill_status_.ok()) return rill_status_; \
  } while (false)

// ASSIGN_OR_RETURN evaluates `rexpr` (a StatusOr<T>); on error returns its
// status, else assigns (moves) the value to `lhs`, which may be a declaration.
// An optional third argument is returned instead of the bare error; in it `_`
// names the error status (an absl::Status). Expands to several statements,
// so it cannot be the body of an unbraced `if`, and `lhs` must not contain an
// unparenthesized comma.
#define ASSIGN_OR_RETURN(...)                                        \
  RILL_ASSIGN_OR_RETURN_PICK_(__VA_ARGS__, RILL_ASSIGN_OR_RETURN_3_, \
                              RILL_ASSIGN_OR_RETURN_2_, unused)      \
  (__VA_ARGS__)

// Picks the 2- or 3-argument form; the trailing `unused` keeps `...` from
// ever being empty, which -Wpedantic would flag.
#define RILL_ASSIGN_OR_RETURN_PICK_(_1, _2, _3, name, ...) name

#define RILL_ASSIGN_OR_RETURN_2_(lhs, rexpr) \
  RILL_ASSIGN_OR_RETURN_IMPL_(               \
      RILL_STATUS_CONCAT_(rill_statusor_, __COUNTER__), lhs, rexpr, _)
#define RILL_ASSIGN_OR_RETURN_3_(lhs, rexpr, error_expr)            \
  RILL_ASSIGN_OR_RETURN_IMPL_(                                      \
      RILL_STATUS_CONCAT_(rill_statusor_, __COUNTER__), lhs, rexpr, \
      error_expr)

#define RILL_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr, error_expr) \
  auto statusor = (rexpr);                                            \
  if (!statusor.ok()) {                                               \
    [[maybe_unused]] ::absl::Status _ = std::move(statusor).status(); \
    return (error_expr);                                              \
  }                                                                   \
  lhs = std::move(statusor).value()

#endif  // RILL_UTIL_STATUS_MACROS_H_
