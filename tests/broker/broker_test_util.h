// broker_test_util.h — batches and synchronous produce/fetch for broker
// tests.
#ifndef RILL_TESTS_BROKER_BROKER_TEST_UTIL_H_
#define RILL_TESTS_BROKER_BROKER_TEST_UTIL_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/notification.h"
#include "rill/broker/broker.h"
#include "rill/record/record_batch.h"

namespace rill::test {

// KeyValue is one record of a test batch; nullopt value = tombstone.
struct KeyValue {
  std::optional<std::string> key;
  std::optional<std::string> value;
};

// MakeBatch builds one RecordBatch v2 of `records` stamped `timestamp_ms`.
inline std::string MakeBatch(const std::vector<KeyValue>& records,
                             int64_t timestamp_ms = 1'000,
                             record::BatchOptions options = {}) {
  record::RecordBatchBuilder builder(options);
  for (const KeyValue& kv : records) {
    record::Record r{.timestamp_ms = timestamp_ms};
    if (kv.key) r.key = *kv.key;
    if (kv.value) r.value = *kv.value;
    builder.Append(r);
  }
  return builder.Build().value();
}

// ProduceSync produces `batch` and waits for its callback.
inline absl::StatusOr<ProduceResult> ProduceSync(Broker& broker,
                                                 const TopicPartition& tp,
                                                 std::string batch,
                                                 ProduceOptions options = {}) {
  absl::Notification done;
  absl::StatusOr<ProduceResult> result;
  broker.Produce(tp, std::span<char>(batch.data(), batch.size()), options,
                 [&](absl::StatusOr<ProduceResult> r) {
                   result = std::move(r);
                   done.Notify();
                 });
  done.WaitForNotification();
  return result;
}

// FetchSync fetches and waits for the answer.
inline FetchResult FetchSync(Broker& broker, FetchRequest request) {
  absl::Notification done;
  FetchResult result;
  broker.Fetch(std::move(request), [&](FetchResult r) {
    result = std::move(r);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

// ReadValues fetches `tp` from `offset` to the high watermark (no waiting;
// a fetch returns at most one segment, so it loops) and decodes the values,
// in offset order.
inline std::vector<std::string> ReadValues(Broker& broker,
                                           const TopicPartition& tp,
                                           Offset offset = Offset(0)) {
  std::vector<std::string> values;
  for (int fetches = 0; fetches < 10'000; ++fetches) {
    FetchResult fetched =
        FetchSync(broker, {.partitions = {{.tp = tp,
                                           .fetch_offset = offset,
                                           .max_bytes = 64 << 20}},
                           .max_wait_ms = 0,
                           .max_bytes = 64 << 20});
    const FetchPartitionResult& p = fetched.partitions.at(0);
    if (!p.status.ok() || p.records.size_bytes == 0) break;
    std::string bytes = p.records.ReadAll().value();
    record::BatchIterator batches(bytes);
    while (batches.Next()) {
      const record::RecordBatchHeader& header = batches.batch().header();
      auto decoded = batches.batch().DecodeRecords().value();
      for (const record::RecordView& r : decoded) {
        if (header.base_offset + r.offset_delta < offset.value()) continue;
        values.emplace_back(r.value.value_or("<null>"));
      }
      offset = Offset(header.last_offset() + 1);
    }
  }
  return values;
}

}  // namespace rill::test

#endif  // RILL_TESTS_BROKER_BROKER_TEST_UTIL_H_
