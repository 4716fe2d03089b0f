// rill/types.h — strong types for the nouns that get mixed up.
//
// An `Offset` is not a `LeaderEpoch` is not a `PartitionId`, though all are
// integers on the wire. Each is a distinct type with explicit construction:
//
//   rill::Offset next = rill::Offset(41) + 1;
//   int64_t raw = next.value();
//   int64_t gap = next - rill::Offset(0);   // differences are plain integers
#ifndef RILL_TYPES_H_
#define RILL_TYPES_H_

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <utility>

namespace rill {

// StrongInt wraps an integer of type T under a unique Tag. Comparable, hashable
// (Abseil and std), printable; adding an integer moves it, subtracting two of
// the same kind yields the integer distance.
template <typename T, typename Tag>
class StrongInt {
 public:
  using ValueType = T;

  constexpr StrongInt() = default;
  constexpr explicit StrongInt(T value) : value_(value) {}

  constexpr T value() const { return value_; }

  friend constexpr auto operator<=>(StrongInt, StrongInt) = default;

  friend constexpr StrongInt operator+(StrongInt a, T delta) {
    return StrongInt(static_cast<T>(a.value_ + delta));
  }
  friend constexpr StrongInt operator-(StrongInt a, T delta) {
    return StrongInt(static_cast<T>(a.value_ - delta));
  }
  friend constexpr T operator-(StrongInt a, StrongInt b) {
    return static_cast<T>(a.value_ - b.value_);
  }
  constexpr StrongInt& operator+=(T delta) {
    value_ = static_cast<T>(value_ + delta);
    return *this;
  }
  constexpr StrongInt& operator++() {
    ++value_;
    return *this;
  }

  template <typename H>
  friend H AbslHashValue(H h, StrongInt v) {
    return H::combine(std::move(h), v.value_);
  }
  friend std::ostream& operator<<(std::ostream& os, StrongInt v) {
    return os << +v.value_;
  }

 private:
  T value_{};
};

// Offset is a record's position in a partition's log.
using Offset = StrongInt<int64_t, struct OffsetTag>;
// LeaderEpoch numbers the leaderships of a partition (partitionLeaderEpoch).
using LeaderEpoch = StrongInt<int32_t, struct LeaderEpochTag>;
// PartitionId is a partition's index within its topic.
using PartitionId = StrongInt<int32_t, struct PartitionIdTag>;
// ProducerId identifies an idempotent or transactional producer.
using ProducerId = StrongInt<int64_t, struct ProducerIdTag>;
// ProducerEpoch fences older incarnations of a producer id.
using ProducerEpoch = StrongInt<int16_t, struct ProducerEpochTag>;
// NodeId identifies a broker in a cluster.
using NodeId = StrongInt<int32_t, struct NodeIdTag>;

// TopicPartition names one partition of one topic.
struct TopicPartition {
  std::string topic;
  PartitionId partition;

  friend bool operator==(const TopicPartition&,
                         const TopicPartition&) = default;
  friend auto operator<=>(const TopicPartition&,
                          const TopicPartition&) = default;

  template <typename H>
  friend H AbslHashValue(H h, const TopicPartition& tp) {
    return H::combine(std::move(h), tp.topic, tp.partition);
  }
  // ToString gives Kafka's directory name for the partition: "<topic>-<n>".
  std::string ToString() const {
    return topic + "-" + std::to_string(partition.value());
  }
};

}  // namespace rill

template <typename T, typename Tag>
struct std::hash<rill::StrongInt<T, Tag>> {
  size_t operator()(rill::StrongInt<T, Tag> v) const noexcept {
    return std::hash<T>()(v.value());
  }
};

#endif  // RILL_TYPES_H_
