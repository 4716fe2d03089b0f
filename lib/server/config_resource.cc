#include "server/config_resource.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "rill/error.h"

namespace rill::server {

absl::Status CheckBrokerResource(const std::string& name, NodeId node,
                                 bool allow_default) {
  if (name.empty() && allow_default) return absl::OkStatus();
  int32_t id = 0;
  if (!absl::SimpleAtoi(name, &id)) {
    return MakeError(
        ErrorReason::kInvalidRequest,
        absl::StrCat("broker id must be an integer, but it is '", name, "'"));
  }
  if (id != node.value()) {
    return MakeError(
        ErrorReason::kInvalidRequest,
        absl::StrCat("unexpected broker id, expected ", node.value(),
                     allow_default ? " or \"\"" : "", ", but received ", name));
  }
  return absl::OkStatus();
}

}  // namespace rill::server
