// hello_world: a Kafka broker, a producer and a consumer in one process.
//
// Opens an in-memory broker, creates a topic, produces a few records and
// reads them back through a consumer group — no network, no JVM. Exits 0
// only if every record came back.
//
//   ./build/examples/hello_world
#include <cstdio>
#include <string>
#include <vector>

#include "rill/broker/broker.h"
#include "rill/client/consumer.h"
#include "rill/client/producer.h"

namespace {

int Fail(const char* what, const absl::Status& status) {
  std::fprintf(stderr, "hello_world: %s: %s\n", what,
               status.ToString().c_str());
  return 1;
}

}  // namespace

int main() {
  // An in-memory broker (give .data_dir to keep the data on disk). A
  // one-process demo need not wait group.initial.rebalance.delay.ms (3 s by
  // default, as in Kafka) for more group members to arrive.
  rill::BrokerOptions options;
  options.group.group_initial_rebalance_delay_ms = 0;
  auto broker = rill::Broker::Open(std::move(options));
  if (!broker.ok()) return Fail("open broker", broker.status());
  if (auto s = (*broker)->CreateTopic({.name = "greetings"}); !s.ok()) {
    return Fail("create topic", s);
  }

  auto producer = rill::Producer::Create(**broker, {});
  if (!producer.ok()) return Fail("create producer", producer.status());
  const std::vector<std::string> words = {"hello", "world", "from", "rill"};
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string key = "k" + std::to_string(i);
    auto sent = (*producer)->Send(
        {.topic = "greetings", .key = key, .value = words[i]},
        [](absl::StatusOr<rill::RecordMetadata> delivered) {
          if (delivered.ok()) {
            std::printf("delivered to %s at offset %lld\n",
                        delivered->tp.ToString().c_str(),
                        static_cast<long long>(delivered->offset.value()));
          }
        });
    if (!sent.ok()) return Fail("send", sent);
  }
  if (auto s = (*producer)->Flush(); !s.ok()) return Fail("flush", s);

  auto consumer = rill::Consumer::Create(
      **broker, {.group_id = "hello-group",
                 .auto_offset_reset = rill::AutoOffsetReset::kEarliest});
  if (!consumer.ok()) return Fail("create consumer", consumer.status());
  if (auto s = (*consumer)->Subscribe({"greetings"}); !s.ok()) {
    return Fail("subscribe", s);
  }
  size_t received = 0;
  for (int polls = 0; polls < 100 && received < words.size(); ++polls) {
    auto records = (*consumer)->Poll(100);
    if (!records.ok()) return Fail("poll", records.status());
    for (const rill::ConsumerRecord& r : *records) {
      std::printf("consumed %s@%lld: %.*s = %.*s\n", r.tp->ToString().c_str(),
                  static_cast<long long>(r.offset.value()),
                  static_cast<int>(r.key->size()), r.key->data(),
                  static_cast<int>(r.value->size()), r.value->data());
      ++received;
    }
  }
  if (auto s = (*consumer)->Close(); !s.ok()) return Fail("close consumer", s);
  if (auto s = (*producer)->Close(); !s.ok()) return Fail("close producer", s);
  if (auto s = (*broker)->Close(); !s.ok()) return Fail("close broker", s);
  if (received != words.size()) {
    std::fprintf(stderr, "hello_world: got %zu of %zu records\n", received,
                 words.size());
    return 1;
  }
  std::printf("hello_world: all %zu records made the round trip\n", received);
  return 0;
}
