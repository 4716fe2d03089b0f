#include "checker/cluster_checker.h"

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "rill/error.h"
#include "rill/testing/embedded_cluster.h"
#include "util/status_macros.h"

namespace rill::checker {
namespace {

constexpr char kTopic[] = "checked";

using Clock = std::chrono::steady_clock;
using PartitionOffset = std::pair<int32_t, int64_t>;
// The log as read back: value by (partition, offset).
using LogContents = std::map<PartitionOffset, std::string>;

// A record's value names its producer and sequence: "p<producer>-<seq>".
std::string ValueOf(int producer, int64_t seq) {
  return absl::StrCat("p", producer, "-", seq);
}

bool ParseValue(const std::string& value, int* producer, int64_t* seq) {
  const size_t dash = value.find('-');
  if (value.size() < 4 || value[0] != 'p' || dash == std::string::npos) {
    return false;
  }
  return absl::SimpleAtoi(absl::string_view(value).substr(1, dash - 1),
                          producer) &&
         absl::SimpleAtoi(absl::string_view(value).substr(dash + 1), seq);
}

// SentRecord is one Send and what became of it.
struct SentRecord {
  int32_t partition = 0;
  enum class State { kPending, kAcked, kFailed } state = State::kPending;
  int64_t offset = -1;
};

// WaitUntil polls `done` every 2 ms until it holds or `timeout_ms` passes.
template <typename Done>
bool WaitUntil(int64_t timeout_ms, Done done) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

class CheckRun {
 public:
  explicit CheckRun(const CheckOptions& options) : options_(options) {}

  CheckResult Run() {
    result_.seed = options_.seed;
    const std::vector<FaultStep> steps =
        GenerateSchedule(options_.seed, options_.schedule);
    absl::Status status = Setup();
    if (status.ok()) {
      StartTraffic();
      for (size_t i = 0; i < steps.size() && status.ok(); ++i) {
        std::string note;
        status = Apply(steps[i], &note);
        absl::StrAppend(&result_.schedule, "  ", i + 1, ". ",
                        steps[i].ToString(), note, "\n");
        std::this_thread::sleep_for(std::chrono::milliseconds(steps[i].run_ms));
      }
      if (status.ok()) status = HealEverything();
      if (status.ok()) status = WaitConverged();
      StopProducers();
      if (status.ok()) status = WaitConverged();
      StopConsumer();
    }
    if (status.ok()) status = Verify();
    if (cluster_ && cluster_->controller()) {
      result_.metrics = cluster_->controller()->metrics();
    }
    result_.ok = status.ok();
    if (!status.ok()) result_.failure = std::string(status.message());
    return result_;
  }

 private:
  absl::Status Setup() {
    testing::EmbeddedClusterOptions o{.brokers = options_.schedule.brokers,
                                      .in_memory = true};
    o.broker.replica_lag_time_max_ms = 200;
    o.broker.broker_heartbeat_interval_ms = 20;
    o.broker.replica_fetch_wait_max_ms = 50;
    o.broker.replica_fetch_backoff_ms = 5;
    o.broker.offsets_topic_num_partitions = 1;
    o.broker_session_timeout_ms = 200;
    absl::StatusOr<std::unique_ptr<testing::EmbeddedCluster>> cluster =
        testing::EmbeddedCluster::Start(std::move(o));
    if (!cluster.ok()) return cluster.status();
    cluster_ = *std::move(cluster);
    return cluster_->CreateTopic(kTopic, options_.partitions,
                                 {{"min.insync.replicas", "2"}});
  }

  // --- Traffic ---------------------------------------------------------------

  void StartTraffic() {
    {
      absl::MutexLock lock(&mu_);
      sent_.resize(options_.producers);
      in_flight_.assign(options_.producers, 0);
    }
    // Clients are made before any fault: a producer's id comes from
    // whichever broker answers first.
    for (int p = 0; p < options_.producers; ++p) {
      std::shared_ptr<Producer> producer =
          cluster_->NewProducer({.client_id = absl::StrCat("checker-", p),
                                 .acks = Acks::kAll,
                                 .linger_ms = 1,
                                 .enable_idempotence = true,
                                 .delivery_timeout_ms = 30'000,
                                 .retry_backoff_ms = 10,
                                 .request_timeout_ms = 500});
      producer_threads_.emplace_back(
          [this, p, producer] { ProducerLoop(p, *producer); });
    }
    std::shared_ptr<Consumer> consumer =
        cluster_->NewConsumer({.client_id = "checker-consumer"});
    consumer_thread_ =
        std::thread([this, consumer] { ConsumerLoop(*consumer); });
  }

