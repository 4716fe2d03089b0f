// java_hash.h — Java's String.hashCode, which Kafka clients and brokers use to
// map a group id to its __consumer_offsets partition.
//
//   int32_t h = JavaStringHashCode("my-group");   // as "my-group".hashCode()
#ifndef RILL_GROUP_JAVA_HASH_H_
#define RILL_GROUP_JAVA_HASH_H_

#include <cstdint>
#include <string_view>

namespace rill::group {

// JavaStringHashCode is s[0]*31^(n-1) + ... + s[n-1] over the UTF-16 code
// units of `utf8` (characters above U+FFFF count as their two surrogates),
// with int32 wraparound. Malformed UTF-8 counts one U+FFFD per bad byte, as
// a Java decoder replaces it.
int32_t JavaStringHashCode(std::string_view utf8);

}  // namespace rill::group

#endif  // RILL_GROUP_JAVA_HASH_H_
