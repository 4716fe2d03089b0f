#include "protocol/wire_writer.h"

#include "util/status_macros.h"
#include "util/varint.h"

namespace rill::protocol {

void WireWriter::UnsignedVarint(uint32_t value) {
  util::PutUvarint32(&buffer_, value);
}

void WireWriter::Varint(int32_t value) { util::PutVarint32(&buffer_, value); }

void WireWriter::Varlong(int64_t value) { util::PutVarint64(&buffer_, value); }

void WireWriter::AppendSlices(const std::vector<LogSlice>& slices) {
  for (const LogSlice& slice : slices) {
    if (slice.size == 0) continue;
    slices_.push_back({buffer_.size(), slice});
    slice_bytes_ += slice.size;
  }
}

absl::StatusOr<std::string> WireWriter::Flatten() const {
  std::string out;
  out.reserve(size());
  size_t copied = 0;
  for (const AnchoredSlice& anchored : slices_) {
    out.append(buffer_, copied, anchored.at - copied);
    copied = anchored.at;
    const LogSlice& slice = anchored.slice;
    std::string scratch(slice.size, '\0');
    ASSIGN_OR_RETURN(
        std::string_view bytes,
        slice.file->ReadAt(slice.position, slice.size, scratch.data()));
    if (bytes.size() != slice.size) {
      return absl::DataLossError("log slice shorter than its size");
    }
    out.append(bytes);
  }
  out.append(buffer_, copied, std::string::npos);
  return out;
}

}  // namespace rill::protocol
