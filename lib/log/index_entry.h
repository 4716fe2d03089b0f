// Entries of a segment's offset index and time index (layouts in format.h).
#ifndef RILL_LOG_INDEX_ENTRY_H_
#define RILL_LOG_INDEX_ENTRY_H_

#include <cstdint>

#include "log/format.h"
#include "util/endian.h"

namespace rill::log {

// OffsetIndexEntry maps a batch's base offset (relative to the segment's) to
// the batch's byte position in the .log file.
struct OffsetIndexEntry {
  static constexpr int kSize = kOffsetIndexEntrySize;
  uint32_t relative_offset = 0;
  uint32_t position = 0;

  void EncodeTo(char* dst) const {
    util::StoreBigEndian<uint32_t>(dst, relative_offset);
    util::StoreBigEndian<uint32_t>(dst + 4, position);
  }
  static OffsetIndexEntry DecodeFrom(const char* src) {
    return {util::LoadBigEndian<uint32_t>(src),
            util::LoadBigEndian<uint32_t>(src + 4)};
  }
  // Follows tells whether this entry may come after `prev` in an index.
  bool Follows(const OffsetIndexEntry& prev) const {
    return relative_offset > prev.relative_offset && position > prev.position;
  }
};

// TimeIndexEntry: the largest timestamp seen up to some batch, and the
// relative offset of the batch that carried it.
struct TimeIndexEntry {
  static constexpr int kSize = kTimeIndexEntrySize;
  int64_t timestamp_ms = 0;
  uint32_t relative_offset = 0;

  void EncodeTo(char* dst) const {
    util::StoreBigEndian<int64_t>(dst, timestamp_ms);
    util::StoreBigEndian<uint32_t>(dst + 8, relative_offset);
  }
  static TimeIndexEntry DecodeFrom(const char* src) {
    return {util::LoadBigEndian<int64_t>(src),
            util::LoadBigEndian<uint32_t>(src + 8)};
  }
  bool Follows(const TimeIndexEntry& prev) const {
    return timestamp_ms > prev.timestamp_ms &&
           relative_offset >= prev.relative_offset;
  }
};

}  // namespace rill::log

#endif  // RILL_LOG_INDEX_ENTRY_H_
