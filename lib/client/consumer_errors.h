// client/consumer_errors.h — adding context to an error without losing
// the ErrorReason callers act on.
#ifndef RILL_CLIENT_CONSUMER_ERRORS_H_
#define RILL_CLIENT_CONSUMER_ERRORS_H_

#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "util/status_macros.h"

namespace rill::client {

// WithContext is util::Annotate ("<context>: <message>", same code) that
// also keeps the status's payloads, so GetErrorReason still answers (a
// caller tells REBALANCE_IN_PROGRESS from ILLEGAL_GENERATION by it).
inline absl::Status WithContext(const absl::Status& status,
                                std::string_view context) {
  if (status.ok()) return status;
  absl::Status out = util::Annotate(status, context);
  status.ForEachPayload(
      [&out](absl::string_view type_url, const absl::Cord& payload) {
        out.SetPayload(type_url, payload);
      });
  return out;
}

}  // namespace rill::client

#endif  // RILL_CLIENT_CONSUMER_ERRORS_H_
