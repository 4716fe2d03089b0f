// Hand-built wire bytes for byte-exact message tests: each function is one
// primitive of the protocol guide, big-endian, written out independently of
// the codec so a test compares the codec against the schema.
//
//   const std::string expected = Int16(1) + String("orders") + ArrayLength(2);
#ifndef RILL_TESTS_PROTOCOL_WIRE_BYTES_H_
#define RILL_TESTS_PROTOCOL_WIRE_BYTES_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace rill::protocol::wire_bytes {

inline std::string BigEndian(uint64_t value, int width) {
  std::string out;
  for (int i = width - 1; i >= 0; --i) {
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
  return out;
}

inline std::string Int8(int8_t v) { return BigEndian(uint8_t(v), 1); }
inline std::string Int16(int16_t v) { return BigEndian(uint16_t(v), 2); }
inline std::string Int32(int32_t v) { return BigEndian(uint32_t(v), 4); }
inline std::string Int64(int64_t v) { return BigEndian(uint64_t(v), 8); }
inline std::string Boolean(bool v) { return std::string(1, v ? 1 : 0); }

inline std::string UnsignedVarint(uint32_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

// Classic: STRING has an int16 length, BYTES and arrays an int32 one; -1 is
// null.
inline std::string String(std::string_view s) {
  return Int16(static_cast<int16_t>(s.size())) + std::string(s);
}
inline std::string NullString() { return Int16(-1); }
inline std::string BytesOf(std::string_view s) {
  return Int32(static_cast<int32_t>(s.size())) + std::string(s);
}
inline std::string ArrayLength(int32_t n) { return Int32(n); }

// Compact (flexible versions): unsigned varint of length + 1; 0 is null.
inline std::string CompactString(std::string_view s) {
  return UnsignedVarint(static_cast<uint32_t>(s.size() + 1)) + std::string(s);
}
inline std::string CompactNullString() { return std::string(1, '\0'); }
inline std::string CompactArrayLength(uint32_t n) {
  return UnsignedVarint(n + 1);
}
// An empty tagged-field section.
inline std::string NoTaggedFields() { return std::string(1, '\0'); }

// Hex spells bytes out two digits each, so a failed comparison is readable.
inline std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

}  // namespace rill::protocol::wire_bytes

#endif  // RILL_TESTS_PROTOCOL_WIRE_BYTES_H_
