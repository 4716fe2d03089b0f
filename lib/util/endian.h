// Big-endian (network order) loads and stores: Kafka's wire and disk formats
// are big-endian throughout. memcpy-based, so unaligned access is fine.
#ifndef RILL_UTIL_ENDIAN_H_
#define RILL_UTIL_ENDIAN_H_

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

namespace rill::util {

template <typename T>
inline T LoadBigEndian(const void* p) {
  static_assert(std::is_integral_v<T>);
  std::make_unsigned_t<T> u;
  std::memcpy(&u, p, sizeof(u));
  if constexpr (std::endian::native == std::endian::little) {
    if constexpr (sizeof(T) == 2) u = __builtin_bswap16(u);
    if constexpr (sizeof(T) == 4) u = __builtin_bswap32(u);
    if constexpr (sizeof(T) == 8) u = __builtin_bswap64(u);
  }
  return static_cast<T>(u);
}

template <typename T>
inline void StoreBigEndian(void* p, T value) {
  static_assert(std::is_integral_v<T>);
  auto u = static_cast<std::make_unsigned_t<T>>(value);
  if constexpr (std::endian::native == std::endian::little) {
    if constexpr (sizeof(T) == 2) u = __builtin_bswap16(u);
    if constexpr (sizeof(T) == 4) u = __builtin_bswap32(u);
    if constexpr (sizeof(T) == 8) u = __builtin_bswap64(u);
  }
  std::memcpy(p, &u, sizeof(u));
}

// AppendBigEndian appends `value` to `dst` in network order.
template <typename T>
inline void AppendBigEndian(std::string* dst, T value) {
  char buf[sizeof(T)];
  StoreBigEndian(buf, value);
  dst->append(buf, sizeof(T));
}

}  // namespace rill::util

#endif  // RILL_UTIL_ENDIAN_H_
