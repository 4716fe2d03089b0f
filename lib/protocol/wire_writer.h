// WireWriter: Kafka's primitive types into a growing buffer, plus stored log
// bytes by reference.
//
// A fetch response is mostly record batches already on disk (or in memory).
// Those are never copied into the buffer: AppendSlices anchors them at the
// current buffer position, and the server sends buffer pieces and slices
// in order (sendfile for files that have a descriptor). Everything else is
// encoded into the buffer.
#ifndef RILL_PROTOCOL_WIRE_WRITER_H_
#define RILL_PROTOCOL_WIRE_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/statusor.h"
#include "rill/log/log.h"
#include "util/endian.h"

namespace rill::protocol {

// WireWriter owns its buffer and shares ownership of the slices' files.
// Not thread-safe.
class WireWriter {
 public:
  // AnchoredSlice is stored bytes that go out right after buffer()[0, at).
  struct AnchoredSlice {
    size_t at;
    LogSlice slice;
  };

  template <typename T>
  void Fixed(T value) {
    static_assert(std::is_arithmetic_v<T>);
    if constexpr (std::is_same_v<T, bool>) {
      buffer_.push_back(value ? 1 : 0);
    } else if constexpr (std::is_same_v<T, double>) {
      uint64_t bits;
      std::memcpy(&bits, &value, sizeof(bits));
      util::AppendBigEndian(&buffer_, bits);
    } else {
      util::AppendBigEndian(&buffer_, value);
    }
  }
  // PatchFixed overwrites an integer written earlier at buffer position
  // `at` (a length prefix known only at the end).
  template <typename T>
  void PatchFixed(size_t at, T value) {
    util::StoreBigEndian(buffer_.data() + at, value);
  }

  void UnsignedVarint(uint32_t value);
  void Varint(int32_t value);
  void Varlong(int64_t value);
  void Append(const char* data, size_t n) { buffer_.append(data, n); }
  void Append(std::string_view data) { buffer_.append(data); }

  // AppendSlices sends `slices` here, by reference.
  void AppendSlices(const std::vector<LogSlice>& slices);

  // size counts buffered and referenced bytes.
  size_t size() const { return buffer_.size() + slice_bytes_; }
  const std::string& buffer() const { return buffer_; }
  std::string& mutable_buffer() { return buffer_; }
  const std::vector<AnchoredSlice>& slices() const { return slices_; }

  // Flatten copies everything, slices read from their files, into one
  // string (tests and the in-process paths; the network sends pieces).
  absl::StatusOr<std::string> Flatten() const;

 private:
  std::string buffer_;
  std::vector<AnchoredSlice> slices_;
  size_t slice_bytes_ = 0;
};

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_WIRE_WRITER_H_
