// How long a partition is unavailable to a real Kafka client when its
// leader dies, over the wire:
//
//   BM_FailoverOverWire  a three-broker EmbeddedCluster (listeners on
//       loopback, followers replicating over Kafka's Fetch), topic "f" with
//       min.insync.replicas 2; kill the partition's leader (crash + power
//       loss, fenced at once) until librdkafka's idempotent acks=all
//       producer has the delivery report of its next record from the new
//       leader. p50 and p99 over the iterations, in ms.
//   BM_AcksAllRoundTripOverWire  its floor: one record produced and its
//       delivery report received, with a healthy leader.
//
// The producer is librdkafka as an application would tune it for fast
// failover: linger.ms 0, retry.backoff.ms 1, reconnect.backoff.ms 1 and
// topic.metadata.refresh.fast.interval.ms 1 (how soon it asks for new
// metadata after a leader error; its default is 100 ms, which would then
// dominate the figure). sparse_connections:1 is librdkafka's default
// (enable.sparse.connections=true: connected only to the brokers it
// needs); when the dead leader was its only connection it has no broker
// to ask for metadata until its once-a-second topic scan, which shows in
// p99. sparse_connections:0 keeps a connection to every broker.
//
//   ./build/bench/wire_failover_bench
#include <benchmark/benchmark.h>
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "failover.h"
#include "rill/testing/embedded_cluster.h"

namespace rill::testing {
namespace {

using failover::Check;
using failover::kTopic;

// Delivered counts successful delivery reports; a failed one aborts (an
// idempotent producer must not give up within its delivery timeout).
void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::fprintf(stderr, "delivery failed: %s\n",
                 rd_kafka_err2str(message->err));
    std::abort();
  }
  static_cast<std::atomic<int64_t>*>(opaque)->fetch_add(1);
}

// Quiet drops librdkafka's logs: a killed broker is expected here.
void Quiet(const rd_kafka_t*, int, const char*, const char*) {}

// WireFailover is the cluster and its librdkafka producer.
class WireFailover {
 public:
  explicit WireFailover(bool sparse_connections) {
    EmbeddedClusterOptions options{
        .brokers = 3,
        .in_memory = true,
        .listen = true,
        .replicate_over_wire = getenv("INPROC") == nullptr};
    options.broker.replica_fetch_backoff_ms = 5;
    options.broker.replica_fetch_wait_max_ms = 100;
    cluster_ = std::make_unique<EmbeddedCluster>(options);
    Check(cluster_->CreateTopic(kTopic, 1, {{"min.insync.replicas", "2"}}),
          "creating the topic");

    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    const std::pair<const char*, std::string> settings[] = {
        {"bootstrap.servers", cluster_->bootstrap_servers()},
        {"enable.idempotence", "true"},
        {"acks", "all"},
        {"linger.ms", "0"},
        {"retry.backoff.ms", "1"},
        {"reconnect.backoff.ms", "1"},
        {"reconnect.backoff.max.ms", "10"},
        {"topic.metadata.refresh.fast.interval.ms", "1"},
        {"message.timeout.ms", "30000"},
        {"enable.sparse.connections", sparse_connections ? "true" : "false"},
    };
    char error[512];
    for (const auto& [name, value] : settings) {
      if (rd_kafka_conf_set(conf, name, value.c_str(), error, sizeof(error)) !=
          RD_KAFKA_CONF_OK) {
        std::fprintf(stderr, "%s: %s\n", name, error);
        std::abort();
      }
    }
    rd_kafka_conf_set_log_cb(conf, Quiet);
    rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
    rd_kafka_conf_set_opaque(conf, &delivered_);
    producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
    if (producer_ == nullptr) {
      std::fprintf(stderr, "rd_kafka_new: %s\n", error);
      std::abort();
    }
  }
  ~WireFailover() {
    rd_kafka_flush(producer_, 10'000);
    rd_kafka_destroy(producer_);
    cluster_.reset();
  }

  // SendOne produces a record and waits for its delivery report.
  void SendOne() {
    const int64_t before = delivered_.load();
    char value[] = "v";
    // The vu array, not rd_kafka_producev: its macros are GNU statement
    // expressions, which -Wpedantic refuses.
    rd_kafka_vu_t vus[4];
    vus[0].vtype = RD_KAFKA_VTYPE_TOPIC;
    vus[0].u.cstr = kTopic;
    vus[1].vtype = RD_KAFKA_VTYPE_PARTITION;
    vus[1].u.i32 = 0;
    vus[2].vtype = RD_KAFKA_VTYPE_VALUE;
    vus[2].u.mem.ptr = value;
    vus[2].u.mem.size = 1;
    vus[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vus[3].u.i = RD_KAFKA_MSG_F_COPY;
    if (rd_kafka_error_t* error = rd_kafka_produceva(producer_, vus, 4)) {
      std::fprintf(stderr, "produce: %s\n", rd_kafka_error_string(error));
      std::abort();
    }
    while (delivered_.load() == before) rd_kafka_poll(producer_, 1);
  }

  EmbeddedCluster& cluster() { return *cluster_; }

 private:
  std::unique_ptr<EmbeddedCluster> cluster_;
  std::atomic<int64_t> delivered_{0};
  rd_kafka_t* producer_ = nullptr;
};

void BM_FailoverOverWire(benchmark::State& state) {
  WireFailover f(state.range(0) != 0);
  failover::MeasureFailovers(state, f.cluster(), [&f] { f.SendOne(); });
}
BENCHMARK(BM_FailoverOverWire)
    ->ArgName("sparse_connections")
    ->Arg(0)
    ->Arg(1)
    ->Iterations(100)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

void BM_AcksAllRoundTripOverWire(benchmark::State& state) {
  WireFailover f(/*sparse_connections=*/false);
  failover::MeasureRoundTrips(state, [&f] { f.SendOne(); });
}
BENCHMARK(BM_AcksAllRoundTripOverWire)
    ->Iterations(1000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rill::testing
