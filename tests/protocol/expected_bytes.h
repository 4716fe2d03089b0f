// ExpectedBytes spells out a message's wire bytes field by field, for tests
// that check an encoding byte for byte against the schema. It is written
// independently of WireWriter, so a shared mistake cannot hide.
//
//   ExpectedBytes b;
//   b.Str("group").I32(5).Array(1).Str("orders");
//   CHECK(EncodeToString(request, 1) == b.bytes());
#ifndef RILL_TESTS_PROTOCOL_EXPECTED_BYTES_H_
#define RILL_TESTS_PROTOCOL_EXPECTED_BYTES_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace rill::protocol::testing {

class ExpectedBytes {
 public:
  // Fixed-width big-endian integers and BOOLEAN.
  ExpectedBytes& I8(int8_t v) { return BigEndian(v, 1); }
  ExpectedBytes& I16(int16_t v) { return BigEndian(v, 2); }
  ExpectedBytes& I32(int32_t v) { return BigEndian(v, 4); }
  ExpectedBytes& I64(int64_t v) { return BigEndian(v, 8); }
  ExpectedBytes& Bool(bool v) { return BigEndian(v ? 1 : 0, 1); }

  // Classic forms: STRING has an int16 length, BYTES and ARRAY an int32
  // length or count; -1 is null.
  ExpectedBytes& Str(std::string_view s) {
    I16(static_cast<int16_t>(s.size()));
    bytes_.append(s);
    return *this;
  }
  ExpectedBytes& NullStr() { return I16(-1); }
  ExpectedBytes& Blob(std::string_view b) {
    I32(static_cast<int32_t>(b.size()));
    bytes_.append(b);
    return *this;
  }
  ExpectedBytes& Array(int32_t count) { return I32(count); }
  ExpectedBytes& NullArray() { return I32(-1); }

  // Compact forms (flexible versions): unsigned varint of length + 1, 0 is
  // null; a struct ends with its tagged-field count.
  ExpectedBytes& UnsignedVarint(uint32_t v) {
    while (v >= 0x80) {
      bytes_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    bytes_.push_back(static_cast<char>(v));
    return *this;
  }
  ExpectedBytes& CompactStr(std::string_view s) {
    UnsignedVarint(static_cast<uint32_t>(s.size() + 1));
    bytes_.append(s);
    return *this;
  }
  ExpectedBytes& CompactNullStr() { return UnsignedVarint(0); }
  ExpectedBytes& CompactArray(uint32_t count) {
    return UnsignedVarint(count + 1);
  }
  ExpectedBytes& CompactNullArray() { return UnsignedVarint(0); }
  ExpectedBytes& NoTaggedFields() { return UnsignedVarint(0); }

  const std::string& bytes() const { return bytes_; }

 private:
  ExpectedBytes& BigEndian(int64_t v, int width) {
    const uint64_t u = static_cast<uint64_t>(v);
    for (int shift = 8 * (width - 1); shift >= 0; shift -= 8) {
      bytes_.push_back(static_cast<char>((u >> shift) & 0xff));
    }
    return *this;
  }

  std::string bytes_;
};

}  // namespace rill::protocol::testing

#endif  // RILL_TESTS_PROTOCOL_EXPECTED_BYTES_H_
