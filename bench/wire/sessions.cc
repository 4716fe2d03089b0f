#include "wire/sessions.h"

#include <cstdio>
#include <utility>

#include "absl/time/time.h"

namespace rill::wire_bench {

absl::Status OpenProducer(const std::string& bootstrap,
                          const std::string& topic, const ClientConfig& config,
                          ProducerSession& session) {
  absl::StatusOr<KafkaClient> producer =
      NewProducer(bootstrap, config, &session.counts);
  if (!producer.ok()) return producer.status();
  session.producer = *std::move(producer);
  session.topic =
      rd_kafka_topic_new(session.producer.get(), topic.c_str(), nullptr);
  const int64_t warm_up = -1;
  absl::Status s = ProduceOne(session.producer.get(), session.topic, &warm_up,
                              sizeof(warm_up), /*copy=*/true);
  if (!s.ok()) return s;
  return Flush(session.producer.get(), session.counts, absl::Seconds(30));
}

absl::StatusOr<int64_t> OpenCaughtUpConsumer(const std::string& bootstrap,
                                             const std::string& topic,
                                             ClientConfig config,
                                             KafkaClient& consumer) {
  config.insert(config.end(), {{"group.id", "wire-bench"},
                               {"enable.auto.commit", "false"},
                               {"auto.offset.reset", "earliest"}});
  absl::StatusOr<KafkaClient> created = NewConsumer(bootstrap, config);
  if (!created.ok()) return created.status();
  consumer = *std::move(created);
  absl::StatusOr<int64_t> end = HighWatermark(consumer.get(), topic);
  if (!end.ok()) return end.status();
  if (*end < 1) return absl::FailedPreconditionError(topic + " is empty");
  absl::Status assigned = Assign(consumer.get(), topic, *end - 1);
  if (!assigned.ok()) return assigned;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer.get(), 100);
    if (m == nullptr) continue;
    const bool got_it =
        m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->offset == *end - 1;
    rd_kafka_message_destroy(m);
    if (got_it) return *end;
  }
  return absl::DeadlineExceededError("consumer did not catch up on " + topic);
}

bool OffsetTracker::Take(const rd_kafka_message_t& m) {
  if (m.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (!reported_error) {
      std::fprintf(stderr, "consumer: %s\n", rd_kafka_message_errstr(&m));
      reported_error = true;
    }
    return false;
  }
  if (m.offset < next) return false;
  lost += m.offset - next;
  next = m.offset + 1;
  ++received;
  return true;
}

}  // namespace rill::wire_bench
