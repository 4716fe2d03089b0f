#include "server/ignored_kafka_configs.h"

#include <algorithm>
#include <iterator>

namespace rill::server {
namespace {

// Whole families of Kafka broker configs, by prefix.
constexpr std::string_view kIgnoredPrefixes[] = {
    "zookeeper.",          // ZooKeeper mode
    "controller.",         // KRaft controller quorum
    "metadata.",           // KRaft metadata log
    "broker.heartbeat.",   // KRaft broker registration
    "broker.session.",     //
    "replica.",            // replication
    "transaction.",        // transactions (not supported)
    "ssl.",                // TLS listeners (not supported)
    "sasl.",               // SASL listeners (not supported)
    "listener.name.",      // per-listener security settings
    "security.",           // security.inter.broker.protocol, providers
    "authorizer.",         // ACLs
    "principal.",          //
    "delegation.token.",   //
    "password.encoder.",   //
    "quota.",              // client quotas
    "client.quota.",       //
    "metric.",             // metrics reporters
    "metrics.",            //
    "kafka.metrics.",      //
    "remote.log.",         // tiered storage
    "log.local.",          //
    "log.cleaner.",        // cleaner threads and buffers (mapped ones aside)
    "leader.imbalance.",   // leader balancing
    "group.coordinator.",  // the new group coordinator (KIP-848)
    "group.consumer.",     //
    "group.share.",        // share groups
    "share.",              //
    "compression.",        // per-codec levels (compression.type aside)
    "config.providers.",   //
    "telemetry.",          //
    "socket.connection.",  // outbound connection setup
};

// Single Kafka broker configs.
constexpr std::string_view kIgnoredNames[] = {
    "advertised.host.name",
    "advertised.port",
    "allow.everyone.if.no.acl.found",
    "alter.config.policy.class.name",
    "alter.log.dirs.replication.quota.window.num",
    "alter.log.dirs.replication.quota.window.size.seconds",
    "auto.include.jmx.reporter",
    "auto.leader.rebalance.enable",
    "background.threads",
    "broker.id.generation.enable",
    "broker.rack",
    "connection.failed.authentication.delay.ms",
    "config.providers",
    "connections.max.reauth.ms",
    "control.plane.listener.name",
    "create.topic.policy.class.name",
    "delete.records.purgatory.purge.interval.requests",
    "delete.topic.enable",
    "early.start.listeners",
    "eligible.leader.replicas.enable",
    "fetch.max.bytes",
    "fetch.purgatory.purge.interval.requests",
    "host.name",
    "initial.broker.registration.timeout.ms",
    "inter.broker.listener.name",
    "inter.broker.protocol.version",
    "listener.security.protocol.map",
    "log.dir.failure.timeout.ms",
    "log.flush.offset.checkpoint.interval.ms",
    "log.flush.scheduler.interval.ms",
    "log.flush.start.offset.checkpoint.interval.ms",
    "log.initial.task.delay.ms",
    "log.message.downconversion.enable",
    "log.message.format.version",
    "log.message.timestamp.after.max.ms",
    "log.message.timestamp.before.max.ms",
    "log.message.timestamp.difference.max.ms",
    "log.preallocate",
    "log.roll.jitter.hours",
    "log.roll.jitter.ms",
    "log.segment.delete.delay.ms",
    "max.connection.creation.rate",
    "max.connections",
    "max.connections.per.ip",
    "max.connections.per.ip.overrides",
    "max.incremental.fetch.session.cache.slots",
    "num.io.threads",
    "num.recovery.threads.per.data.dir",
    "num.replica.alter.log.dirs.threads",
    "num.replica.fetchers",
    "offsets.commit.required.acks",
    "offsets.commit.timeout.ms",
    "offsets.load.buffer.size",
    "offsets.topic.compression.codec",
    "offsets.topic.replication.factor",
    "port",
    "process.roles",
    "producer.id.expiration.check.interval.ms",
    "producer.purgatory.purge.interval.requests",
    "queued.max.request.bytes",
    "request.timeout.ms",
    "reserved.broker.max.id",
    "socket.listen.backlog.size",
    "socket.receive.buffer.bytes",
    "socket.send.buffer.bytes",
    "super.users",
    "transactional.id.expiration.ms",
    "unclean.leader.election.enable",
    "unclean.leader.election.interval.ms",
    "unstable.api.versions.enable",
    "unstable.feature.versions.enable",
};

}  // namespace

bool IsIgnoredKafkaConfig(std::string_view name) {
  if (std::find(std::begin(kIgnoredNames), std::end(kIgnoredNames), name) !=
      std::end(kIgnoredNames)) {
    return true;
  }
  return std::any_of(std::begin(kIgnoredPrefixes), std::end(kIgnoredPrefixes),
                     [name](std::string_view prefix) {
                       return name.starts_with(prefix) && name != prefix;
                     });
}

}  // namespace rill::server
