// BatchIterator: walking concatenated batches, telling a truncated tail
// (normal at the end of a fetch response or after a torn write) from bytes
// that are malformed.
#include "absl/strings/str_cat.h"
#include "record/format.h"
#include "rill/record/record_batch.h"
#include "util/endian.h"

namespace rill::record {

bool BatchIterator::Next() {
  if (!status_.ok() || truncated_tail_ || rest_.empty()) return false;
  if (rest_.size() < format::kLogOverhead) {
    // Not even a whole batchLength field: the start of a batch, cut off.
    truncated_tail_ = true;
    return false;
  }
  const int32_t batch_length =
      util::LoadBigEndian<int32_t>(rest_.data() + format::kBatchLengthOffset);
  if (batch_length < format::kMinBatchLength) {
    status_ = absl::DataLossError(absl::StrCat(
        "record batch at byte ", consumed_, ": batchLength ", batch_length,
        " is below the minimum ", format::kMinBatchLength));
    return false;
  }
  if (format::kLogOverhead + static_cast<size_t>(batch_length) > rest_.size()) {
    truncated_tail_ = true;
    return false;
  }
  absl::StatusOr<RecordBatchView> batch = RecordBatchView::Parse(rest_);
  if (!batch.ok()) {
    // Whole but malformed (e.g. a bad magic): corruption, not a tail.
    status_ = absl::DataLossError(
        absl::StrCat("at byte ", consumed_, ": ", batch.status().message()));
    return false;
  }
  batch_ = *batch;
  position_ = consumed_;
  const size_t size = batch_.data().size();
  consumed_ += size;
  rest_.remove_prefix(size);
  return true;
}

}  // namespace rill::record
