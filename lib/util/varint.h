// Kafka's variable-length integers.
//
// "Unsigned varint" is LEB128 (7 bits a byte, low first, high bit = more).
// "Varint"/"varlong" (RecordBatch v2 record fields) are zigzag-encoded signed
// integers in that same form. Decoders take a string_view, consume what they
// read, and return false on truncated input or on a value too long for its
// type (more than 5 bytes for 32 bits, 10 for 64) — they never read past the
// end of the view.
#ifndef RILL_UTIL_VARINT_H_
#define RILL_UTIL_VARINT_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace rill::util {

constexpr int kMaxVarint32Bytes = 5;
constexpr int kMaxVarint64Bytes = 10;

inline constexpr uint32_t ZigZagEncode32(int32_t v) {
  return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
}
inline constexpr int32_t ZigZagDecode32(uint32_t v) {
  return static_cast<int32_t>((v >> 1) ^ (~(v & 1) + 1));
}
inline constexpr uint64_t ZigZagEncode64(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline constexpr int64_t ZigZagDecode64(uint64_t v) {
  return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
}

// EncodeUvarint64 writes `v` to dst (room for kMaxVarint64Bytes) and returns
// the number of bytes written.
inline int EncodeUvarint64(char* dst, uint64_t v) {
  int n = 0;
  while (v >= 0x80) {
    dst[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  dst[n++] = static_cast<char>(v);
  return n;
}

// UvarintLength returns how many bytes EncodeUvarint64 writes for `v`.
inline int UvarintLength(uint64_t v) {
  int n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
inline int VarintLength(int64_t v) { return UvarintLength(ZigZagEncode64(v)); }

inline void PutUvarint64(std::string* dst, uint64_t v) {
  char buf[kMaxVarint64Bytes];
  dst->append(buf, EncodeUvarint64(buf, v));
}
inline void PutUvarint32(std::string* dst, uint32_t v) { PutUvarint64(dst, v); }
inline void PutVarint32(std::string* dst, int32_t v) {
  PutUvarint64(dst, ZigZagEncode32(v));
}
inline void PutVarint64(std::string* dst, int64_t v) {
  PutUvarint64(dst, ZigZagEncode64(v));
}

namespace internal {
inline bool GetUvarint(std::string_view* in, uint64_t* out, int max_bytes) {
  uint64_t result = 0;
  for (int i = 0; i < max_bytes; ++i) {
    if (i >= static_cast<int>(in->size())) return false;  // truncated
    const auto byte = static_cast<uint8_t>((*in)[i]);
    result |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      // The last byte may carry only the bits the type has left.
      const int used_bits = 7 * i;
      const int type_bits = max_bytes == kMaxVarint32Bytes ? 32 : 64;
      if (used_bits + 7 > type_bits && (byte >> (type_bits - used_bits)) != 0) {
        return false;  // overflow
      }
      in->remove_prefix(i + 1);
      *out = result;
      return true;
    }
  }
  return false;  // too many continuation bytes
}
}  // namespace internal

inline bool GetUvarint64(std::string_view* in, uint64_t* out) {
  return internal::GetUvarint(in, out, kMaxVarint64Bytes);
}
inline bool GetUvarint32(std::string_view* in, uint32_t* out) {
  uint64_t v;
  if (!internal::GetUvarint(in, &v, kMaxVarint32Bytes)) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}
inline bool GetVarint32(std::string_view* in, int32_t* out) {
  uint32_t v;
  if (!GetUvarint32(in, &v)) return false;
  *out = ZigZagDecode32(v);
  return true;
}
inline bool GetVarint64(std::string_view* in, int64_t* out) {
  uint64_t v;
  if (!GetUvarint64(in, &v)) return false;
  *out = ZigZagDecode64(v);
  return true;
}

}  // namespace rill::util

#endif  // RILL_UTIL_VARINT_H_
