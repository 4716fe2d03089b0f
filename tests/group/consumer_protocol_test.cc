// The consumer protocol topics and the group → partition mapping.
#include "group/consumer_protocol.h"

#include <catch2/catch.hpp>

#include "group/java_hash.h"
#include "rill/group/group_coordinator.h"
#include "status_test_util.h"
#include "util/endian.h"

namespace rill::group {
namespace {

TEST_CASE("the topics of a consumer subscription are read from any version",
          "[group]") {
  const std::string v0 = EncodeSubscription({"orders", "payments"}, "ud");
  ASSIGN_OR_REQUIRE(std::vector<std::string> topics,
                    ParseSubscriptionTopics(v0));
  CHECK(topics == std::vector<std::string>{"orders", "payments"});

  // A v1 subscription: same prefix, then owned partitions.
  std::string v1 = v0;
  util::StoreBigEndian<int16_t>(v1.data(), 1);
  util::AppendBigEndian<int32_t>(&v1, 0);
  ASSIGN_OR_REQUIRE(std::vector<std::string> v1_topics,
                    ParseSubscriptionTopics(v1));
  CHECK(v1_topics.size() == 2);
}

TEST_CASE("bytes that are no consumer subscription are data loss", "[group]") {
  CHECK(ParseSubscriptionTopics("").status().code() ==
        absl::StatusCode::kDataLoss);
  std::string negative = EncodeSubscription({"t"});
  util::StoreBigEndian<int16_t>(negative.data(), -1);
  CHECK(ParseSubscriptionTopics(negative).status().code() ==
        absl::StatusCode::kDataLoss);
  std::string truncated = EncodeSubscription({"orders"});
  truncated.resize(8);
  CHECK(ParseSubscriptionTopics(truncated).status().code() ==
        absl::StatusCode::kDataLoss);
}

TEST_CASE("group ids hash as Java's String.hashCode over UTF-16", "[group]") {
  CHECK(JavaStringHashCode("") == 0);
  CHECK(JavaStringHashCode("hello") == 99162322);
  CHECK(JavaStringHashCode("polygenelubricants") ==
        std::numeric_limits<int32_t>::min());
  CHECK(JavaStringHashCode("\xc3\xa9") == 233);  // é, one UTF-16 unit
  // U+1F600 is the surrogate pair D83D DE00.
  CHECK(JavaStringHashCode("\xf0\x9f\x98\x80") == 0xD83D * 31 + 0xDE00);
  // A stray byte counts as U+FFFD, as a Java decoder replaces it.
  CHECK(JavaStringHashCode("\xff") == 0xFFFD);
}

TEST_CASE("a group's partition is Kafka's abs(hashCode) mod the count",
          "[group]") {
  // "my-group".hashCode() is negative; Kafka (Utils.abs) puts it in 12 of
  // 50, where masking the sign bit would give 36.
  CHECK(JavaStringHashCode("my-group") < 0);
  CHECK(GroupCoordinator::PartitionFor("my-group", 50) == 12);
  CHECK(GroupCoordinator::PartitionFor("test-group", 50) == 12);
  CHECK(GroupCoordinator::PartitionFor("polygenelubricants", 50) == 0);
  CHECK(GroupCoordinator::PartitionFor("g", 1) == 0);
}

}  // namespace
}  // namespace rill::group
