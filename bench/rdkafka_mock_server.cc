// rdkafka_mock_server: librdkafka's built-in mock cluster as a process of its
// own, the reference server of wire_bench (see bench/wire_bench.cc).
//
//   rdkafka_mock_server [topic[:partitions]]...
//
// Starts a one-broker mock cluster (rd_kafka_mock_cluster_new) on a dummy
// producer handle, creates the topics named on the command line (replication
// factor 1, one partition unless given), prints the cluster's bootstrap
// address (host:port) as the first line of standard output, and runs until
// SIGTERM or SIGINT. Running it as a process of its own lets the benchmark
// read the server's CPU time from /proc/<pid>/stat without the client's.
//
// What the mock is (librdkafka 2.0.2): every broker connection is served by
// one thread; a partition keeps only its newest 5 MiB (or 100,000 batches);
// a Fetch returns at most one stored batch per partition, and an empty Fetch
// is answered only after the request's full max wait.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "rdkafka_mock_server: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  // Blocked before librdkafka starts its threads, so they inherit the mask
  // and the signals wait for sigwait below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The dummy handle never connects anywhere; it only hosts the cluster
  // (log_level 4: no notice that it has no bootstrap.servers).
  for (const auto& [name, value] :
       {std::pair{"client.id", "rdkafka_mock_server"},
        std::pair{"log_level", "4"}}) {
    if (rd_kafka_conf_set(conf, name, value, error, sizeof(error)) !=
        RD_KAFKA_CONF_OK) {
      return Fail(error);
    }
  }
  rd_kafka_t* handle =
      rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
  if (handle == nullptr) return Fail(std::string("rd_kafka_new: ") + error);

  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(handle, 1);
  if (cluster == nullptr) return Fail("rd_kafka_mock_cluster_new failed");

  for (int i = 1; i < argc; ++i) {
    std::string topic = argv[i];
    int partitions = 1;
    if (const size_t colon = topic.rfind(':'); colon != std::string::npos) {
      partitions = std::atoi(topic.c_str() + colon + 1);
      topic.resize(colon);
    }
    if (topic.empty() || partitions < 1) {
      return Fail("bad topic argument '" + std::string(argv[i]) +
                  "' (want name[:partitions])");
    }
    const rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(cluster, topic.c_str(), partitions, 1);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Fail("create topic " + topic + ": " + rd_kafka_err2str(err));
    }
  }

  // The mock's listener is accepting once the cluster exists.
  std::printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);

  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(handle);
  return 0;
}
