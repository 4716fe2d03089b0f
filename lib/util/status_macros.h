// Status-propagation macros (Abseil 20220623 ships none).
//
//   RETURN_IF_ERROR(file->Sync());
//   ASSIGN_OR_RETURN(auto header, record::ParseBatchHeader(bytes));
//   ASSIGN_OR_RETURN(size_t n, ReadLength(in), _.WithPrefix("index entry"));
#ifndef RILL_UTIL_STATUS_MACROS_H_
#define RILL_UTIL_STATUS_MACROS_H_

#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace rill::util {

// Annotate returns `status` with "<context>: " before its message, keeping its
// code; OK stays OK.
inline absl::Status Annotate(const absl::Status& status,
                             std::string_view context) {
  if (status.ok()) return status;
  return absl::Status(
      status.code(),
      absl::StrCat(
          std::string_view(context.data(), context.size()), ": ",
          std::string_view(status.message().data(), status.message().size())));
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
#define ASSIGN_OR_RETURN(lhs, rexpr)                                         \
  RILL_ASSIGN_OR_RETURN_IMPL_(RILL_STATUS_CONCAT_(rill_statusor_, __LINE__), \
                              lhs, rexpr)

#define RILL_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr)  \
  auto statusor = (rexpr);                                 \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // RILL_UTIL_STATUS_MACROS_H_
