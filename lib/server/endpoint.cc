// Endpoint: Kafka's listener syntax, "NAME://host:port".
//
// Accepted forms (Kafka's, plus a bare "host:port"):
//   PLAINTEXT://broker-1:9092   PLAINTEXT://:9092 (every interface)
//   PLAINTEXT://[::1]:9092      127.0.0.1:0 (the OS picks the port)
// Listener names are case-insensitive, as in Kafka, and kept upper-case.
#include <algorithm>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "rill/server/kafka_server.h"

namespace rill {
namespace {

constexpr std::string_view kPlaintext = "PLAINTEXT";

absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

absl::Status Invalid(std::string_view spec, std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid listener '", AbslView(spec), "': ", AbslView(why)));
}

bool IsSecurityProtocol(std::string_view name) {
  return name == "SSL" || name == "SASL_PLAINTEXT" || name == "SASL_SSL";
}

bool IsListenerNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         c == '-';
}

// A host name or IPv4 address: letters, digits, '-', '.', '_'.
bool IsHostChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ||
         c == '.' || c == '_';
}

// An IPv6 literal (between brackets): hex digits, ':', '.' (embedded IPv4)
// and a "%zone" suffix of name characters.
bool IsValidIpv6Literal(std::string_view host) {
  if (host.find(':') == std::string_view::npos) return false;
  const size_t zone = host.find('%');
  for (size_t i = 0; i < host.size(); ++i) {
    const char c = host[i];
    if (zone != std::string_view::npos && i > zone) {
      if (!IsHostChar(c)) return false;
    } else if (i != zone &&
               !absl::ascii_isxdigit(static_cast<unsigned char>(c)) &&
               c != ':' && c != '.') {
      return false;
    }
  }
  return zone == std::string_view::npos || zone + 1 < host.size();
}

absl::Status ParsePort(std::string_view spec, std::string_view text,
                       int* port) {
  if (text.empty()) return Invalid(spec, "missing port after ':'");
  int value = 0;
  if (text.size() > 5 ||
      !std::all_of(text.begin(), text.end(),
                   [](char c) { return absl::ascii_isdigit(c); }) ||
      !absl::SimpleAtoi(AbslView(text), &value) || value > 65535) {
    return Invalid(spec, absl::StrCat("port '", AbslView(text),
                                      "' is not a number in [0, 65535]"));
  }
  *port = value;
  return absl::OkStatus();
}

std::string BracketedHost(const std::string& host) {
  if (host.find(':') != std::string::npos) return absl::StrCat("[", host, "]");
  return host;
}

}  // namespace

absl::StatusOr<Endpoint> Endpoint::Parse(std::string_view spec) {
  Endpoint endpoint;
  std::string_view address = spec;
  const size_t scheme = spec.find("://");
  if (scheme != std::string_view::npos) {
    const std::string_view raw_name = spec.substr(0, scheme);
    if (raw_name.empty() ||
        !std::all_of(raw_name.begin(), raw_name.end(), IsListenerNameChar)) {
      return Invalid(spec, "expected NAME://host:port");
    }
    std::string name = absl::AsciiStrToUpper(AbslView(raw_name));
    if (IsSecurityProtocol(name)) {
      return Invalid(spec, absl::StrCat("security protocol ", name,
                                        " is not supported yet; only "
                                        "PLAINTEXT listeners are (TLS and "
                                        "SASL come later)"));
    }
    if (name != kPlaintext) {
      return Invalid(spec, absl::StrCat("unknown listener name '", name,
                                        "'; only PLAINTEXT listeners are "
                                        "supported"));
    }
    endpoint.listener_name = std::move(name);
    address = spec.substr(scheme + 3);
  }

  if (!address.empty() && address.front() == '[') {
    const size_t close = address.find(']');
    if (close == std::string_view::npos) {
      return Invalid(spec, "missing ']' after an IPv6 address");
    }
    const std::string_view host = address.substr(1, close - 1);
    if (!IsValidIpv6Literal(host)) {
      return Invalid(
          spec, absl::StrCat("'", AbslView(host), "' is not an IPv6 address"));
    }
    if (close + 1 >= address.size() || address[close + 1] != ':') {
      return Invalid(spec, "expected ':port' after the IPv6 address");
    }
    endpoint.host = std::string(host);
    if (absl::Status s =
            ParsePort(spec, address.substr(close + 2), &endpoint.port);
        !s.ok()) {
      return s;
    }
    return endpoint;
  }

  const size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) {
    return Invalid(spec, "expected host:port or NAME://host:port");
  }
  const std::string_view host = address.substr(0, colon);
  if (host.find(':') != std::string_view::npos) {
    return Invalid(spec, "an IPv6 address needs brackets, as in [::1]:9092");
  }
  if (!std::all_of(host.begin(), host.end(), IsHostChar)) {
    return Invalid(spec, absl::StrCat("'", AbslView(host),
                                      "' is not a host name or address"));
  }
  endpoint.host = std::string(host);
  if (absl::Status s =
          ParsePort(spec, address.substr(colon + 1), &endpoint.port);
      !s.ok()) {
    return s;
  }
  return endpoint;
}

std::string Endpoint::ToString() const {
  return absl::StrCat(listener_name, "://", HostPort());
}

std::string Endpoint::HostPort() const {
  return absl::StrCat(BracketedHost(host), ":", port);
}

}  // namespace rill
