#include "interop/rdkafka_test_util.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace rill::interop {
namespace {

int ToMs(std::chrono::milliseconds d) { return static_cast<int>(d.count()); }

// Settings for a loopback broker that tests restart and disconnect: retry
// and reconnect within milliseconds instead of librdkafka's defaults, and
// keep expected disconnects out of the log.
Config CommonConfig() {
  return {
      {"reconnect.backoff.ms", "10"},
      {"reconnect.backoff.max.ms", "100"},
      {"log.connection.close", "false"},
      {"topic.metadata.refresh.fast.interval.ms", "20"},
  };
}

Config ProducerConfig() {
  return {
      {"retry.backoff.ms", "20"},
  };
}

Config ConsumerConfig() {
  return {
      {"fetch.wait.max.ms", "50"},
      {"fetch.error.backoff.ms", "20"},
      {"enable.auto.commit", "false"},
      {"auto.offset.reset", "earliest"},
  };
}

void Set(rd_kafka_conf_t* conf, const std::string& name,
         const std::string& value) {
  char error[512];
  INFO(name << "=" << value);
  REQUIRE(rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error,
                            sizeof(error)) == RD_KAFKA_CONF_OK);
}

std::optional<std::string> Bytes(const void* data, size_t size) {
  if (data == nullptr) return std::nullopt;
  return std::string(static_cast<const char*>(data), size);
}

ConsumedMessage Copy(const rd_kafka_message_t& m) {
  ConsumedMessage out;
  out.topic = rd_kafka_topic_name(m.rkt);
  out.partition = m.partition;
  out.offset = m.offset;
  out.key = Bytes(m.key, m.key_len);
  out.value = Bytes(m.payload, m.len);
  out.timestamp_ms = rd_kafka_message_timestamp(&m, &out.timestamp_type);
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name;
    const void* value;
    size_t size;
    for (size_t i = 0;
         rd_kafka_header_get_all(headers, i, &name, &value, &size) ==
         RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      out.headers.emplace_back(name, Bytes(value, size));
    }
  }
  return out;
}

}  // namespace

KafkaPtr NewClient(rd_kafka_type_t type, const std::string& bootstrap,
                   const Config& config,
                   const std::function<void(rd_kafka_conf_t*)>& conf_hook) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  Set(conf, "bootstrap.servers", bootstrap);
  for (const auto& [name, value] : CommonConfig()) Set(conf, name, value);
  for (const auto& [name, value] :
       type == RD_KAFKA_CONSUMER ? ConsumerConfig() : ProducerConfig()) {
    Set(conf, name, value);
  }
  for (const auto& [name, value] : config) Set(conf, name, value);
  // RILL_INTEROP_DEBUG=fetch,msg,... turns on librdkafka's debug contexts
  // when a test needs explaining.
  if (const char* debug = std::getenv("RILL_INTEROP_DEBUG")) {
    Set(conf, "debug", debug);
  }
  if (conf_hook) conf_hook(conf);
  char error[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf, error, sizeof(error));
  if (rk == nullptr) rd_kafka_conf_destroy(conf);  // else rk owns it
  INFO(error);
  REQUIRE(rk != nullptr);
  return KafkaPtr(rk);
}

TestProducer::TestProducer(const std::string& bootstrap, const Config& config) {
  rk_ = NewClient(
      RD_KAFKA_PRODUCER, bootstrap, config, [this](rd_kafka_conf_t* conf) {
        rd_kafka_conf_set_opaque(conf, this);
        rd_kafka_conf_set_dr_msg_cb(conf, &TestProducer::OnDelivery);
      });
}

void TestProducer::OnDelivery(rd_kafka_t* /*rk*/,
                              const rd_kafka_message_t* message, void* opaque) {
  auto* self = static_cast<TestProducer*>(opaque);
  self->deliveries_.push_back(
      {.index = reinterpret_cast<uintptr_t>(message->_private),
       .error = message->err,
       .partition = message->partition,
       .offset = message->offset});
}

