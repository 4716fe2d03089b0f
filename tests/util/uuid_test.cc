#include "rill/uuid.h"

#include <catch2/catch.hpp>
#include <set>

namespace rill {
namespace {

TEST_CASE("Uuid text is Kafka's 22-character URL-safe base64", "[util]") {
  Uuid id;
  id.bytes[15] = 1;
  CHECK(id.ToString() == "AAAAAAAAAAAAAAAAAAAAAQ");
  CHECK(Uuid{}.ToString() == "AAAAAAAAAAAAAAAAAAAAAA");
}

TEST_CASE("Random Uuids are distinct, non-zero and never start with '-'",
          "[util]") {
  std::set<Uuid> seen;
  for (int i = 0; i < 1000; ++i) {
    const Uuid id = Uuid::Random();
    CHECK_FALSE(id.IsZero());
    CHECK(id.ToString().size() == 22);
    CHECK(id.ToString().front() != '-');
    CHECK(seen.insert(id).second);
  }
}

}  // namespace
}  // namespace rill
