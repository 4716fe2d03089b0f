// stored_batches.h — what a partition holds, read straight from the broker
// (not through the wire), so a test can check the bytes a client sent: the
// codec of each batch, producer ids and sequences, record by record.
//
//   for (const StoredBatch& b : ReadStoredBatches(cluster.broker(), tp)) {
//     CHECK(b.header.compression() == record::Compression::kZstd);
//   }
#ifndef RILL_TESTS_INTEROP_STORED_BATCHES_H_
#define RILL_TESTS_INTEROP_STORED_BATCHES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rill/broker/broker.h"
#include "rill/record/record_batch.h"
#include "rill/types.h"

namespace rill::interop {

// StoredRecord is a copy of one decoded record.
struct StoredRecord {
  int64_t offset = -1;
  int64_t timestamp_ms = -1;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

// StoredBatch is one batch as stored: its header and its records.
struct StoredBatch {
  record::RecordBatchHeader header;
  std::vector<StoredRecord> records;
};

// ReadStoredBatches reads every batch of `tp` from its log start to its
// high watermark with Broker::Fetch, checking each batch's CRC; it fails the
// running test on any error.
std::vector<StoredBatch> ReadStoredBatches(Broker& broker,
                                           const TopicPartition& tp);

// StoredValues are the values of every stored record of `tp`, in offset
// order.
std::vector<std::string> StoredValues(Broker& broker, const TopicPartition& tp);

}  // namespace rill::interop

#endif  // RILL_TESTS_INTEROP_STORED_BATCHES_H_