  void ProducerLoop(int id, Producer& producer) {
    for (int64_t seq = 0;; ++seq) {
      {
        absl::MutexLock lock(&mu_);
        auto room = [&] {
          mu_.AssertHeld();
          return stop_producers_ || in_flight_[id] < options_.max_in_flight;
        };
        mu_.Await(absl::Condition(&room));
        if (stop_producers_) break;
        ++in_flight_[id];
        sent_[id].push_back(
            {.partition = static_cast<int32_t>(seq % options_.partitions)});
      }
      const std::string value = ValueOf(id, seq);
      absl::Status sent = producer.Send(
          {.topic = kTopic,
           .partition =
               PartitionId(static_cast<int32_t>(seq % options_.partitions)),
           .value = value},
          [this, id, seq](absl::StatusOr<RecordMetadata> m) {
            Delivered(id, seq, m);
          });
      if (!sent.ok()) Delivered(id, seq, sent);
    }
    (void)producer.Flush();
    (void)producer.Close();
  }

  void Delivered(int id, int64_t seq, const absl::StatusOr<RecordMetadata>& m) {
    absl::MutexLock lock(&mu_);
    SentRecord& r = sent_[id][seq];
    if (m.ok()) {
      r.state = SentRecord::State::kAcked;
      r.offset = m->offset.value();
    } else {
      r.state = SentRecord::State::kFailed;
    }
    --in_flight_[id];
  }

  void ConsumerLoop(Consumer& consumer) {
    std::vector<TopicPartition> all;
    for (int p = 0; p < options_.partitions; ++p) {
      all.push_back({kTopic, PartitionId(p)});
    }
    (void)consumer.Assign(all);
    (void)consumer.SeekToBeginning(all);
    while (!stop_consumer_.load()) {
      absl::StatusOr<ConsumerRecords> records = consumer.Poll(10);
      if (!records.ok()) continue;  // a fault of the moment
      absl::MutexLock lock(&mu_);
      for (const ConsumerRecord& r : *records) {
        seen_.push_back({{r.tp->partition.value(), r.offset.value()},
                         std::string(r.value.value_or(""))});
      }
    }
    (void)consumer.Close();
  }

  void StopProducers() {
    {
      absl::MutexLock lock(&mu_);
      stop_producers_ = true;
    }
    for (std::thread& t : producer_threads_) t.join();
    producer_threads_.clear();
  }

  void StopConsumer() {
    // Let it read up to the end first, so it sees the last records too.
    (void)WaitUntil(options_.converge_timeout_ms, [&] {
      absl::MutexLock lock(&mu_);
      std::map<int32_t, int64_t> next;
      for (const auto& [key, value] : seen_) {
        next[key.first] = std::max(next[key.first], key.second + 1);
      }
      for (int p = 0; p < options_.partitions; ++p) {
        if (next[p] < LeaderEnd({kTopic, PartitionId(p)})) return false;
      }
      return true;
    });
    stop_consumer_.store(true);
    if (consumer_thread_.joinable()) consumer_thread_.join();
  }

  // --- Faults ----------------------------------------------------------------

