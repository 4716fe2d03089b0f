#include "record/record_encoding.h"

#include <cstring>
#include <optional>

#include "absl/strings/str_cat.h"
#include "record/format.h"
#include "util/varint.h"

namespace rill::record::internal {
namespace {

// NullableSize is the encoded size of a nullable byte string: a varint
// length (-1 for null) and the bytes.
size_t NullableSize(const std::optional<std::string_view>& bytes) {
  if (!bytes.has_value()) return 1;  // varint -1 is one byte (0x01)
  return util::VarintLength(static_cast<int64_t>(bytes->size())) +
         bytes->size();
}

absl::Status Corrupt(const std::string& what) {
  return absl::DataLossError(absl::StrCat("corrupt record: ", what));
}

// GetBytes reads a varint length and that many bytes. -1 is null (only where
// `nullable`); any other negative length, or one past the end of `*in`, is
// corrupt.
absl::Status GetBytes(std::string_view* in, bool nullable, const char* field,
                      std::optional<std::string_view>* out) {
  int32_t length;
  if (!util::GetVarint32(in, &length)) {
    return Corrupt(absl::StrCat("bad varint in ", field, " length"));
  }
  if (length == -1 && nullable) {
    *out = std::nullopt;
    return absl::OkStatus();
  }
  if (length < 0) {
    return Corrupt(absl::StrCat("negative ", field, " length ", length));
  }
  if (static_cast<size_t>(length) > in->size()) {
    return Corrupt(
        absl::StrCat(field, " length ", length, " runs past the record's end"));
  }
  *out = in->substr(0, length);
  in->remove_prefix(length);
  return absl::OkStatus();
}

// WrappingAdd adds without signed overflow (corrupt input must not trigger
// undefined behaviour; the sum is meaningless then, but defined).
int64_t WrappingAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) +
                              static_cast<uint64_t>(b));
}

}  // namespace

size_t EncodedRecordSize(int64_t timestamp_delta, int32_t offset_delta,
                         const Record& record) {
  size_t size = 1;  // attributes
  size += util::VarintLength(timestamp_delta);
  size += util::VarintLength(offset_delta);
  size += NullableSize(record.key);
  size += NullableSize(record.value);
  size += util::VarintLength(static_cast<int64_t>(record.headers.size()));
  for (const RecordHeader& header : record.headers) {
    size += NullableSize(header.key);
    size += NullableSize(header.value);
  }
  return size;
}

namespace {

// Raw writers for AppendRecord, which sizes the string once: a producer
// encodes millions of records a second, and growing the string field by
// field costs more than the bytes.
char* WriteVarint(char* p, int64_t v) {
  return p + util::EncodeUvarint64(p, util::ZigZagEncode64(v));
}

char* WriteNullable(char* p, const std::optional<std::string_view>& bytes) {
  if (!bytes.has_value()) return WriteVarint(p, -1);
  p = WriteVarint(p, static_cast<int64_t>(bytes->size()));
  if (!bytes->empty()) std::memcpy(p, bytes->data(), bytes->size());
  return p + bytes->size();
}

}  // namespace

void AppendRecord(int64_t timestamp_delta, int32_t offset_delta,
                  const Record& record, size_t body_size, std::string* dst) {
  const size_t start = dst->size();
  const size_t total =
      util::VarintLength(static_cast<int64_t>(body_size)) + body_size;
  dst->resize(start + total);
  char* p = dst->data() + start;
  p = WriteVarint(p, static_cast<int64_t>(body_size));
  *p++ = 0;  // attributes: unused by magic 2
  p = WriteVarint(p, timestamp_delta);
  p = WriteVarint(p, offset_delta);
  p = WriteNullable(p, record.key);
  p = WriteNullable(p, record.value);
  p = WriteVarint(p, static_cast<int64_t>(record.headers.size()));
  for (const RecordHeader& header : record.headers) {
    p = WriteNullable(p, header.key);
    p = WriteNullable(p, header.value);
  }
}

absl::Status DecodeRecord(std::string_view* in, const RecordContext& context,
                          RecordView* out) {
  int32_t length;
  if (!util::GetVarint32(in, &length)) return Corrupt("bad length varint");
  if (length < 0 || static_cast<size_t>(length) > in->size()) {
    return Corrupt(
        absl::StrCat("length ", length, " with ", in->size(), " bytes left"));
  }
  std::string_view body = in->substr(0, length);
  in->remove_prefix(length);

  if (body.empty()) return Corrupt("no attributes");
  out->attributes = static_cast<int8_t>(body[0]);
  body.remove_prefix(1);
  if (!util::GetVarint64(&body, &out->timestamp_delta)) {
    return Corrupt("bad timestampDelta varint");
  }
  if (!util::GetVarint32(&body, &out->offset_delta)) {
    return Corrupt("bad offsetDelta varint");
  }
  out->offset = Offset(WrappingAdd(context.base_offset, out->offset_delta));
  out->timestamp_ms =
      context.log_append_time
          ? context.max_timestamp
          : WrappingAdd(context.base_timestamp, out->timestamp_delta);
  if (absl::Status s = GetBytes(&body, /*nullable=*/true, "key", &out->key);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = GetBytes(&body, /*nullable=*/true, "value", &out->value);
      !s.ok()) {
    return s;
  }
  int32_t header_count;
  if (!util::GetVarint32(&body, &header_count)) {
    return Corrupt("bad header count varint");
  }
  // Bound the count by the bytes left before reserving room for it.
  if (header_count < 0 || static_cast<size_t>(header_count) >
                              body.size() / format::kMinHeaderSize) {
    return Corrupt(absl::StrCat("header count ", header_count, " with ",
                                body.size(), " bytes left"));
  }
  out->headers.clear();
  out->headers.reserve(header_count);
  for (int32_t i = 0; i < header_count; ++i) {
    std::optional<std::string_view> key;
    RecordHeader& header = out->headers.emplace_back();
    // A header key is a non-null string.
    if (absl::Status s =
            GetBytes(&body, /*nullable=*/false, "header key", &key);
        !s.ok()) {
      return s;
    }
    header.key = *key;
    if (absl::Status s =
            GetBytes(&body, /*nullable=*/true, "header value", &header.value);
        !s.ok()) {
      return s;
    }
  }
  if (!body.empty()) {
    return Corrupt(absl::StrCat("length ", length, " leaves ", body.size(),
                                " bytes after its fields"));
  }
  return absl::OkStatus();
}

}  // namespace rill::record::internal
