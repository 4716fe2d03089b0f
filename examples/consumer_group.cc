// consumer_group: three consumers share six partitions; one leaves
// mid-stream and the group rebalances around it.
//
// A producer writes a stream of records while three members of group
// "printers" consume them, each printing the partitions it is given and
// loses. When a third of the records are read, member 3 leaves; the
// cooperative-sticky assignor moves only its partitions to the other two.
// Exits 0 only if every record was consumed (at least once).
//
//   ./build/examples/consumer_group
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "rill/broker/broker.h"
#include "rill/client/consumer.h"
#include "rill/client/producer.h"

namespace {

constexpr int kPartitions = 6;
constexpr int kRecords = 6000;
constexpr int kMembers = 3;

std::mutex print_mu;

std::string Names(const std::vector<rill::TopicPartition>& partitions) {
  std::string out;
  for (const auto& tp : partitions)
    out += (out.empty() ? "" : " ") + tp.ToString();
  return out.empty() ? "(none)" : out;
}

// Partitions each member holds now (index 0 unused).
std::atomic<int> held[kMembers + 1];

// PrintingListener prints each change of a member's assignment.
class PrintingListener final : public rill::RebalanceListener {
 public:
  explicit PrintingListener(int member) : member_(member) {}
  void OnPartitionsAssigned(
      const std::vector<rill::TopicPartition>& partitions) override {
    held[member_] += static_cast<int>(partitions.size());
    std::lock_guard<std::mutex> lock(print_mu);
    std::printf("member %d assigned: %s\n", member_, Names(partitions).c_str());
  }
  void OnPartitionsRevoked(
      const std::vector<rill::TopicPartition>& partitions) override {
    held[member_] -= static_cast<int>(partitions.size());
    std::lock_guard<std::mutex> lock(print_mu);
    std::printf("member %d revoked:  %s\n", member_, Names(partitions).c_str());
  }

 private:
  const int member_;
};

}  // namespace

int main() {
  rill::BrokerOptions options;
  options.group.group_initial_rebalance_delay_ms = 0;
  auto broker = rill::Broker::Open(std::move(options));
  if (!broker.ok() ||
      !(*broker)
           ->CreateTopic({.name = "events", .num_partitions = kPartitions})
           .ok()) {
    std::fprintf(stderr, "consumer_group: cannot start the broker\n");
    return 1;
  }

  std::mutex seen_mu;
  std::set<std::pair<int32_t, int64_t>> seen;  // (partition, offset)
  std::atomic<int> consumed{0};
  std::atomic<bool> stop{false};
  std::atomic<bool> failed{false};

  auto run_member = [&](int member) {
    auto consumer = rill::Consumer::Create(
        **broker, {.group_id = "printers",
                   .client_id = "member-" + std::to_string(member),
                   .auto_offset_reset = rill::AutoOffsetReset::kEarliest,
                   .session_timeout_ms = 10'000,
                   .heartbeat_interval_ms = 100,
                   .partition_assignment_strategy = {"cooperative-sticky"}});
    if (!consumer.ok() ||
        !(*consumer)
             ->Subscribe({"events"}, std::make_shared<PrintingListener>(member))
             .ok()) {
      failed = true;
      return;
    }
    // Member 3 leaves once a third of the stream is consumed.
    while (!stop && !(member == 3 && consumed >= kRecords / 3)) {
      auto records = (*consumer)->Poll(50);
      if (!records.ok()) {
        std::fprintf(stderr, "member %d: %s\n", member,
                     records.status().ToString().c_str());
        failed = true;
        return;
      }
      std::lock_guard<std::mutex> lock(seen_mu);
      for (const rill::ConsumerRecord& r : *records) {
        if (seen.emplace(r.tp->partition.value(), r.offset.value()).second) {
          ++consumed;
        }
      }
    }
    if (member == 3) {
      std::lock_guard<std::mutex> lock(print_mu);
      std::printf("member 3 leaves the group after %d records\n",
                  consumed.load());
    }
    // Closing leaves the group: the others rebalance.
    if (!(*consumer)->Close().ok()) failed = true;
  };

  std::vector<std::thread> members;
  for (int m = 1; m <= kMembers; ++m) members.emplace_back(run_member, m);

  // Stream once the three members share the partitions.
  for (int waited_ms = 0; waited_ms < 30'000 && !failed; waited_ms += 10) {
    if (held[1] > 0 && held[2] > 0 && held[3] > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  {
    std::lock_guard<std::mutex> lock(print_mu);
    std::printf("the group is balanced: %d/%d/%d partitions; producing\n",
                held[1].load(), held[2].load(), held[3].load());
  }
  auto producer = rill::Producer::Create(**broker, {.linger_ms = 1});
  if (!producer.ok()) return 1;
  for (int i = 0; i < kRecords; ++i) {
    const std::string key = "key-" + std::to_string(i);
    const std::string value = "event " + std::to_string(i);
    if (!(*producer)
             ->Send({.topic = "events", .key = key, .value = value})
             .ok()) {
      return 1;
    }
    if (i % 200 == 199) {
      (void)(*producer)->Flush();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  if (!(*producer)->Close().ok()) return 1;

  for (int waited_ms = 0; consumed < kRecords && !failed && waited_ms < 60'000;
       waited_ms += 10) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop = true;
  for (auto& t : members) t.join();
  (void)(*broker)->Close();

  std::printf("consumer_group: %d of %d records consumed\n", consumed.load(),
              kRecords);
  return consumed == kRecords && !failed ? 0 : 1;
}
