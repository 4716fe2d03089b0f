// wire.h — the big-endian primitives of Kafka's non-flexible encodings
// (int16-length strings, int32-length bytes, int32-count arrays), as the
// group records (format.h) and the consumer protocol use them.
//
//   WireWriter w;
//   w.Int16(3);
//   RETURN_IF_ERROR(w.String(group_id));
//   std::string bytes = std::move(w).data();
//
//   WireReader r(bytes, "GroupMetadataValue");
//   int16_t version = r.Int16();
//   std::optional<std::string> leader = r.NullableString();
//   RETURN_IF_ERROR(r.status());   // kDataLoss naming the record if short
#ifndef RILL_GROUP_WIRE_H_
#define RILL_GROUP_WIRE_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "util/endian.h"

namespace rill::group {

// WireWriter appends fields to a string. Single-threaded.
class WireWriter {
 public:
  void Int16(int16_t v) { util::AppendBigEndian(&out_, v); }
  void Int32(int32_t v) { util::AppendBigEndian(&out_, v); }
  void Int64(int64_t v) { util::AppendBigEndian(&out_, v); }
  // String writes an int16 length and the bytes; kInvalidArgument past
  // 32767 bytes.
  absl::Status String(std::string_view s) {
    if (s.size() > static_cast<size_t>(std::numeric_limits<int16_t>::max())) {
      return absl::InvalidArgumentError(
          absl::StrCat("string of ", s.size(), " bytes is longer than 32767"));
    }
    Int16(static_cast<int16_t>(s.size()));
    out_.append(s);
    return absl::OkStatus();
  }
  absl::Status NullableString(const std::optional<std::string>& s) {
    if (!s.has_value()) {
      Int16(-1);
      return absl::OkStatus();
    }
    return String(*s);
  }
  // Bytes writes an int32 length and the bytes.
  absl::Status Bytes(std::string_view b) {
    if (b.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
      return absl::InvalidArgumentError("bytes field longer than 2^31-1");
    }
    Int32(static_cast<int32_t>(b.size()));
    out_.append(b);
    return absl::OkStatus();
  }

  std::string data() && { return std::move(out_); }

 private:
  std::string out_;
};

// WireReader consumes fields from a byte string. After the first short or
// malformed field every read returns a zero value and status() reports
// kDataLoss naming `what`. Single-threaded; the bytes must outlive it.
class WireReader {
 public:
  WireReader(std::string_view in, std::string_view what)
      : in_(in), what_(what) {}

  int16_t Int16() { return Fixed<int16_t>(); }
  int32_t Int32() { return Fixed<int32_t>(); }
  int64_t Int64() { return Fixed<int64_t>(); }

  std::string String() {
    std::optional<std::string> s = NullableString();
    if (!s.has_value() && status_.ok()) Fail("null in a non-nullable string");
    return s.value_or(std::string());
  }
  std::optional<std::string> NullableString() {
    const int16_t length = Int16();
    if (!status_.ok() || length == -1) return std::nullopt;
    return Take(length);
  }
  // Bytes reads an int32-length field; a null (-1) reads as empty.
  std::string Bytes() {
    const int32_t length = Int32();
    if (!status_.ok() || length == -1) return std::string();
    return Take(length);
  }
  // ArrayCount reads an array's element count; a null array (-1) is empty.
  // Counts that cannot fit in what is left fail, so callers may loop on it.
  int32_t ArrayCount(size_t min_element_size) {
    const int32_t count = Int32();
    if (!status_.ok() || count == -1) return 0;
    if (count < 0 ||
        static_cast<uint64_t>(count) * min_element_size > in_.size()) {
      Fail("array count runs past the end");
      return 0;
    }
    return count;
  }

  size_t remaining() const { return in_.size(); }
  const absl::Status& status() const { return status_; }

 private:
  template <typename T>
  T Fixed() {
    if (!status_.ok()) return 0;
    if (in_.size() < sizeof(T)) {
      Fail("truncated");
      return 0;
    }
    const T v = util::LoadBigEndian<T>(in_.data());
    in_.remove_prefix(sizeof(T));
    return v;
  }
  std::string Take(int64_t length) {
    if (length < 0 || static_cast<uint64_t>(length) > in_.size()) {
      Fail("length runs past the end");
      return std::string();
    }
    std::string s(in_.substr(0, static_cast<size_t>(length)));
    in_.remove_prefix(static_cast<size_t>(length));
    return s;
  }
  void Fail(std::string_view why) {
    status_ = absl::DataLossError(absl::StrCat(
        "malformed ", absl::string_view(what_.data(), what_.size()), ": ",
        absl::string_view(why.data(), why.size())));
  }

  std::string_view in_;
  std::string_view what_;
  absl::Status status_;
};

}  // namespace rill::group

#endif  // RILL_GROUP_WIRE_H_