void TestProducer::Produce(const OutMessage& message) {
  std::vector<rd_kafka_vu_t> vus;
  auto add = [&vus](rd_kafka_vtype_t type) -> rd_kafka_vu_t& {
    rd_kafka_vu_t& vu = vus.emplace_back();
    vu.vtype = type;
    return vu;
  };
  add(RD_KAFKA_VTYPE_TOPIC).u.cstr = message.topic.c_str();
  add(RD_KAFKA_VTYPE_PARTITION).u.i32 = message.partition;
  add(RD_KAFKA_VTYPE_MSGFLAGS).u.i = RD_KAFKA_MSG_F_COPY;
  if (message.value) {
    rd_kafka_vu_t& vu = add(RD_KAFKA_VTYPE_VALUE);
    vu.u.mem.ptr = const_cast<char*>(message.value->data());
    vu.u.mem.size = message.value->size();
  }
  if (message.key) {
    rd_kafka_vu_t& vu = add(RD_KAFKA_VTYPE_KEY);
    vu.u.mem.ptr = const_cast<char*>(message.key->data());
    vu.u.mem.size = message.key->size();
  }
  for (const auto& [name, value] : message.headers) {
    rd_kafka_vu_t& vu = add(RD_KAFKA_VTYPE_HEADER);
    vu.u.header.name = name.c_str();
    vu.u.header.val = value ? value->data() : nullptr;
    vu.u.header.size = value ? static_cast<ssize_t>(value->size()) : 0;
  }
  if (message.timestamp_ms != 0) {
    add(RD_KAFKA_VTYPE_TIMESTAMP).u.i64 = message.timestamp_ms;
  }
  add(RD_KAFKA_VTYPE_OPAQUE).u.ptr = reinterpret_cast<void*>(produced_);
  // A full local queue empties as deliveries are served; bounded anyway.
  for (int attempt = 0;; ++attempt) {
    rd_kafka_error_t* error =
        rd_kafka_produceva(rk_.get(), vus.data(), vus.size());
    if (error == nullptr) break;
    const rd_kafka_resp_err_t code = rd_kafka_error_code(error);
    const std::string text = rd_kafka_error_string(error);
    rd_kafka_error_destroy(error);
    INFO("produce: " << text);
    REQUIRE(code == RD_KAFKA_RESP_ERR__QUEUE_FULL);
    REQUIRE(attempt < 200);
    rd_kafka_poll(rk_.get(), 100);
  }
  ++produced_;
}

void TestProducer::Flush(std::chrono::milliseconds timeout) {
  const rd_kafka_resp_err_t flushed = rd_kafka_flush(rk_.get(), ToMs(timeout));
  INFO("flush: " << rd_kafka_err2str(flushed));
  REQUIRE(deliveries_.size() == produced_);
  for (const Delivery& d : deliveries_) {
    INFO("message " << d.index << ": " << rd_kafka_err2str(d.error));
    REQUIRE(d.error == RD_KAFKA_RESP_ERR_NO_ERROR);
  }
}

PartitionListPtr MakePartitionList(
    const std::vector<TopicPartitionOffset>& partitions) {
  PartitionListPtr list(
      rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (const TopicPartitionOffset& p : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), p.topic.c_str(), p.partition)
        ->offset = p.offset;
  }
  return list;
}

std::vector<TopicPartitionOffset> FromPartitionList(
    const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartitionOffset> out;
  for (int i = 0; list != nullptr && i < list->cnt; ++i) {
    out.push_back({.topic = list->elems[i].topic,
                   .partition = list->elems[i].partition,
                   .offset = list->elems[i].offset});
  }
  return out;
}

TestConsumer::TestConsumer(const std::string& bootstrap, const Config& config) {
  rk_ = NewClient(
      RD_KAFKA_CONSUMER, bootstrap, config, [this](rd_kafka_conf_t* conf) {
        rd_kafka_conf_set_opaque(conf, this);
        rd_kafka_conf_set_rebalance_cb(conf, &TestConsumer::OnRebalance);
      });
  rd_kafka_poll_set_consumer(rk_.get());
}

TestConsumer::~TestConsumer() {
  if (!closed_) rd_kafka_consumer_close(rk_.get());
}

void TestConsumer::OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                               rd_kafka_topic_partition_list_t* partitions,
                               void* opaque) {
  auto* self = static_cast<TestConsumer*>(opaque);
  ++self->rebalances_;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    rd_kafka_assign(rk, partitions);
    self->assignment_ = FromPartitionList(partitions);
    return;
  }
  // Commit before giving partitions up, so that their next owner starts
  // right after the last record this member read. A member that was
  // already fenced cannot commit; its records may then be read again, as
  // with any Kafka consumer.
  (void)rd_kafka_commit(rk, nullptr, /*async=*/0);
  rd_kafka_assign(rk, nullptr);
  self->assignment_.clear();
}