  absl::Status Apply(const FaultStep& step, std::string* note) {
    absl::Status done;
    switch (step.kind) {
      case FaultKind::kKill:
        if (!WaitUntil(1'000, [&] { return HasOtherInSync(step.a); })) {
          *note = " [skipped: the only in-sync replica of a partition]";
          return absl::OkStatus();
        }
        done = cluster_->KillBroker(step.a);
        if (done.ok()) down_.insert(step.a);
        break;
      case FaultKind::kStop:
        done = cluster_->StopBroker(step.a);
        if (cluster_->IsRunning(step.a) == false) down_.insert(step.a);
        break;
      case FaultKind::kStart:
        done = cluster_->StartBroker(step.a);
        if (done.ok()) down_.erase(step.a);
        break;
      case FaultKind::kIsolate:
        done = cluster_->IsolateBroker(step.a);
        break;
      case FaultKind::kCutLink:
        done = cluster_->CutLink(step.a, step.b);
        break;
      case FaultKind::kLatency:
        done = cluster_->SetLinkLatency(step.a, step.b, step.latency_ms);
        break;
      case FaultKind::kDiskFull:
        done = cluster_->FailDiskWrites(step.a, true);
        break;
      case FaultKind::kHealAll:
        cluster_->HealAll();
        for (int b = 0; b < cluster_->num_brokers(); ++b) {
          RETURN_IF_ERROR(cluster_->FailDiskWrites(b, false));
        }
        break;
    }
    // A step the cluster's state makes moot (starting a broker cut off from
    // the controller, stopping one a skipped kill left running) is noted,
    // not a failure: the checker judges data, not the schedule.
    if (!done.ok()) {
      *note = absl::StrCat(" [not done: ", done.message(), "]");
    }
    return absl::OkStatus();
  }

  // HasOtherInSync: every partition has an in-sync replica besides
  // `victim`, which holds every committed record and will not lose it.
  bool HasOtherInSync(int victim) const {
    const auto image = cluster_->controller()->image();
    for (const auto& [name, topic] : image->topics()) {
      for (const replication::PartitionState& p : topic->partitions) {
        bool other = false;
        for (NodeId r : p.isr) other = other || r != NodeId(victim);
        if (!other) return false;
      }
    }
    return true;
  }

  absl::Status HealEverything() {
    cluster_->HealAll();
    for (int b = 0; b < cluster_->num_brokers(); ++b) {
      RETURN_IF_ERROR(cluster_->FailDiskWrites(b, false));
    }
    for (int b : std::set<int>(down_)) {
      absl::Status started;
      // Registration can race the link coming back: retry a little.
      WaitUntil(2'000, [&] {
        started = cluster_->StartBroker(b);
        return started.ok();
      });
      if (!started.ok()) {
        return absl::InternalError(
            absl::StrCat("broker ", b,
                         " does not start after healing: ", started.message()));
      }
      down_.erase(b);
    }
    return absl::OkStatus();
  }

  // Converged: every partition led, its ISR whole, the same log end on
  // every replica and the high watermark there.
  bool Converged(std::string* why) {
    const auto image = cluster_->controller()->image();
    for (const auto& [name, topic] : image->topics()) {
      for (size_t i = 0; i < topic->partitions.size(); ++i) {
        const replication::PartitionState& p = topic->partitions[i];
        const TopicPartition tp{name, PartitionId(static_cast<int32_t>(i))};
        if (!p.has_leader() || p.isr.size() != p.replicas.size()) {
          *why = absl::StrCat(tp.ToString(), " has leader ", p.leader.value(),
                              " (epoch ", p.leader_epoch.value(), ") and ",
                              p.isr.size(), " of ", p.replicas.size(),
                              " replicas in sync;");
          // Where each replica is, for whoever reads the failure.
          for (NodeId r : p.replicas) {
            const replication::BrokerRegistration* b = image->FindBroker(r);
            absl::StrAppend(why, " ", r.value(),
                            b == nullptr ? " unregistered"
                            : b->fenced  ? " fenced"
                                         : "");
            if (!cluster_->IsRunning(r.value())) {
              absl::StrAppend(why, " down");
              continue;
            }
            absl::StatusOr<PartitionOffsets> at =
                cluster_->broker(r.value()).GetPartitionOffsets(tp);
            if (at.ok()) {
              absl::StrAppend(why, " log end ", at->log_end_offset.value(),
                              " hw ", at->high_watermark.value());
            }
            absl::StatusOr<TopicDescription> seen =
                cluster_->broker(r.value()).DescribeTopic(tp.topic);
            if (seen.ok() && tp.partition.value() <
                                 static_cast<int>(seen->partitions.size())) {
              const auto& mine = seen->partitions[tp.partition.value()];
              absl::StrAppend(why, " (sees leader ", mine.leader.value(),
                              " epoch ", mine.leader_epoch.value(), ")");
            }
          }
          return false;
        }
        absl::StatusOr<PartitionOffsets> leader =
            cluster_->broker(p.leader.value()).GetPartitionOffsets(tp);
        if (!leader.ok() || leader->high_watermark != leader->log_end_offset) {
          *why = absl::StrCat(tp.ToString(),
                              ": leader's high watermark below its log end");
          return false;
        }
        for (NodeId r : p.replicas) {
          absl::StatusOr<PartitionOffsets> replica =
              cluster_->broker(r.value()).GetPartitionOffsets(tp);
          if (!replica.ok() ||
              replica->log_end_offset != leader->log_end_offset) {
            *why = absl::StrCat(tp.ToString(), ": replica ", r.value(),
                                " has not caught up");
            return false;
          }
        }
      }
    }
    return true;
  }

