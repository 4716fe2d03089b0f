#include "protocol/request_types.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/header.h"
#include "request_codecs.h"

namespace rill::protocol::testing {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST_CASE("RequestTypes holds one request per API key and every key has a name",
          "[protocol]") {
  std::set<int16_t> keys;
  ForEachRequestType([&]<typename R>(std::type_identity<R>) {
    const auto key = static_cast<int16_t>(R::kApiKey);
    CAPTURE(key);
    CHECK(keys.insert(key).second);
    CHECK(std::string(ApiKeyName(key)) != "Unknown");
    CHECK_FALSE(R::kVersions.empty());
  });
  CHECK(keys.size() == RequestTypes::size());
}

TEST_CASE("every message header under lib/protocol/messages is in RequestTypes",
          "[protocol]") {
  size_t headers = 0;
  for (const auto& entry : fs::directory_iterator(
           fs::path(RILL_SOURCE_DIR) / "lib" / "protocol" / "messages")) {
    if (entry.path().extension() == ".h") ++headers;
  }
  CHECK(headers == RequestTypes::size());
}

TEST_CASE("every captured client request decodes and re-encodes to its bytes",
          "[protocol]") {
  std::vector<fs::path> captures;
  for (const auto& entry :
       fs::directory_iterator(fs::path(RILL_TEST_DATA_DIR) / "protocol")) {
    if (entry.path().extension() == ".bin") captures.push_back(entry.path());
  }
  REQUIRE(captures.size() >= 50);
  for (const fs::path& path : captures) {
    CAPTURE(path.filename().string());
    std::string frame = ReadFile(path);
    WireReader reader{std::span<char>(frame)};
    RequestHeader header;
    REQUIRE(ReadRequestHeader(reader, &header).ok());
    const RequestCodec* codec = FindRequestCodec(header.api_key);
    REQUIRE(codec != nullptr);
    CHECK(codec->versions.Contains(header.api_version));
    if (codec->flexible_versions.Contains(header.api_version)) {
      REQUIRE(SkipTaggedFields(reader).ok());
    }
    std::span<char> body = std::span<char>(frame).subspan(reader.position());
    absl::StatusOr<std::string> encoded =
        codec->round_trip(body, header.api_version);
    INFO(encoded.status().ToString());
    REQUIRE(encoded.ok());
    CHECK(*encoded == std::string(body.data(), body.size()));
  }
}

}  // namespace
}  // namespace rill::protocol::testing
