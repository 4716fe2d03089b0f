// Java-style .properties text: `name=value` lines, `#` comments.
//
// The format of Kafka's server.properties and meta.properties, and of the
// broker's own small metadata files (topic configs), so an operator can read
// them. Values may contain '=' but not newlines; escapes are not supported.
#ifndef RILL_UTIL_PROPERTIES_H_
#define RILL_UTIL_PROPERTIES_H_

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace rill::util {

// ParseProperties reads `name=value` lines (whitespace around both trimmed;
// blank lines and lines starting with '#' or '!' skipped). A line without
// '=' or a name given twice is kInvalidArgument naming the line.
absl::StatusOr<std::map<std::string, std::string>> ParseProperties(
    std::string_view text);

// FormatProperties writes one `name=value` line per entry, sorted by name,
// after an optional `# comment` line. kInvalidArgument if a name or value
// holds a newline or a name holds '=' (it would not read back).
absl::StatusOr<std::string> FormatProperties(
    const std::map<std::string, std::string>& properties,
    std::string_view comment = {});

// InvalidProperty is the kInvalidArgument for a property value that does
// not parse: "invalid value '<value>' for <name>: <why>".
absl::Status InvalidProperty(std::string_view name, std::string_view value,
                             std::string_view why);

// ParseIntProperty parses an integer in [min, max of Int] into `out`.
template <typename Int>
absl::Status ParseIntProperty(std::string_view name, std::string_view value,
                              int64_t min, Int* out) {
  int64_t parsed;
  if (!absl::SimpleAtoi(absl::string_view(value.data(), value.size()),
                        &parsed) ||
      parsed < min ||
      parsed > static_cast<int64_t>(std::numeric_limits<Int>::max())) {
    return InvalidProperty(name, value,
                           absl::StrCat("expected an integer in [", min, ", ",
                                        std::numeric_limits<Int>::max(), "]"));
  }
  *out = static_cast<Int>(parsed);
  return absl::OkStatus();
}

// ParseBoolProperty reads "true" or "false", in any case (as Kafka's
// ConfigDef does).
absl::Status ParseBoolProperty(std::string_view name, std::string_view value,
                               bool* out);

}  // namespace rill::util

#endif  // RILL_UTIL_PROPERTIES_H_
