#include "wire/kafka_clients.h"

#include "absl/strings/str_cat.h"

namespace rill::wire_bench {
namespace {

void OnDelivery(rd_kafka_t* /*producer*/, const rd_kafka_message_t* message,
                void* opaque) {
  auto* counts = static_cast<DeliveryCounts*>(opaque);
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    counts->delivered.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (counts->failed.fetch_add(1, std::memory_order_relaxed) == 0) {
    counts->first_error.store(message->err);
  }
}

absl::StatusOr<rd_kafka_conf_t*> NewConf(const std::string& bootstrap,
                                         const ClientConfig& config) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[512];
  ClientConfig all = {{"bootstrap.servers", bootstrap}};
  all.insert(all.end(), config.begin(), config.end());
  for (const auto& [name, value] : all) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error,
                          sizeof(error)) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return absl::InvalidArgumentError(
          absl::StrCat(name, "=", value, ": ", error));
    }
  }
  return conf;
}

absl::StatusOr<KafkaClient> NewClient(rd_kafka_type_t type,
                                      rd_kafka_conf_t* conf) {
  char error[512];
  rd_kafka_t* client = rd_kafka_new(type, conf, error, sizeof(error));
  if (client == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(absl::StrCat("rd_kafka_new: ", error));
  }
  return KafkaClient(client);
}

absl::Status KafkaError(const std::string& what, rd_kafka_resp_err_t err) {
  return absl::InternalError(absl::StrCat(what, ": ", rd_kafka_err2str(err)));
}

}  // namespace

void KafkaClientDeleter::operator()(rd_kafka_t* client) const {
  if (rd_kafka_type(client) == RD_KAFKA_CONSUMER) {
    (void)rd_kafka_consumer_close(client);
  }
  rd_kafka_destroy(client);
}

absl::StatusOr<KafkaClient> NewProducer(const std::string& bootstrap,
                                        const ClientConfig& config,
                                        DeliveryCounts* counts) {
  absl::StatusOr<rd_kafka_conf_t*> conf = NewConf(bootstrap, config);
  if (!conf.ok()) return conf.status();
  rd_kafka_conf_set_dr_msg_cb(*conf, OnDelivery);
  rd_kafka_conf_set_opaque(*conf, counts);
  return NewClient(RD_KAFKA_PRODUCER, *conf);
}

absl::StatusOr<KafkaClient> NewConsumer(const std::string& bootstrap,
                                        const ClientConfig& config) {
  absl::StatusOr<rd_kafka_conf_t*> conf = NewConf(bootstrap, config);
  if (!conf.ok()) return conf.status();
  absl::StatusOr<KafkaClient> consumer = NewClient(RD_KAFKA_CONSUMER, *conf);
  if (!consumer.ok()) return consumer.status();
  const rd_kafka_resp_err_t err = rd_kafka_poll_set_consumer(consumer->get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaError("rd_kafka_poll_set_consumer", err);
  }
  return consumer;
}

absl::Status Assign(rd_kafka_t* consumer, const std::string& topic,
                    int64_t offset) {
  rd_kafka_topic_partition_list_t* partitions =
      rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(partitions, topic.c_str(), 0)->offset =
      offset;
  const rd_kafka_resp_err_t err = rd_kafka_assign(consumer, partitions);
  rd_kafka_topic_partition_list_destroy(partitions);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaError("assign", err);
  return absl::OkStatus();
}

absl::StatusOr<int64_t> HighWatermark(rd_kafka_t* client,
                                      const std::string& topic) {
  int64_t low = 0, high = 0;
  const rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
      client, topic.c_str(), 0, &low, &high, /*timeout_ms=*/10'000);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaError("watermarks of " + topic, err);
  }
  return high;
}

absl::Status CreateTopics(const std::string& bootstrap,
                          const std::vector<std::string>& topics,
                          absl::Duration timeout) {
  DeliveryCounts unused;
  absl::StatusOr<KafkaClient> admin = NewProducer(bootstrap, {}, &unused);
  if (!admin.ok()) return admin.status();
  char error[512];
  std::vector<rd_kafka_NewTopic_t*> new_topics;
  for (const std::string& name : topics) {
    new_topics.push_back(
        rd_kafka_NewTopic_new(name.c_str(), 1, 1, error, sizeof(error)));
  }
  rd_kafka_queue_t* queue = rd_kafka_queue_new(admin->get());
  rd_kafka_CreateTopics(admin->get(), new_topics.data(), new_topics.size(),
                        nullptr, queue);
  rd_kafka_event_t* event =
      rd_kafka_queue_poll(queue, absl::ToInt64Milliseconds(timeout));
  absl::Status status;
  if (event == nullptr) {
    status = absl::DeadlineExceededError("CreateTopics: no answer");
  } else if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    status = KafkaError("CreateTopics", rd_kafka_event_error(event));
  } else {
    size_t count = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(
            rd_kafka_event_CreateTopics_result(event), &count);
    for (size_t i = 0; i < count && status.ok(); ++i) {
      const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR &&
          err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        status =
            KafkaError(absl::StrCat("create topic ",
                                    rd_kafka_topic_result_name(results[i])),
                       err);
      }
    }
  }
  if (event != nullptr) rd_kafka_event_destroy(event);
  rd_kafka_queue_destroy(queue);
  rd_kafka_NewTopic_destroy_array(new_topics.data(), new_topics.size());
  return status;
}

absl::Status ProduceOne(rd_kafka_t* producer, rd_kafka_topic_t* topic,
                        const void* value, size_t size, bool copy) {
  while (rd_kafka_produce(topic, 0, copy ? RD_KAFKA_MSG_F_COPY : 0,
                          const_cast<void*>(value), size, nullptr, 0,
                          nullptr) != 0) {
    const rd_kafka_resp_err_t err = rd_kafka_last_error();
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) return KafkaError("produce", err);
    rd_kafka_poll(producer, 1);
  }
  return absl::OkStatus();
}

absl::Status Flush(rd_kafka_t* producer, const DeliveryCounts& counts,
                   absl::Duration timeout) {
  const rd_kafka_resp_err_t err = rd_kafka_flush(
      producer, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaError("flush", err);
  if (counts.failed.load() != 0) {
    return KafkaError(absl::StrCat(counts.failed.load(), " deliveries failed"),
                      counts.first_error.load());
  }
  return absl::OkStatus();
}

}  // namespace rill::wire_bench
