#include "rill/types.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <sstream>
#include <string>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

namespace rill {
namespace {

// Distinct strong types must not convert into each other or from integers.
static_assert(!std::is_convertible_v<Offset, LeaderEpoch>);
static_assert(!std::is_convertible_v<int64_t, Offset>);
static_assert(!std::is_convertible_v<Offset, int64_t>);
static_assert(std::is_trivially_copyable_v<Offset>);
static_assert(sizeof(Offset) == sizeof(int64_t));

// RecordingHashState stands in for absl::HashState (util_tests does not link
// absl::hash): it records what AbslHashValue feeds it, which is the whole
// contract between a type and Abseil's hashing.
struct RecordingHashState {
  std::vector<std::string> fed;

  template <typename... Ts>
  static RecordingHashState combine(RecordingHashState s, const Ts&... vs) {
    (s.Feed(vs), ...);
    return s;
  }

 private:
  void Feed(const std::string& v) { fed.push_back("str:" + v); }
  template <typename T>
  void Feed(const T& v) {
    if constexpr (std::is_integral_v<T>) {
      fed.push_back("int:" + std::to_string(v));
    } else {
      RecordingHashState inner = AbslHashValue(RecordingHashState{}, v);
      fed.insert(fed.end(), inner.fed.begin(), inner.fed.end());
    }
  }
};

TEST_CASE("Strong ints add offsets and subtract to plain distances", "[util]") {
  constexpr Offset next = Offset(41) + 1;
  CHECK(next.value() == 42);
  CHECK(next - Offset(40) == 2);
  CHECK((next - 2).value() == 40);
  Offset o(10);
  o += 5;
  ++o;
  CHECK(o == Offset(16));
  CHECK(Offset().value() == 0);
  ProducerEpoch epoch(32767);
  CHECK((epoch - 1).value() == 32766);
}

TEST_CASE("Strong ints order and compare like their values", "[util]") {
  CHECK(Offset(1) < Offset(2));
  CHECK(Offset(2) >= Offset(2));
  CHECK(Offset(3) != Offset(2));
  CHECK(LeaderEpoch(-1) < LeaderEpoch(0));
}

TEST_CASE("Strong ints hash in std containers, feed Abseil hashing and print",
          "[util]") {
  std::unordered_set<Offset> std_set = {Offset(1), Offset(2), Offset(1)};
  CHECK(std_set.size() == 2);
  CHECK(std::hash<Offset>()(Offset(5)) == std::hash<int64_t>()(5));
  CHECK(AbslHashValue(RecordingHashState{}, Offset(5)).fed ==
        std::vector<std::string>{"int:5"});
  std::ostringstream os;
  os << Offset(-7) << ' ' << ProducerEpoch(3);
  CHECK(os.str() == "-7 3");
}

TEST_CASE("TopicPartition compares, hashes and names Kafka's directory",
          "[util]") {
  const TopicPartition a{"orders", PartitionId(3)};
  const TopicPartition b{"orders", PartitionId(10)};
  CHECK(a.ToString() == "orders-3");
  CHECK(a == TopicPartition{"orders", PartitionId(3)});
  CHECK(a < b);
  CHECK(TopicPartition{"a", PartitionId(9)} < a);
  CHECK(AbslHashValue(RecordingHashState{}, a).fed ==
        std::vector<std::string>{"str:orders", "int:3"});
}

}  // namespace
}  // namespace rill
