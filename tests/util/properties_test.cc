#include "util/properties.h"

#include <catch2/catch.hpp>

#include "status_test_util.h"

namespace rill::util {
namespace {

TEST_CASE("Properties read back what FormatProperties wrote", "[util]") {
  const std::map<std::string, std::string> in = {
      {"cleanup.policy", "compact,delete"},
      {"retention.ms", "1000"},
      {"weird", "a=b"},
      {"empty", ""}};
  ASSIGN_OR_REQUIRE(std::string text, FormatProperties(in, "topic orders"));
  CHECK(text.rfind("# topic orders\n", 0) == 0);
  ASSIGN_OR_REQUIRE(auto out, ParseProperties(text));
  CHECK(out == in);
}

TEST_CASE("ParseProperties skips comments and blanks and trims whitespace",
          "[util]") {
  ASSIGN_OR_REQUIRE(auto out, ParseProperties("# c\n\n ! also\n  a = 1  \n"
                                              "b=2\r\n"));
  CHECK(out == std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}});
}

TEST_CASE("ParseProperties rejects lines it cannot read, naming them",
          "[util]") {
  auto no_eq = ParseProperties("a=1\nbogus\n");
  CHECK(no_eq.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(no_eq.status().message()).find("line 2") !=
        std::string::npos);
  CHECK_FALSE(ParseProperties("a=1\na=2\n").ok());
  CHECK_FALSE(ParseProperties("=1\n").ok());
}

TEST_CASE("FormatProperties refuses what would not read back", "[util]") {
  CHECK_FALSE(FormatProperties({{"a\nb", "1"}}).ok());
  CHECK_FALSE(FormatProperties({{"a=b", "1"}}).ok());
  CHECK_FALSE(FormatProperties({{"a", "1\n2"}}).ok());
}

}  // namespace
}  // namespace rill::util
