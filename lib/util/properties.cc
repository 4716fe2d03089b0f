#include "util/properties.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace rill::util {

absl::StatusOr<std::map<std::string, std::string>> ParseProperties(
    std::string_view text) {
  std::map<std::string, std::string> properties;
  int line_number = 0;
  for (absl::string_view line :
       absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#' || line[0] == '!') continue;
    const size_t eq = line.find('=');
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_number, ": expected name=value"));
    }
    std::string name(absl::StripAsciiWhitespace(line.substr(0, eq)));
    std::string value(absl::StripAsciiWhitespace(line.substr(eq + 1)));
    if (name.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_number, ": empty name"));
    }
    if (!properties.emplace(name, std::move(value)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_number, ": '", name, "' given twice"));
    }
  }
  return properties;
}

absl::StatusOr<std::string> FormatProperties(
    const std::map<std::string, std::string>& properties,
    std::string_view comment) {
  std::string text;
  if (!comment.empty()) {
    absl::StrAppend(&text, "# ",
                    absl::string_view(comment.data(), comment.size()), "\n");
  }
  for (const auto& [name, value] : properties) {
    if (name.empty() || name.find_first_of("=\n") != std::string::npos ||
        value.find('\n') != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("property '", name, "' cannot be written as a line"));
    }
    absl::StrAppend(&text, name, "=", value, "\n");
  }
  return text;
}

absl::Status InvalidProperty(std::string_view name, std::string_view value,
                             std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid value '", absl::string_view(value.data(), value.size()),
      "' for ", absl::string_view(name.data(), name.size()), ": ",
      absl::string_view(why.data(), why.size())));
}

absl::Status ParseBoolProperty(std::string_view name, std::string_view value,
                               bool* out) {
  const std::string lower =
      absl::AsciiStrToLower(absl::string_view(value.data(), value.size()));
  if (lower != "true" && lower != "false") {
    return InvalidProperty(name, value, "expected true or false");
  }
  *out = lower == "true";
  return absl::OkStatus();
}

}  // namespace rill::util
