#include "util/topic_name.h"

#include "absl/strings/str_cat.h"
#include "rill/error.h"

namespace rill::util {

absl::Status ValidateTopicName(std::string_view name) {
  const absl::string_view view(name.data(), name.size());
  if (name.empty()) {
    return MakeError(ErrorReason::kInvalidTopic, "topic name is empty");
  }
  if (name == "." || name == "..") {
    return MakeError(ErrorReason::kInvalidTopic,
                     absl::StrCat("topic name cannot be '", view, "'"));
  }
  if (name.size() > kMaxTopicNameLength) {
    return MakeError(ErrorReason::kInvalidTopic,
                     absl::StrCat("topic name is longer than ",
                                  kMaxTopicNameLength, " characters"));
  }
  for (char c : name) {
    const bool legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                       c == '-';
    if (!legal) {
      return MakeError(
          ErrorReason::kInvalidTopic,
          absl::StrCat("topic name '", view,
                       "' has a character outside [a-zA-Z0-9._-]"));
    }
  }
  return absl::OkStatus();
}

bool IsInternalTopic(std::string_view name) { return name == kOffsetsTopic; }

}  // namespace rill::util
