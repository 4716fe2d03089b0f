// Kafka broker configs rill-server accepts without acting on them: they
// configure what a single rill broker does not have (ZooKeeper, a KRaft
// controller quorum, replication, TLS/SASL, quotas, metrics reporters,
// tiered storage) or tune Kafka's JVM-side machinery (I/O thread pools,
// socket buffers, purgatory purges). A server.properties written for Kafka
// loads; its caller logs what had no effect.
#ifndef RILL_SERVER_IGNORED_KAFKA_CONFIGS_H_
#define RILL_SERVER_IGNORED_KAFKA_CONFIGS_H_

#include <string_view>

namespace rill::server {

// IsIgnoredKafkaConfig: `name` is a Kafka broker config with no effect in
// rill; false for names Kafka does not have. Ask only about names rill does
// not map (a mapped one may share an ignored family's prefix, such as
// log.cleaner.delete.retention.ms).
bool IsIgnoredKafkaConfig(std::string_view name);

}  // namespace rill::server

#endif  // RILL_SERVER_IGNORED_KAFKA_CONFIGS_H_
