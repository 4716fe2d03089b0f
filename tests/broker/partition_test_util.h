// partition_test_util.h — helpers for the partition-layer tests: building
// producer batches, and a Partition over a Log on an in-memory file system
// with a manual clock that can be closed and reopened.
#ifndef RILL_TESTS_BROKER_PARTITION_TEST_UTIL_H_
#define RILL_TESTS_BROKER_PARTITION_TEST_UTIL_H_

#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/partition.h"
#include "rill/clock.h"
#include "rill/error.h"
#include "rill/io/file_system.h"
#include "rill/log/log.h"
#include "rill/record/record_batch.h"
#include "status_test_util.h"

namespace rill::broker_test {

using ::rill::broker::Partition;

// BatchSpec describes a producer batch to build.
struct BatchSpec {
  int records = 1;
  // Timestamp of the first record; record i gets timestamp_ms + i *
  // timestamp_step_ms.
  int64_t timestamp_ms = 1'000;
  int64_t timestamp_step_ms = 0;
  int64_t producer_id = record::kNoProducerId;
  int16_t producer_epoch = record::kNoProducerEpoch;
  int32_t base_sequence = record::kNoSequence;
  record::Compression compression = record::Compression::kNone;
  bool transactional = false;
  bool control = false;
  // Record i's key is "<key_prefix><i>"; null_key_at makes one key null.
  std::string key_prefix = "k";
  int null_key_at = -1;
  size_t value_size = 16;
};

// MakeBatch encodes `spec` as one RecordBatch v2.
inline std::string MakeBatch(const BatchSpec& spec) {
  record::RecordBatchBuilder builder({.compression = spec.compression,
                                      .producer_id = spec.producer_id,
                                      .producer_epoch = spec.producer_epoch,
                                      .base_sequence = spec.base_sequence,
                                      .is_transactional = spec.transactional,
                                      .is_control = spec.control});
  std::vector<std::string> keys;
  std::vector<std::string> values;
  keys.reserve(spec.records);
  values.reserve(spec.records);
  for (int i = 0; i < spec.records; ++i) {
    keys.push_back(spec.key_prefix + std::to_string(i));
    values.push_back(
        std::string(spec.value_size, static_cast<char>('a' + i % 26)));
  }
  for (int i = 0; i < spec.records; ++i) {
    record::Record r{
        .timestamp_ms = spec.timestamp_ms + i * spec.timestamp_step_ms,
        .value = std::string_view(values[i])};
    if (i != spec.null_key_at) r.key = std::string_view(keys[i]);
    builder.Append(r);
  }
  absl::StatusOr<std::string> batch = builder.Build();
  REQUIRE_OK(batch);
  return *std::move(batch);
}

// IdempotentBatch is a batch of `records` records from producer `pid`.
inline std::string IdempotentBatch(int64_t pid, int16_t epoch, int32_t seq,
                                   int records = 1, int64_t ts = 1'000) {
  return MakeBatch({.records = records,
                    .timestamp_ms = ts,
                    .producer_id = pid,
                    .producer_epoch = epoch,
                    .base_sequence = seq});
}

// PartitionFixture is a Partition over a Log in "/data/t-0" of an in-memory
// file system, with a ManualClock.
struct PartitionFixture {
  explicit PartitionFixture(LogConfig log_config = {}) : config(log_config) {
    Open();
  }
  ~PartitionFixture() { Close(); }

  void Open() {
    absl::StatusOr<std::unique_ptr<Log>> opened =
        Log::Open({.dir = dir, .config = config, .fs = fs, .clock = clock});
    REQUIRE_OK(opened);
    log = *std::move(opened);
    absl::StatusOr<std::shared_ptr<Partition>> p =
        Partition::Open({.tp = tp,
                         .log = log.get(),
                         .fs = fs,
                         .clock = clock,
                         .leader_epoch = LeaderEpoch(3),
                         .producer_id_expiration_ms = producer_id_expiration_ms,
                         .on_advance = [this](const TopicPartition& t) {
                           hw_advances.push_back(t);
                           if (on_hw) on_hw(t);
                         }});
    REQUIRE_OK(p);
    partition = *std::move(p);
  }

  void Close() {
    if (partition) REQUIRE_OK(partition->Close());
    partition.reset();
    if (log) REQUIRE_OK(log->Close());
    log.reset();
  }

  // Reopen closes cleanly (snapshot written) and opens again.
  void Reopen() {
    Close();
    Open();
  }

  // Produce produces `batch` and returns what the callback received; the
  // callback must run before Produce returns (single replica).
  absl::StatusOr<ProduceResult> Produce(std::string batch,
                                        ProduceOptions options = {}) {
    std::optional<absl::StatusOr<ProduceResult>> got;
    int calls = 0;
    partition->Produce(std::span<char>(batch.data(), batch.size()), options,
                       [&](absl::StatusOr<ProduceResult> r) {
                         ++calls;
                         got = std::move(r);
                       });
    REQUIRE(calls == 1);
    return *std::move(got);
  }

  // LogBytes is everything the log holds, for "nothing changed" checks.
  std::string LogBytes() {
    absl::StatusOr<LogReadResult> read =
        log->Read(log->log_start_offset(), {.max_bytes = int64_t{1} << 40});
    REQUIRE_OK(read);
    absl::StatusOr<std::string> bytes = read->ReadAll();
    REQUIRE_OK(bytes);
    return *std::move(bytes);
  }

  std::vector<std::string> DirNames() {
    absl::StatusOr<std::vector<std::string>> names = fs->ListDir(dir);
    REQUIRE_OK(names);
    return *std::move(names);
  }

  std::shared_ptr<io::FileSystem> fs = io::NewMemFileSystem();
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(1'000'000);
  std::string dir = "/data/t-0";
  TopicPartition tp{"t", PartitionId(0)};
  LogConfig config;
  int64_t producer_id_expiration_ms = 24 * 3600 * 1000LL;
  std::unique_ptr<Log> log;
  std::shared_ptr<Partition> partition;
  std::vector<TopicPartition> hw_advances;
  std::function<void(const TopicPartition&)> on_hw;
};

// ReasonOf is the ErrorReason of a StatusOr.
template <typename T>
ErrorReason ReasonOf(const absl::StatusOr<T>& s) {
  return GetErrorReason(s.status());
}

}  // namespace rill::broker_test

#endif  // RILL_TESTS_BROKER_PARTITION_TEST_UTIL_H_
