#include "replication/topic_configs.h"

#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "rill/error.h"

namespace rill::replication::internal {
namespace {

std::optional<int32_t> ParseMinIsr(const std::string& value) {
  int32_t n = 0;
  if (!absl::SimpleAtoi(value, &n) || n < 1) return std::nullopt;
  return n;
}

std::optional<bool> ParseBool(const std::string& value) {
  if (value == "true") return true;
  if (value == "false") return false;
  return std::nullopt;
}

const std::string* Find(const std::map<std::string, std::string>& configs,
                        std::string_view name) {
  auto it = configs.find(std::string(name));
  return it == configs.end() ? nullptr : &it->second;
}

absl::Status Invalid(std::string_view name, const std::string& value,
                     std::string_view expected) {
  return MakeError(
      ErrorReason::kInvalidConfig,
      absl::StrCat("invalid value '", value, "' for ",
                   absl::string_view(name.data(), name.size()), ": expected ",
                   absl::string_view(expected.data(), expected.size())));
}

}  // namespace

absl::Status ValidateTopicConfigs(
    const std::map<std::string, std::string>& configs) {
  if (const std::string* v = Find(configs, kMinInsyncReplicas);
      v != nullptr && !ParseMinIsr(*v)) {
    return Invalid(kMinInsyncReplicas, *v, "an integer >= 1");
  }
  if (const std::string* v = Find(configs, kUncleanLeaderElectionEnable);
      v != nullptr && !ParseBool(*v)) {
    return Invalid(kUncleanLeaderElectionEnable, *v, "true or false");
  }
  return absl::OkStatus();
}

int32_t MinInsyncReplicas(const TopicState& topic, int32_t fallback) {
  const std::string* v = Find(topic.configs, kMinInsyncReplicas);
  return v == nullptr ? fallback : ParseMinIsr(*v).value_or(fallback);
}

bool UncleanElectionEnabled(const TopicState& topic, bool fallback) {
  const std::string* v = Find(topic.configs, kUncleanLeaderElectionEnable);
  return v == nullptr ? fallback : ParseBool(*v).value_or(fallback);
}

}  // namespace rill::replication::internal
