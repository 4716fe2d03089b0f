#include "rill/client/assignor.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace rill {

std::optional<std::string> Assignor::SubscriptionUserData(
    std::span<const std::string> /*topics*/, int32_t /*generation_id*/) const {
  return std::nullopt;
}

absl::StatusOr<std::unique_ptr<Assignor>> AssignorByName(
    std::string_view name) {
  if (name == "range") return NewRangeAssignor();
  if (name == "roundrobin") return NewRoundRobinAssignor();
  if (name == "cooperative-sticky") return NewCooperativeStickyAssignor();
  return absl::NotFoundError(
      absl::StrCat("no partition assignor named \"",
                   absl::string_view(name.data(), name.size()),
                   "\"; known: range, roundrobin, cooperative-sticky"));
}

}  // namespace rill