void TestConsumer::Subscribe(const std::vector<std::string>& topics) {
  PartitionListPtr list(
      rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
  for (const std::string& t : topics) {
    rd_kafka_topic_partition_list_add(list.get(), t.c_str(),
                                      RD_KAFKA_PARTITION_UA);
  }
  REQUIRE(rd_kafka_subscribe(rk_.get(), list.get()) ==
          RD_KAFKA_RESP_ERR_NO_ERROR);
}

void TestConsumer::Assign(const std::vector<TopicPartitionOffset>& partitions) {
  PartitionListPtr list = MakePartitionList(partitions);
  REQUIRE(rd_kafka_assign(rk_.get(), list.get()) == RD_KAFKA_RESP_ERR_NO_ERROR);
  assignment_ = partitions;
}

std::optional<ConsumedMessage> TestConsumer::Poll(
    std::chrono::milliseconds timeout) {
  rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_.get(), ToMs(timeout));
  if (m == nullptr) return std::nullopt;
  std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> owned(
      m, rd_kafka_message_destroy);
  if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    eofs_.push_back({.topic = rd_kafka_topic_name(m->rkt),
                     .partition = m->partition,
                     .offset = m->offset});
    return std::nullopt;
  }
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    char reason[512] = "";
    const rd_kafka_resp_err_t fatal =
        rd_kafka_fatal_error(rk_.get(), reason, sizeof(reason));
    INFO("consumer error: " << rd_kafka_message_errstr(m)
                            << "; fatal: " << reason);
    REQUIRE(fatal == RD_KAFKA_RESP_ERR_NO_ERROR);
    return std::nullopt;
  }
  return Copy(*m);
}

std::vector<ConsumedMessage> TestConsumer::ConsumeUntil(
    size_t count, std::chrono::milliseconds timeout) {
  std::vector<ConsumedMessage> out;
  WaitUntil([&] { return out.size() >= count; },
            [&] {
              if (auto m = Poll(std::chrono::milliseconds(100))) {
                out.push_back(std::move(*m));
              }
            },
            timeout);
  INFO("consumed " << out.size() << " of " << count);
  REQUIRE(out.size() == count);
  return out;
}

void TestConsumer::CommitSync() {
  const rd_kafka_resp_err_t err = rd_kafka_commit(rk_.get(), nullptr, 0);
  INFO("commit: " << rd_kafka_err2str(err));
  REQUIRE((err == RD_KAFKA_RESP_ERR_NO_ERROR ||
           err == RD_KAFKA_RESP_ERR__NO_OFFSET));
}

void TestConsumer::Close() {
  CommitSync();
  const rd_kafka_resp_err_t err = rd_kafka_consumer_close(rk_.get());
  closed_ = true;
  INFO("close: " << rd_kafka_err2str(err));
  REQUIRE(err == RD_KAFKA_RESP_ERR_NO_ERROR);
}

void ProduceEach(const std::string& bootstrap, const std::string& topic,
                 int partitions, int per_partition, const std::string& label) {
  TestProducer producer(bootstrap, {{"acks", "all"}, {"linger.ms", "2"}});
  for (int i = 0; i < per_partition; ++i) {
    for (int p = 0; p < partitions; ++p) {
      producer.Produce(
          {.topic = topic, .partition = p, .value = label + std::to_string(i)});
    }
  }
  producer.Flush();
}

bool WaitUntil(const std::function<bool()>& done,
               const std::function<void()>& step,
               std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    step();
  }
  return true;
}

EventPtr AdminResult(rd_kafka_queue_t* queue,
                     std::chrono::milliseconds timeout) {
  EventPtr event(rd_kafka_queue_poll(queue, ToMs(timeout)));
  REQUIRE(event.get() != nullptr);
  INFO("admin request: " << rd_kafka_event_error_string(event.get()));
  REQUIRE(rd_kafka_event_error(event.get()) == RD_KAFKA_RESP_ERR_NO_ERROR);
  return event;
}

}  // namespace rill::interop
