// rill/client/producer.h — an in-process Kafka producer.
//
// Batches records per partition (batch.size, linger.ms), picks partitions as
// Kafka's Java client does (murmur2 of the key; sticky for null keys), and
// hands each sealed batch to the broker with no network and no re-encoding.
// Idempotence is on by default: every batch carries the producer id, epoch
// and sequence, so a retry can never duplicate a record.
//
// Over a BrokerDirectory (a cluster in one process) each batch goes to its
// partition's leader; when the leader moves, the producer looks it up again
// and resends the batch, unchanged, within delivery.timeout.ms.
//
//   ASSIGN_OR_RETURN(auto producer, rill::Producer::Create(broker,
//       {.client_id = "orders-writer", .linger_ms = 5}));
//   producer->Send({.topic = "orders", .key = "o-17", .value = json},
//                  [](absl::StatusOr<rill::RecordMetadata> m) { ... });
//   std::future<absl::StatusOr<rill::RecordMetadata>> f =
//       producer->SendWithFuture({.topic = "orders", .value = "x"});
//   RETURN_IF_ERROR(producer->Flush());
//   RETURN_IF_ERROR(producer->Close());
#ifndef RILL_CLIENT_PRODUCER_H_
#define RILL_CLIENT_PRODUCER_H_

#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rill/broker/broker.h"
#include "rill/client/broker_directory.h"
#include "rill/client/partitioner.h"
#include "rill/clock.h"
#include "rill/record/record_batch.h"
#include "rill/types.h"

namespace rill {

// ProducerOptions: Kafka producer configs under their names.
struct ProducerOptions {
  // client.id. Default: "rill-producer".
  std::string client_id = "rill-producer";
  // acks. Default: all.
  Acks acks = Acks::kAll;
  // batch.size: bytes of records per partition batch before it is sent.
  // Default: 16384.
  int32_t batch_size = 16384;
  // linger.ms: how long a batch waits for more records before it is sent.
  // Default: 5 (Kafka 4.0's and librdkafka's).
  int64_t linger_ms = 5;
  // enable.idempotence. Default: true.
  bool enable_idempotence = true;
  // compression.type. Default: none.
  record::Compression compression_type = record::Compression::kNone;
  // max.request.size: largest record (and batch) accepted by Send.
  // Default: 1048576.
  int32_t max_request_size = 1048576;
  // delivery.timeout.ms: how long a record may wait for retriable errors
  // to clear before its callback gets the error. Default: 120000.
  int64_t delivery_timeout_ms = 120000;
  // retry.backoff.ms. Default: 100.
  int64_t retry_backoff_ms = 100;
  // request.timeout.ms: how long one send of a batch waits for the
  // broker's acknowledgement (acks=all waits for the in-sync replicas)
  // before it is retried, within delivery.timeout.ms. Default: 30000.
  int64_t request_timeout_ms = 30000;
  // Chooses partitions for records without one. Default: Kafka's default
  // partitioner (murmur2 for keys, sticky for null keys).
  std::shared_ptr<Partitioner> partitioner = nullptr;
  // Time source for linger.ms and timeouts. Default: the broker's clock.
  // With a ManualClock, linger waits for the clock: use Flush() or
  // linger_ms = 0.
  std::shared_ptr<Clock> clock = nullptr;

  // FromProperties reads Kafka-named properties ("acks", "linger.ms",
  // "batch.size", "compression.type", "enable.idempotence", "client.id",
  // "max.request.size", "delivery.timeout.ms", "retry.backoff.ms",
  // "request.timeout.ms");
  // unknown names or bad values are kInvalidArgument naming them.
  static absl::StatusOr<ProducerOptions> FromProperties(
      const std::map<std::string, std::string>& properties);
};

// ProducerRecord is one record to send. It views the caller's bytes, which
// Send copies into the batch before it returns.
struct ProducerRecord {
  std::string_view topic = {};
  // nullopt: the partitioner chooses.
  std::optional<PartitionId> partition = std::nullopt;
  // nullopt: a null key.
  std::optional<std::string_view> key = std::nullopt;
  // nullopt: a null value (a tombstone on compacted topics).
  std::optional<std::string_view> value = std::nullopt;
  std::span<const record::RecordHeader> headers = {};
  // CreateTime in ms; -1: now.
  int64_t timestamp_ms = -1;
};

// RecordMetadata says where a record landed.
struct RecordMetadata {
  TopicPartition tp;
  Offset offset;
  // CreateTime, or the broker's LogAppendTime for such topics.
  int64_t timestamp_ms = -1;
};

// DeliveryCallback runs once per record, when its batch is acknowledged
// or fails: on the thread that sent the batch (Send, Flush) or on the
// producer's own timer thread (linger.ms, retries, acknowledgements that
// come later). It must not block.
using DeliveryCallback =
    absl::AnyInvocable<void(absl::StatusOr<RecordMetadata>)>;

// Producer sends records to the leaders of their partitions. Owned by its
// creator; the broker (or the directory's brokers) must outlive it.
// Thread-safe: any thread may Send.
class Producer {
 public:
  // Create makes a producer of `broker`'s partitions.
  static absl::StatusOr<std::unique_ptr<Producer>> Create(
      Broker& broker, ProducerOptions options);
  // Create makes a producer of a cluster's partitions, following their
  // leaders among `brokers`.
  static absl::StatusOr<std::unique_ptr<Producer>> Create(
      std::shared_ptr<BrokerDirectory> brokers, ProducerOptions options);
  virtual ~Producer() = default;

  // Send appends a record to its partition's batch. Fails at once for an
  // unknown topic or partition, a record over max.request.size, or after
  // Close; later errors reach `done`.
  virtual absl::Status Send(const ProducerRecord& record,
                            DeliveryCallback done = nullptr) = 0;
  // SendWithFuture is Send with a future for the outcome.
  std::future<absl::StatusOr<RecordMetadata>> SendWithFuture(
      const ProducerRecord& record);

  // Flush sends every batch now and returns once every record sent before
  // the call is acknowledged or failed; returns the first failure.
  virtual absl::Status Flush() = 0;
  // Close flushes and stops the producer.
  virtual absl::Status Close() = 0;
  // producer_id is the idempotent session's id (-1 without idempotence).
  virtual ProducerIdAndEpoch producer_id() const = 0;
};

}  // namespace rill

#endif  // RILL_CLIENT_PRODUCER_H_