  absl::Status WaitConverged() {
    std::string why;
    if (!WaitUntil(options_.converge_timeout_ms,
                   [&] { return Converged(&why); })) {
      return absl::InternalError(
          absl::StrCat("the healed cluster did not converge within ",
                       options_.converge_timeout_ms, " ms: ", why));
    }
    return absl::OkStatus();
  }

  int64_t LeaderEnd(const TopicPartition& tp) {
    const auto image = cluster_->controller()->image();
    const replication::PartitionState* p = image->FindPartition(tp);
    if (p == nullptr || !p->has_leader() ||
        !cluster_->IsRunning(p->leader.value())) {
      return -1;
    }
    absl::StatusOr<PartitionOffsets> offsets =
        cluster_->broker(p->leader.value()).GetPartitionOffsets(tp);
    return offsets.ok() ? offsets->high_watermark.value() : -1;
  }

  // --- Verification ----------------------------------------------------------

  // ReadAll reads every partition from the beginning to its high
  // watermark through a fresh consumer.
  absl::StatusOr<LogContents> ReadAll() {
    std::unique_ptr<Consumer> consumer =
        cluster_->NewConsumer({.client_id = "checker-reader"});
    std::vector<TopicPartition> all;
    std::map<int32_t, int64_t> end;
    for (int p = 0; p < options_.partitions; ++p) {
      all.push_back({kTopic, PartitionId(p)});
      end[p] = LeaderEnd(all.back());
    }
    RETURN_IF_ERROR(consumer->Assign(all));
    RETURN_IF_ERROR(consumer->SeekToBeginning(all));
    LogContents log;
    std::map<int32_t, int64_t> next;
    const bool read = WaitUntil(options_.converge_timeout_ms, [&] {
      absl::StatusOr<ConsumerRecords> records = consumer->Poll(10);
      if (records.ok()) {
        for (const ConsumerRecord& r : *records) {
          const int32_t p = r.tp->partition.value();
          log[{p, r.offset.value()}] = std::string(r.value.value_or(""));
          next[p] = std::max(next[p], r.offset.value() + 1);
        }
      }
      for (const auto& [p, e] : end) {
        if (next[p] < e) return false;
      }
      return true;
    });
    (void)consumer->Close();
    if (!read) return absl::InternalError("reading the log back timed out");
    return log;
  }

  absl::Status Verify() {
    ASSIGN_OR_RETURN(const LogContents log, ReadAll());
    result_.in_log = static_cast<int64_t>(log.size());
    // Gap-free offsets from 0 (nothing is deleted here).
    std::map<int32_t, int64_t> expected_next;
    for (const auto& [key, value] : log) {
      if (key.second != expected_next[key.first]) {
        return absl::InternalError(absl::StrCat(
            "partition ", key.first, " has a gap: offset ", key.second,
            " follows ", expected_next[key.first] - 1));
      }
      expected_next[key.first] = key.second + 1;
    }
    // Where each (producer, seq) landed; a producer's order per partition.
    std::map<std::pair<int, int64_t>, std::vector<PartitionOffset>> where;
    std::map<std::pair<int, int32_t>, int64_t> last_seq;
    for (const auto& [key, value] : log) {
      int producer = -1;
      int64_t seq = -1;
      if (!ParseValue(value, &producer, &seq)) {
        return absl::InternalError(absl::StrCat("unknown value '", value,
                                                "' at partition ", key.first,
                                                " offset ", key.second));
      }
      where[{producer, seq}].push_back(key);
      auto [it, first] = last_seq.try_emplace({producer, key.first}, seq);
      if (!first) {
        if (seq <= it->second) {
          return absl::InternalError(absl::StrCat(
              "producer ", producer, "'s record ", seq, " at partition ",
              key.first, " offset ", key.second, " comes after its record ",
              it->second, ": out of order"));
        }
        it->second = seq;
      }
    }
    for (const auto& [id, places] : where) {
      if (places.size() > 1) {
        return absl::InternalError(absl::StrCat(
            "record ", ValueOf(id.first, id.second), " is in the log ",
            places.size(), " times (idempotence broken)"));
      }
    }
    {
      absl::MutexLock lock(&mu_);
      for (size_t p = 0; p < sent_.size(); ++p) {
        for (size_t seq = 0; seq < sent_[p].size(); ++seq) {
          const SentRecord& r = sent_[p][seq];
          const std::string value =
              ValueOf(static_cast<int>(p), static_cast<int64_t>(seq));
          if (r.state == SentRecord::State::kPending) {
            return absl::InternalError(
                absl::StrCat("record ", value, " was never answered"));
          }
          if (r.state == SentRecord::State::kFailed) {
            ++result_.failed;
            continue;
          }
          ++result_.acked;
          auto found = log.find({r.partition, r.offset});
          if (found == log.end() || found->second != value) {
            return absl::InternalError(absl::StrCat(
                "acknowledged record ", value, " (partition ", r.partition,
                " offset ", r.offset, ") is ",
                found == log.end()
                    ? "missing"
                    : absl::StrCat("replaced by ", found->second)));
          }
        }
      }
      result_.consumed = static_cast<int64_t>(seen_.size());
      for (const auto& [key, value] : seen_) {
        auto found = log.find(key);
        if (found == log.end() || found->second != value) {
          return absl::InternalError(absl::StrCat(
              "the consumer read ", value, " at partition ", key.first,
              " offset ", key.second, ", which the log no longer has"));
        }
      }
    }
    return CompareWithAnotherReplica(log);
  }

