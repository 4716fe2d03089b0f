#include <catch2/catch.hpp>
#include <string>

#include "rill/server/kafka_server.h"
#include "status_test_util.h"

namespace rill {
namespace {

std::string ErrorOf(std::string_view spec) {
  absl::StatusOr<Endpoint> endpoint = Endpoint::Parse(spec);
  REQUIRE_FALSE(endpoint.ok());
  CHECK(endpoint.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(endpoint.status().message());
}

bool Contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE("Endpoint parses Kafka's NAME://host:port", "[server]") {
  ASSIGN_OR_REQUIRE(Endpoint e, Endpoint::Parse("PLAINTEXT://broker-1:9093"));
  CHECK(e.listener_name == "PLAINTEXT");
  CHECK(e.host == "broker-1");
  CHECK(e.port == 9093);
  CHECK(e.ToString() == "PLAINTEXT://broker-1:9093");
  CHECK(e.HostPort() == "broker-1:9093");
}

TEST_CASE("Endpoint takes a bare host:port as a PLAINTEXT listener",
          "[server]") {
  ASSIGN_OR_REQUIRE(Endpoint e, Endpoint::Parse("127.0.0.1:0"));
  CHECK(e.listener_name == "PLAINTEXT");
  CHECK(e.host == "127.0.0.1");
  CHECK(e.port == 0);
  CHECK(e.ToString() == "PLAINTEXT://127.0.0.1:0");
}

TEST_CASE("Endpoint reads an empty host as every interface", "[server]") {
  ASSIGN_OR_REQUIRE(Endpoint e, Endpoint::Parse("PLAINTEXT://:9092"));
  CHECK(e.host.empty());
  CHECK(e.port == 9092);
  CHECK(e.ToString() == "PLAINTEXT://:9092");
}

TEST_CASE("Endpoint reads bracketed IPv6 addresses and writes them back",
          "[server]") {
  ASSIGN_OR_REQUIRE(Endpoint loopback, Endpoint::Parse("[::1]:9092"));
  CHECK(loopback.host == "::1");
  CHECK(loopback.HostPort() == "[::1]:9092");
  CHECK(loopback.ToString() == "PLAINTEXT://[::1]:9092");

  ASSIGN_OR_REQUIRE(Endpoint any, Endpoint::Parse("PLAINTEXT://[::]:0"));
  CHECK(any.host == "::");
  CHECK(any.port == 0);

  ASSIGN_OR_REQUIRE(Endpoint zoned, Endpoint::Parse("[fe80::1%eth0]:9092"));
  CHECK(zoned.host == "fe80::1%eth0");
}

TEST_CASE("Endpoint listener names are case-insensitive", "[server]") {
  ASSIGN_OR_REQUIRE(Endpoint e, Endpoint::Parse("plaintext://localhost:9092"));
  CHECK(e.listener_name == "PLAINTEXT");
  CHECK(e.ToString() == "PLAINTEXT://localhost:9092");
}

TEST_CASE("Endpoint round-trips through ToString", "[server]") {
  for (const char* spec :
       {"PLAINTEXT://127.0.0.1:9092", "PLAINTEXT://:0",
        "PLAINTEXT://[::1]:65535", "PLAINTEXT://kafka.example.com:1"}) {
    ASSIGN_OR_REQUIRE(Endpoint e, Endpoint::Parse(spec));
    CHECK(e.ToString() == spec);
    ASSIGN_OR_REQUIRE(Endpoint again, Endpoint::Parse(e.ToString()));
    CHECK(again.ToString() == spec);
  }
}

TEST_CASE("Endpoint rejects ports that are missing or out of range",
          "[server]") {
  CHECK(Contains(ErrorOf("PLAINTEXT://localhost:"), "missing port"));
  CHECK(Contains(ErrorOf("localhost:65536"), "'65536'"));
  CHECK(Contains(ErrorOf("localhost:-1"), "'-1'"));
  CHECK(Contains(ErrorOf("localhost:90x"), "'90x'"));
  CHECK(Contains(ErrorOf("localhost:+80"), "'+80'"));
  CHECK(Contains(ErrorOf("localhost:000009092"), "not a number"));
  CHECK(Contains(ErrorOf("[::1]:"), "missing port"));
}

TEST_CASE("Endpoint rejects forms it does not know, quoting the spec",
          "[server]") {
  CHECK(Contains(ErrorOf("localhost"), "'localhost'"));
  CHECK(Contains(ErrorOf("localhost"), "host:port"));
  CHECK(Contains(ErrorOf(""), "host:port"));
  CHECK(Contains(ErrorOf("::1:9092"), "brackets"));
  CHECK(Contains(ErrorOf("[::1:9092"), "']'"));
  CHECK(Contains(ErrorOf("[::1]9092"), "':port'"));
  CHECK(Contains(ErrorOf("[localhost]:9092"), "not an IPv6 address"));
  CHECK(Contains(ErrorOf("PLAINTEXT://local host:9092"), "not a host"));
  CHECK(Contains(ErrorOf("PLAINTEXT://a/b:9092"), "not a host"));
  CHECK(Contains(ErrorOf("://localhost:9092"), "NAME://host:port"));
  CHECK(Contains(ErrorOf("PLAIN TEXT://localhost:9092"), "NAME://host:port"));
}

TEST_CASE("Endpoint refuses TLS and SASL listeners, saying they come later",
          "[server]") {
  for (const char* spec :
       {"SSL://localhost:9093", "SASL_PLAINTEXT://localhost:9094",
        "sasl_ssl://localhost:9095"}) {
    const std::string error = ErrorOf(spec);
    CHECK(Contains(error, "not supported yet"));
    CHECK(Contains(error, spec));
  }
}

TEST_CASE("Endpoint refuses listener names other than PLAINTEXT", "[server]") {
  const std::string error = ErrorOf("CONTROLLER://:9093");
  CHECK(Contains(error, "unknown listener name 'CONTROLLER'"));
}

}  // namespace
}  // namespace rill
