#include "interop/stored_batches.h"

#include <catch2/catch.hpp>
#include <memory>

#include "absl/synchronization/notification.h"
#include "status_test_util.h"

namespace rill::interop {
namespace {

std::optional<std::string> Copy(std::optional<std::string_view> bytes) {
  if (!bytes) return std::nullopt;
  return std::string(*bytes);
}

// FetchOnce answers a fetch from `offset` without waiting.
FetchPartitionResult FetchOnce(Broker& broker, const TopicPartition& tp,
                               Offset offset) {
  struct Answer {
    absl::Notification done;
    FetchResult result;
  };
  auto answer = std::make_shared<Answer>();
  broker.Fetch({.partitions = {{.tp = tp, .fetch_offset = offset}},
                .min_bytes = 1,
                .max_wait_ms = 0},
               [answer](FetchResult result) {
                 answer->result = std::move(result);
                 answer->done.Notify();
               });
  REQUIRE(answer->done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  REQUIRE(answer->result.partitions.size() == 1);
  return std::move(answer->result.partitions[0]);
}

}  // namespace

std::vector<StoredBatch> ReadStoredBatches(Broker& broker,
                                           const TopicPartition& tp) {
  ASSIGN_OR_REQUIRE(PartitionOffsets bounds, broker.GetPartitionOffsets(tp));
  std::vector<StoredBatch> batches;
  Offset next = bounds.log_start_offset;
  while (next < bounds.high_watermark) {
    FetchPartitionResult fetched = FetchOnce(broker, tp, next);
    REQUIRE_OK(fetched.status);
    ASSIGN_OR_REQUIRE(std::string bytes, fetched.records.ReadAll());
    REQUIRE(!bytes.empty());
    record::BatchIterator it(bytes);
    while (it.Next()) {
      const record::RecordBatchView& view = it.batch();
      REQUIRE_OK(view.VerifyCrc());
      StoredBatch& batch = batches.emplace_back();
      batch.header = view.header();
      ASSIGN_OR_REQUIRE(record::DecodedRecords records, view.DecodeRecords());
      for (const record::RecordView& r : records) {
        StoredRecord& out = batch.records.emplace_back();
        out.offset = r.offset.value();
        out.timestamp_ms = r.timestamp_ms;
        out.key = Copy(r.key);
        out.value = Copy(r.value);
        for (const record::RecordHeader& h : r.headers) {
          out.headers.emplace_back(std::string(h.key), Copy(h.value));
        }
      }
      next = Offset(view.header().last_offset() + 1);
    }
    REQUIRE_OK(it.status());
  }
  return batches;
}

std::vector<std::string> StoredValues(Broker& broker,
                                      const TopicPartition& tp) {
  std::vector<std::string> values;
  for (const StoredBatch& batch : ReadStoredBatches(broker, tp)) {
    for (const StoredRecord& r : batch.records) {
      values.push_back(r.value.value_or("<null>"));
    }
  }
  return values;
}

}  // namespace rill::interop
