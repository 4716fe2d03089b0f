#include "rill/client/assignor.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "status_test_util.h"

namespace rill {
namespace {

TEST_CASE("Assignors are found by their Kafka names", "[client][assignor]") {
  for (const char* name : {"range", "roundrobin", "cooperative-sticky"}) {
    INFO(name);
    ASSIGN_OR_REQUIRE(std::unique_ptr<Assignor> assignor, AssignorByName(name));
    CHECK(assignor->name() == name);
  }
  CHECK(AssignorByName("sticky").status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(AssignorByName("").status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("Only cooperative-sticky supports the cooperative protocol",
          "[client][assignor]") {
  using P = std::vector<RebalanceProtocol>;
  CHECK(NewRangeAssignor()->supported_protocols() ==
        P{RebalanceProtocol::kEager});
  CHECK(NewRoundRobinAssignor()->supported_protocols() ==
        P{RebalanceProtocol::kEager});
  CHECK(NewCooperativeStickyAssignor()->supported_protocols() ==
        P{RebalanceProtocol::kCooperative, RebalanceProtocol::kEager});
}

TEST_CASE(
    "Subscription user data is null except cooperative-sticky's "
    "generation",
    "[client][assignor]") {
  const std::vector<std::string> topics = {"t"};
  CHECK(!NewRangeAssignor()->SubscriptionUserData(topics, 5).has_value());
  CHECK(!NewRoundRobinAssignor()->SubscriptionUserData(topics, 5).has_value());
  // Kafka's CooperativeStickyAssignor user data: one big-endian int32.
  auto sticky = NewCooperativeStickyAssignor();
  CHECK(sticky->SubscriptionUserData(topics, 0x01020304) ==
        std::optional<std::string>("\x01\x02\x03\x04"));
  CHECK(sticky->SubscriptionUserData(topics, -1) ==
        std::optional<std::string>("\xff\xff\xff\xff"));
}

}  // namespace
}  // namespace rill
