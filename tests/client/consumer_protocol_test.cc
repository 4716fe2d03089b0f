#include "client/consumer_protocol.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/escaping.h"
#include "status_test_util.h"

namespace rill::client {
namespace {

std::string Hex(std::string_view bytes) {
  return absl::BytesToHexString(absl::string_view(bytes.data(), bytes.size()));
}

// NoSpaces lets the expected bytes be written field by field: "0003 0000".
std::string NoSpaces(std::string_view hex) {
  std::string out(hex);
  out.erase(std::remove(out.begin(), out.end(), ' '), out.end());
  return out;
}

std::string Unhex(std::string_view hex) {
  std::string clean = NoSpaces(hex);
  return absl::HexStringToBytes(clean);
}

ConsumerProtocolSubscription FullSubscription(int16_t version) {
  return {.version = version,
          .topics = {"orders", "payments"},
          .user_data = std::string("\x00\x01\xff", 3),
          .owned_partitions = {{.topic = "orders", .partitions = {2, 0}},
                               {.topic = "payments", .partitions = {}}},
          .generation_id = 42,
          .rack_id = "use1-az1"};
}

// Vectors written by kafka-python 2.0.2 (ConsumerProtocolMemberMetadata /
// ConsumerProtocolMemberAssignment, which speak version 0), to check the
// layout against another implementation rather than our own reading of it.
TEST_CASE("Version 0 subscriptions and assignments match kafka-python's bytes",
          "[client][consumer_protocol]") {
  ASSIGN_OR_REQUIRE(
      std::string sub,
      EncodeSubscription(
          {.version = 0, .topics = {"topic-a", "b"}, .user_data = "ud"}));
  CHECK(Hex(sub) ==
        NoSpaces("0000 00000002 0007746f7069632d61 000162 00000002 7564"));

  ASSIGN_OR_REQUIRE(std::string null_ud,
                    EncodeSubscription({.version = 0, .topics = {"t"}}));
  CHECK(Hex(null_ud) == NoSpaces("0000 00000001 000174 ffffffff"));

  ConsumerProtocolAssignment assignment{
      .version = 0,
      .assigned_partitions = {{.topic = "t0", .partitions = {0, 2}},
                              {.topic = "t1", .partitions = {1}}},
      .user_data = ""};
  ASSIGN_OR_REQUIRE(std::string a, EncodeAssignment(assignment));
  CHECK(Hex(a) == NoSpaces("0000 00000002 00027430 00000002 00000000 00000002 "
                           "00027431 00000001 00000001 00000000"));
  assignment.user_data = std::nullopt;
  ASSIGN_OR_REQUIRE(std::string a_null, EncodeAssignment(assignment));
  CHECK(Hex(a_null) ==
        NoSpaces("0000 00000002 00027430 00000002 00000000 00000002 00027431 "
                 "00000001 00000001 ffffffff"));

  ASSIGN_OR_REQUIRE(ConsumerProtocolAssignment back, DecodeAssignment(a_null));
  CHECK(back == assignment);
}

TEST_CASE("Each subscription version writes exactly the fields it defines",
          "[client][consumer_protocol]") {
  // Field by field, from ConsumerProtocolSubscription.json.
  const std::string v0 = NoSpaces(
      "0000 00000002 00066f7264657273 00087061796d656e7473"  // topics
      " 00000003 0001ff");                                   // user_data
  // Two entries: "orders" with partitions [2, 0], "payments" with none.
  const std::string owned = NoSpaces(
      "00000002 00066f7264657273 00000002 00000002 00000000 "
      "00087061796d656e7473 00000000");
  const std::string generation = "0000002a";
  const std::string rack = "0008757365312d617a31";

  for (int16_t version = 0; version <= 3; ++version) {
    INFO("version " << version);
    std::string expected = "000" + std::to_string(version) + v0.substr(4);
    if (version >= 1) expected += owned;
    if (version >= 2) expected += generation;
    if (version >= 3) expected += rack;
    ASSIGN_OR_REQUIRE(std::string bytes,
                      EncodeSubscription(FullSubscription(version)));
    CHECK(Hex(bytes) == expected);

    // Decoding gives back what the version carries; the rest is default.
    ASSIGN_OR_REQUIRE(ConsumerProtocolSubscription back,
                      DecodeSubscription(bytes));
    ConsumerProtocolSubscription want = FullSubscription(version);
    if (version < 1) want.owned_partitions.clear();
    if (version < 2) want.generation_id = -1;
    if (version < 3) want.rack_id = std::nullopt;
    CHECK(back == want);
  }
}

TEST_CASE("Null user data and a null rack id round-trip as null",
          "[client][consumer_protocol]") {
  ConsumerProtocolSubscription s{.topics = {"t"}};
  ASSIGN_OR_REQUIRE(std::string bytes, EncodeSubscription(s));
  CHECK(Hex(bytes) ==
        NoSpaces("0003 00000001 000174 ffffffff 00000000 ffffffff ffff"));
  ASSIGN_OR_REQUIRE(ConsumerProtocolSubscription back,
                    DecodeSubscription(bytes));
  CHECK(!back.user_data.has_value());
  CHECK(!back.rack_id.has_value());
  CHECK(back == s);

  // Empty is not null.
  s.user_data = "";
  s.rack_id = "";
  ASSIGN_OR_REQUIRE(std::string empty, EncodeSubscription(s));
  ASSIGN_OR_REQUIRE(back, DecodeSubscription(empty));
  CHECK(back.user_data == std::optional<std::string>(""));
  CHECK(back.rack_id == std::optional<std::string>(""));
}

TEST_CASE("Assignment versions 1 to 3 keep version 0's layout",
          "[client][consumer_protocol]") {
  ConsumerProtocolAssignment a{
      .assigned_partitions = {{.topic = "t", .partitions = {3}}},
      .user_data = "x"};
  for (int16_t version = 0; version <= 3; ++version) {
    a.version = version;
    ASSIGN_OR_REQUIRE(std::string bytes, EncodeAssignment(a));
    CHECK(Hex(bytes) ==
          "000" + std::to_string(version) +
              NoSpaces("00000001 000174 00000001 00000003 00000001 78"));
    ASSIGN_OR_REQUIRE(ConsumerProtocolAssignment back, DecodeAssignment(bytes));
    CHECK(back == a);
  }
}

TEST_CASE(
    "A newer version is read with the newest known layout and trailing "
    "bytes are ignored",
    "[client][consumer_protocol]") {
  ASSIGN_OR_REQUIRE(std::string v3, EncodeSubscription(FullSubscription(3)));
  std::string v9 = v3;
  v9[1] = 9;
  v9 += Unhex("0000beef00");  // a field some future version appends
  ASSIGN_OR_REQUIRE(ConsumerProtocolSubscription back, DecodeSubscription(v9));
  CHECK(back.version == 9);
  ConsumerProtocolSubscription want = FullSubscription(3);
  want.version = 9;
  CHECK(back == want);

  ASSIGN_OR_REQUIRE(std::string a3, EncodeAssignment({.user_data = "u"}));
  std::string a7 = a3 + "more";
  a7[1] = 7;
  ASSIGN_OR_REQUIRE(ConsumerProtocolAssignment a_back, DecodeAssignment(a7));
  CHECK(a_back.version == 7);
  CHECK(a_back.user_data == std::optional<std::string>("u"));

  // A version 1 message with version 2's field after it: Kafka ignores it.
  ASSIGN_OR_REQUIRE(std::string v1, EncodeSubscription(FullSubscription(1)));
  ASSIGN_OR_REQUIRE(back, DecodeSubscription(v1 + Unhex("00000007")));
  CHECK(back.generation_id == -1);
}

TEST_CASE("Encoding refuses versions it does not know and oversized strings",
          "[client][consumer_protocol]") {
  for (int16_t version : {int16_t{-1}, int16_t{4}}) {
    INFO("version " << version);
    auto sub = EncodeSubscription({.version = version});
    CHECK(sub.status().code() == absl::StatusCode::kInvalidArgument);
    auto a = EncodeAssignment({.version = version});
    CHECK(a.status().code() == absl::StatusCode::kInvalidArgument);
  }
  auto long_topic = EncodeSubscription({.topics = {std::string(40000, 't')}});
  CHECK(long_topic.status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("Every truncation of a valid message is rejected",
          "[client][consumer_protocol]") {
  ASSIGN_OR_REQUIRE(std::string sub, EncodeSubscription(FullSubscription(3)));
  for (size_t n = 0; n < sub.size(); ++n) {
    INFO("prefix " << n);
    CHECK(DecodeSubscription(sub.substr(0, n)).status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
  ASSIGN_OR_REQUIRE(
      std::string a,
      EncodeAssignment(
          {.assigned_partitions = {{.topic = "t", .partitions = {1, 2}}},
           .user_data = "ud"}));
  for (size_t n = 0; n < a.size(); ++n) {
    INFO("prefix " << n);
    CHECK(DecodeAssignment(a.substr(0, n)).status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("Malformed fields are rejected with kInvalidArgument",
          "[client][consumer_protocol]") {
  auto code = [](std::string_view hex) {
    return DecodeSubscription(Unhex(hex)).status().code();
  };
  const auto kBad = absl::StatusCode::kInvalidArgument;
  CHECK(code("ffff 00000000 ffffffff") == kBad);       // version -1
  CHECK(code("0000 ffffffff ffffffff") == kBad);       // null topics
  CHECK(code("0000 00000001 ffff ffffffff") == kBad);  // null topic
  CHECK(code("0000 00000001 fffe ffffffff") == kBad);  // length -2
  CHECK(code("0000 00000000 fffffffe") == kBad);       // user_data -2
  CHECK(code("0000 7fffffff 0000") == kBad);           // huge count
  CHECK(code("0001 00000000 ffffffff 00000001 000174 7fffffff") ==
        kBad);  // huge partitions
  CHECK(code("0003 00000000 ffffffff 00000000 ffffffff fffd") ==
        kBad);  // rack length -3
  // The same bytes with valid fields decode.
  CHECK(code("0003 00000000 ffffffff 00000000 ffffffff ffff") ==
        absl::StatusCode::kOk);

  CHECK(DecodeAssignment(Unhex("0000 ffffffff ffffffff")).status().code() ==
        kBad);  // null partitions array
  CHECK(DecodeAssignment(Unhex("0000 00000000 00000005 41")).status().code() ==
        kBad);  // user_data past the end
}

// Seeded mutation fuzzing: flips, overwrites with boundary bytes, inserts
// and cuts. Every result must decode or fail cleanly (ASan/UBSan catch the
// rest), and whatever decodes must re-encode to a message that decodes to the
// same value.
TEST_CASE("Mutated messages decode or fail cleanly, never crash",
          "[client][consumer_protocol]") {
  std::mt19937 rng(20240611);
  std::vector<std::string> seeds;
  for (int16_t v = 0; v <= 3; ++v) {
    seeds.push_back(EncodeSubscription(FullSubscription(v)).value());
  }
  seeds.push_back(
      EncodeAssignment(
          {.assigned_partitions = {{.topic = "a", .partitions = {0, 1, 2}},
                                   {.topic = "bb", .partitions = {7}}},
           .user_data = "xyz"})
          .value());
  const char kBoundary[] = {'\x00', '\x01', '\x7f', '\x80', '\xfe', '\xff'};
  int decoded = 0;
  int rejected = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string m = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !m.empty(); ++e) {
      const size_t at = rng() % m.size();
      switch (rng() % 4) {
        case 0:
          m[at] = static_cast<char>(m[at] ^ (1u << (rng() % 8)));
          break;
        case 1:
          m[at] = kBoundary[rng() % sizeof(kBoundary)];
          break;
        case 2:
          m.insert(at, 1, static_cast<char>(rng()));
          break;
        default:
          m.erase(at, 1 + rng() % 4);
          break;
      }
    }
    auto sub = DecodeSubscription(m);
    auto assignment = DecodeAssignment(m);
    for (const absl::Status& s : {sub.status(), assignment.status()}) {
      if (!s.ok()) {
        REQUIRE(s.code() == absl::StatusCode::kInvalidArgument);
        ++rejected;
      } else {
        ++decoded;
      }
    }
    if (sub.ok() && sub->version <= kConsumerProtocolMaxVersion) {
      ASSIGN_OR_REQUIRE(std::string again, EncodeSubscription(*sub));
      ASSIGN_OR_REQUIRE(ConsumerProtocolSubscription twice,
                        DecodeSubscription(again));
      REQUIRE(twice == *sub);
    }
  }
  // Both outcomes occur, so the loop exercised the decoder, not just one path.
  CHECK(decoded > 1000);
  CHECK(rejected > 1000);
}

TEST_CASE("GroupByTopic groups in first-appearance order and flattens back",
          "[client][consumer_protocol]") {
  std::vector<TopicPartition> parts = {{"b", PartitionId(1)},
                                       {"a", PartitionId(0)},
                                       {"b", PartitionId(0)},
                                       {"a", PartitionId(5)}};
  std::vector<ConsumerProtocolTopicPartitions> grouped = GroupByTopic(parts);
  REQUIRE(grouped.size() == 2);
  CHECK(grouped[0] ==
        ConsumerProtocolTopicPartitions{.topic = "b", .partitions = {1, 0}});
  CHECK(grouped[1] ==
        ConsumerProtocolTopicPartitions{.topic = "a", .partitions = {0, 5}});
  std::vector<TopicPartition> flat = FlattenTopicPartitions(grouped);
  CHECK(flat == std::vector<TopicPartition>{{"b", PartitionId(1)},
                                            {"b", PartitionId(0)},
                                            {"a", PartitionId(0)},
                                            {"a", PartitionId(5)}});
}

}  // namespace
}  // namespace rill::client
