// rill/server/server_config.h — a broker and its Kafka listeners configured
// the way Kafka's are: server.properties names and precedence.
//
//   ASSIGN_OR_RETURN(rill::ServerConfig config,
//                    rill::LoadServerConfig("config/server.properties",
//                                           {{"log.dirs", "/var/rill"}}));
//   for (const std::string& name : config.ignored) {
//     logger->Log(rill::LogLevel::kWarning, "ignoring " + name);
//   }
//   ASSIGN_OR_RETURN(auto server, rill::KafkaServer::Bind(config.server));
//   ASSIGN_OR_RETURN(auto broker, rill::Broker::Open(config.broker));
//
// Supported names (Kafka's meaning and precedence):
//   broker.id / node.id, listeners, advertised.listeners, log.dirs / log.dir
//   (one directory), num.partitions, default.replication.factor,
//   auto.create.topics.enable, log.retention.{ms,minutes,hours},
//   log.retention.bytes, log.segment.bytes, log.roll.{ms,hours},
//   log.index.size.max.bytes, log.index.interval.bytes,
//   log.flush.interval.{messages,ms}, log.cleanup.policy,
//   log.cleaner.delete.retention.ms, log.cleaner.min.compaction.lag.ms,
//   log.cleaner.min.cleanable.ratio, message.max.bytes,
//   log.message.timestamp.type, log.retention.check.interval.ms,
//   offsets.topic.num.partitions, offsets.topic.segment.bytes,
//   offsets.retention.minutes, offsets.retention.check.interval.ms,
//   offset.metadata.max.bytes, group.initial.rebalance.delay.ms,
//   group.{min,max}.session.timeout.ms, group.max.size,
//   producer.id.expiration.ms, num.network.threads, socket.request.max.bytes,
//   connections.max.idle.ms, queued.max.requests, compression.type (only
//   "producer") and min.insync.replicas (rill-server refuses more than 1
//   for a single broker, which has one in-sync replica).
// Other Kafka broker configs (zookeeper.*, process.roles, controller.*,
// ssl.*, replica.*, num.io.threads, ...) are accepted with no effect and
// listed in ServerConfig::ignored; listeners named in
// controller.listener.names are dropped the same way. A name Kafka does not
// have is an error.
#ifndef RILL_SERVER_SERVER_CONFIG_H_
#define RILL_SERVER_SERVER_CONFIG_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "rill/broker/broker.h"
#include "rill/server/kafka_server.h"

namespace rill {

// ServerConfig: everything a standalone broker needs. Plain value.
struct ServerConfig {
  // The broker. Default: BrokerOptions's, except data in "./data" (log.dirs)
  // and auto.create.topics.enable true (Kafka's default for a server).
  BrokerOptions broker = {.data_dir = "./data",
                          .auto_create_topics_enable = true};
  // The listeners. Default: KafkaServerOptions's (PLAINTEXT://127.0.0.1:9092).
  KafkaServerOptions server = {};
  // Kafka configs that were given but have no effect in rill, sorted: each a
  // config name, or "listeners: <spec>" for a dropped controller listener.
  // For the caller to log. Default: empty.
  std::vector<std::string> ignored = {};
};

// ServerConfigFromProperties applies Kafka-named broker configs over
// ServerConfig's defaults. A bad value is kInvalidArgument naming the config
// and the value; a name that is not a Kafka broker config is
// kInvalidArgument naming it.
absl::StatusOr<ServerConfig> ServerConfigFromProperties(
    const std::map<std::string, std::string>& properties);

// ReadServerProperties reads a server.properties file (`name=value` lines,
// `#` comments). Errors name the file.
absl::StatusOr<std::map<std::string, std::string>> ReadServerProperties(
    const std::string& path);

// LoadServerConfig reads `path` (none when empty), replaces its values with
// `overrides` (as kafka-server-start's --override does) and applies the
// result with ServerConfigFromProperties.
absl::StatusOr<ServerConfig> LoadServerConfig(
    const std::string& path,
    const std::map<std::string, std::string>& overrides = {});

}  // namespace rill

#endif  // RILL_SERVER_SERVER_CONFIG_H_
