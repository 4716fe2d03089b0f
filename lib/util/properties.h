// Java-style .properties text: `name=value` lines, `#` comments.
//
// The format of Kafka's server.properties and meta.properties, and of the
// broker's own small metadata files (topic configs), so an operator can read
// them. Values may contain '=' but not newlines; escapes are not supported.
#ifndef RILL_UTIL_PROPERTIES_H_
#define RILL_UTIL_PROPERTIES_H_

#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

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

}  // namespace rill::util

#endif  // RILL_UTIL_PROPERTIES_H_