  // CompareWithAnotherReplica stops partition 0's leader, so its
  // partitions move to other replicas, and reads everything again.
  absl::Status CompareWithAnotherReplica(const LogContents& log) {
    const auto image = cluster_->controller()->image();
    const replication::PartitionState* p =
        image->FindPartition({kTopic, PartitionId(0)});
    if (p == nullptr || !p->has_leader()) {
      return absl::InternalError("partition 0 has no leader at the end");
    }
    const int leader = p->leader.value();
    RETURN_IF_ERROR(cluster_->StopBroker(leader));
    // A new leader's high watermark catches up once its followers fetch:
    // wait for it to cover what the old leader served (or time out, which
    // the comparison below reports as lost records).
    std::map<int32_t, int64_t> served;
    for (const auto& [key, value] : log) {
      served[key.first] = std::max(served[key.first], key.second + 1);
    }
    (void)WaitUntil(options_.converge_timeout_ms, [&] {
      for (const auto& [partition, end] : served) {
        if (LeaderEnd({kTopic, PartitionId(partition)}) < end) return false;
      }
      return true;
    });
    ASSIGN_OR_RETURN(const LogContents again, ReadAll());
    RETURN_IF_ERROR(cluster_->StartBroker(leader));
    if (again != log) {
      return absl::InternalError(absl::StrCat(
          "after broker ", leader, " stopped, the new leaders serve ",
          again.size(), " records where it served ", log.size(),
          " (or different ones): the replicas diverged"));
    }
    return absl::OkStatus();
  }

  const CheckOptions options_;
  CheckResult result_;
  std::unique_ptr<testing::EmbeddedCluster> cluster_;
  std::set<int> down_;

  absl::Mutex mu_;
  std::vector<std::vector<SentRecord>> sent_ ABSL_GUARDED_BY(mu_);
  std::vector<int> in_flight_ ABSL_GUARDED_BY(mu_);
  bool stop_producers_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::pair<PartitionOffset, std::string>> seen_
      ABSL_GUARDED_BY(mu_);
  std::atomic<bool> stop_consumer_{false};
  std::vector<std::thread> producer_threads_;
  std::thread consumer_thread_;
};

}  // namespace

std::string CheckResult::Report() const {
  std::string out = absl::StrCat(
      "seed ", seed, ": ", ok ? "ok" : "FAILED", " — ", acked, " acked, ",
      failed, " failed, ", in_log, " in the log, ", consumed, " consumed; ",
      metrics.leader_elections, " leader elections (",
      metrics.unclean_leader_elections, " unclean), ISR ", metrics.isr_shrinks,
      " shrinks / ", metrics.isr_expands, " expands\n");
  if (!ok) {
    absl::StrAppend(&out, "  failure: ", failure, "\n  schedule:\n", schedule);
  }
  return out;
}

CheckResult RunCheck(const CheckOptions& options) {
  return CheckRun(options).Run();
}

}  // namespace rill::checker
