// The librdkafka clients wire_bench drives: small helpers over the C API for
// a producer, a consumer with a manual assignment, and topic creation.
#ifndef RILL_BENCH_WIRE_KAFKA_CLIENTS_H_
#define RILL_BENCH_WIRE_KAFKA_CLIENTS_H_

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace rill::wire_bench {

// Client settings on top of librdkafka's defaults: (name, value) pairs with
// librdkafka's names ("linger.ms", "fetch.wait.max.ms").
using ClientConfig = std::vector<std::pair<std::string, std::string>>;

// KafkaClientDeleter closes a consumer (rd_kafka_consumer_close) and then
// destroys the handle.
struct KafkaClientDeleter {
  void operator()(rd_kafka_t* client) const;
};
using KafkaClient = std::unique_ptr<rd_kafka_t, KafkaClientDeleter>;

// DeliveryCounts is what a producer's delivery reports said, counted on the
// thread that polls the producer and readable from any thread.
struct DeliveryCounts {
  std::atomic<int64_t> delivered{0};
  std::atomic<int64_t> failed{0};
  // The error of the first failed delivery (NO_ERROR if none failed).
  std::atomic<rd_kafka_resp_err_t> first_error{RD_KAFKA_RESP_ERR_NO_ERROR};
};

// NewProducer is a producer for `bootstrap` with `config`; its delivery
// reports go to `counts`, which must outlive it.
absl::StatusOr<KafkaClient> NewProducer(const std::string& bootstrap,
                                        const ClientConfig& config,
                                        DeliveryCounts* counts);

// NewConsumer is a consumer for `bootstrap` with `config` (which must hold a
// group.id: librdkafka's consumer needs one even for assign()), its main
// queue redirected to the consumer queue.
absl::StatusOr<KafkaClient> NewConsumer(const std::string& bootstrap,
                                        const ClientConfig& config);

// Assign assigns partition 0 of `topic` to `consumer`, from `offset`.
absl::Status Assign(rd_kafka_t* consumer, const std::string& topic,
                    int64_t offset);

// HighWatermark is the end offset of partition 0 of `topic`, asked of the
// broker through `client`.
absl::StatusOr<int64_t> HighWatermark(rd_kafka_t* client,
                                      const std::string& topic);

// CreateTopics creates `topics` (one partition, replication factor 1) on
// the cluster at `bootstrap` with the Admin API; topics that exist already
// are fine.
absl::Status CreateTopics(const std::string& bootstrap,
                          const std::vector<std::string>& topics,
                          absl::Duration timeout);

// ProduceOne enqueues `value` to partition 0 of `topic` (copied when
// `copy`; otherwise it must stay valid until delivered), serving delivery
// reports while librdkafka's queue is full. An error if the producer
// refuses it for another reason.
absl::Status ProduceOne(rd_kafka_t* producer, rd_kafka_topic_t* topic,
                        const void* value, size_t size, bool copy);

// Flush waits until everything enqueued is delivered or failed.
absl::Status Flush(rd_kafka_t* producer, const DeliveryCounts& counts,
                   absl::Duration timeout);

}  // namespace rill::wire_bench

#endif  // RILL_BENCH_WIRE_KAFKA_CLIENTS_H_
