// The clients one wire_bench case uses, set up and warmed before the
// measured phase: a producer that has delivered once, and a consumer that
// has caught up with the end of its partition.
#ifndef RILL_BENCH_WIRE_SESSIONS_H_
#define RILL_BENCH_WIRE_SESSIONS_H_

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "wire/kafka_clients.h"

namespace rill::wire_bench {

// ProducerSession is a producer and its handle on one topic. Owns both;
// the producer's delivery reports are counted in `counts`. Used by one
// thread at a time.
struct ProducerSession {
  ProducerSession() = default;
  ProducerSession(const ProducerSession&) = delete;
  ProducerSession& operator=(const ProducerSession&) = delete;
  ~ProducerSession() {
    if (topic != nullptr) rd_kafka_topic_destroy(topic);
  }

  DeliveryCounts counts;
  KafkaClient producer;
  rd_kafka_topic_t* topic = nullptr;
};

// OpenProducer connects `session` to partition 0 of `topic` at `bootstrap`
// with `config`, and returns once one warm-up message is delivered
// (connected, metadata known).
absl::Status OpenProducer(const std::string& bootstrap,
                          const std::string& topic, const ClientConfig& config,
                          ProducerSession& session);

// OpenCaughtUpConsumer creates a consumer with `config` plus what every
// case uses (a group.id, no auto commit, auto.offset.reset=earliest),
// assigns it the last message of `topic` (the producer's warm-up) and
// returns once it has consumed it: it is connected and fetching at the end
// of the partition. Returns the offset of the next message.
absl::StatusOr<int64_t> OpenCaughtUpConsumer(const std::string& bootstrap,
                                             const std::string& topic,
                                             ClientConfig config,
                                             KafkaClient& consumer);

// OffsetTracker follows the offsets one consumer sees, from `next` until
// `end`, counting the messages it receives and those it skipped (a gap:
// the server no longer had them). Not thread-safe.
struct OffsetTracker {
  int64_t next = 0;
  int64_t end = 0;
  int64_t received = 0;
  int64_t lost = 0;
  bool reported_error = false;

  bool done() const { return next >= end; }
  // Take accounts for one polled message; true if it is a new record.
  // The first error message is printed to stderr.
  bool Take(const rd_kafka_message_t& m);
};

}  // namespace rill::wire_bench

#endif  // RILL_BENCH_WIRE_SESSIONS_H_
