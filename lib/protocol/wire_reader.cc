#include "protocol/wire_reader.h"

#include <string_view>

#include "absl/strings/str_cat.h"
#include "rill/error.h"
#include "util/varint.h"

namespace rill::protocol {

absl::Status WireReader::status() const {
  if (ok()) return absl::OkStatus();
  return MakeError(ErrorReason::kInvalidRequest, error_);
}

void WireReader::Fail(std::string_view what) {
  if (!ok()) return;
  error_ = absl::StrCat(std::string(what), " at byte ", position_, " of ",
                        data_.size());
  position_ = data_.size();
}

bool WireReader::Need(size_t n, std::string_view what) {
  if (!ok()) return false;
  if (remaining() < n) {
    Fail(absl::StrCat("truncated ", std::string(what), " (", n,
                      " bytes wanted, ", remaining(), " left)"));
    return false;
  }
  return true;
}

uint32_t WireReader::UnsignedVarint() {
  if (!ok()) return 0;
  std::string_view in(data_.data() + position_, remaining());
  const size_t before = in.size();
  uint32_t value = 0;
  if (!util::GetUvarint32(&in, &value)) {
    Fail("malformed unsigned varint");
    return 0;
  }
  position_ += before - in.size();
  return value;
}

int32_t WireReader::Varint() { return util::ZigZagDecode32(UnsignedVarint()); }

int64_t WireReader::Varlong() {
  if (!ok()) return 0;
  std::string_view in(data_.data() + position_, remaining());
  const size_t before = in.size();
  int64_t value = 0;
  if (!util::GetVarint64(&in, &value)) {
    Fail("malformed varlong");
    return 0;
  }
  position_ += before - in.size();
  return value;
}

std::span<char> WireReader::Take(size_t n) {
  if (!Need(n, "bytes")) return {};
  std::span<char> out = data_.subspan(position_, n);
  position_ += n;
  return out;
}

}  // namespace rill::protocol
