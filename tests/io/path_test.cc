#include "io/path.h"

#include <catch2/catch.hpp>

namespace rill::io::internal {
namespace {

TEST_CASE("NormalizePath drops empty and dot parts and resolves dot-dot",
          "[io]") {
  CHECK(NormalizePath("/a//b/./c/") == "/a/b/c");
  CHECK(NormalizePath("/") == "/");
  CHECK(NormalizePath("//") == "/");
  CHECK(NormalizePath("") == ".");
  CHECK(NormalizePath(".") == ".");
  CHECK(NormalizePath("a/b") == "a/b");
  CHECK(NormalizePath("./a/../b") == "b");
  CHECK(NormalizePath("/a/../..") == "/");
  CHECK(NormalizePath("../x") == "../x");
  CHECK(NormalizePath("a/../../x") == "../x");
}

TEST_CASE("Dirname and Basename split a normalized path", "[io]") {
  CHECK(Dirname("/a/b") == "/a");
  CHECK(Dirname("/a") == "/");
  CHECK(Dirname("a") == ".");
  CHECK(Dirname("a/b") == "a");
  CHECK(Basename("/a/b") == "b");
  CHECK(Basename("a") == "a");
  CHECK(Basename("/") == "");
}

}  // namespace
}  // namespace rill::io::internal
