// WireReader: bounds-checked reads of Kafka's primitive types.
//
// Reads never go past the end of the input. The first failure (truncated
// input, a length that does not fit, an over-long varint) is remembered and
// every later read returns a zero value, so a decoder reads a whole message
// and checks status() once at the end.
#ifndef RILL_PROTOCOL_WIRE_READER_H_
#define RILL_PROTOCOL_WIRE_READER_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>

#include "absl/status/status.h"
#include "util/endian.h"

namespace rill::protocol {

// WireReader reads a byte span it does not own. Not thread-safe.
class WireReader {
 public:
  explicit WireReader(std::span<char> data) : data_(data) {}

  bool ok() const { return error_.empty(); }
  // status is OK, or kInvalidRequest naming what failed and where.
  absl::Status status() const;
  size_t position() const { return position_; }
  size_t remaining() const { return data_.size() - position_; }

  // Fail marks the input malformed (the first reason is kept).
  void Fail(std::string_view what);

  // Fixed reads a big-endian integer (bool is an int8 that must be 0 or 1
  // on the wire — Kafka accepts any non-zero as true, and so do we).
  template <typename T>
  T Fixed() {
    static_assert(std::is_arithmetic_v<T>);
    if (!Need(sizeof(T), "fixed-width field")) return T{};
    const char* p = data_.data() + position_;
    position_ += sizeof(T);
    if constexpr (std::is_same_v<T, bool>) {
      return *p != 0;
    } else if constexpr (std::is_same_v<T, double>) {
      const uint64_t bits = util::LoadBigEndian<uint64_t>(p);
      double d;
      static_assert(sizeof(d) == sizeof(bits));
      __builtin_memcpy(&d, &bits, sizeof(d));
      return d;
    } else {
      return util::LoadBigEndian<T>(p);
    }
  }

  uint32_t UnsignedVarint();
  int32_t Varint();
  int64_t Varlong();

  // Take returns the next n bytes (a view into the input) and skips them.
  std::span<char> Take(size_t n);
  // Sub returns a reader over the next n bytes and skips them here.
  WireReader Sub(size_t n) { return WireReader(Take(n)); }

 private:
  bool Need(size_t n, std::string_view what);

  std::span<char> data_;
  size_t position_ = 0;
  std::string error_;
};

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_WIRE_READER_H_
