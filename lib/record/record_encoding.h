// record/record_encoding.h — one record of a RecordBatch v2, encoded and
// decoded (the per-record layout is described in record/format.h).
//
// Internal to the record layer: the builder appends records with
// AppendRecord and RecordBatchView decodes a records section with
// DecodeRecord. Decoding is bounds-checked throughout and never reads outside
// the view it is given.
#ifndef RILL_RECORD_RECORD_ENCODING_H_
#define RILL_RECORD_RECORD_ENCODING_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "rill/record/record_batch.h"

namespace rill::record::internal {

// EncodedRecordSize is the size of the record's body: what its length prefix
// holds (the prefix itself not included).
size_t EncodedRecordSize(int64_t timestamp_delta, int32_t offset_delta,
                         const Record& record);

// AppendRecord appends the record — length prefix and body — to `dst`.
// `body_size` must be EncodedRecordSize() of the same arguments.
void AppendRecord(int64_t timestamp_delta, int32_t offset_delta,
                  const Record& record, size_t body_size, std::string* dst);

// RecordContext is what a record needs from its batch header to be decoded.
struct RecordContext {
  int64_t base_offset = 0;
  int64_t base_timestamp = 0;
  // Set for LogAppendTime batches: every record's timestamp is this.
  bool log_append_time = false;
  int64_t max_timestamp = 0;
};

// DecodeRecord decodes the record at the start of `*in` into `*out` and
// removes it from `*in`. The views in `*out` point into `*in`'s bytes.
// kDataLoss for a malformed record: bad varints, negative lengths other than
// -1 (and -1 for a header key), lengths past the record's end, or a length
// prefix that does not match the fields it holds.
absl::Status DecodeRecord(std::string_view* in, const RecordContext& context,
                          RecordView* out);

}  // namespace rill::record::internal

#endif  // RILL_RECORD_RECORD_ENCODING_H_
