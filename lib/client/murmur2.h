// client/murmur2.h — the hash Kafka's default partitioner uses for keys.
//
// This is the Java client's org.apache.kafka.common.utils.Utils.murmur2:
// MurmurHash2 (32-bit) with seed 0x9747b28c, little-endian 4-byte words, and
// the Java version's tail handling (the 1-3 leftover bytes are folded in
// before a final multiply, which happens only when there is a tail).
// librdkafka's "murmur2" partitioner computes the same value, so a keyed
// record lands on the same partition from Java, librdkafka and rill:
//
//   PartitionId p = PartitionId(ToPositive(Murmur2(key)) % num_partitions);
#ifndef RILL_CLIENT_MURMUR2_H_
#define RILL_CLIENT_MURMUR2_H_

#include <cstdint>
#include <string_view>

namespace rill::client {

// Murmur2 is Kafka's murmur2 of `data`, as the Java int it returns.
int32_t Murmur2(std::string_view data);

// ToPositive is Kafka's Utils.toPositive: clears the sign bit (not abs(),
// which would leave INT32_MIN negative).
constexpr int32_t ToPositive(int32_t n) { return n & 0x7fffffff; }

}  // namespace rill::client

#endif  // RILL_CLIENT_MURMUR2_H_
