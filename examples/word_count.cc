// word_count: Kafka's WordCountLambdaExample, with rill's in-process clients.
//
// Lines go to topic "text-lines"; a consumer reads them, splits them into
// lower-cased words and keeps running counts; every change is written to the
// compacted topic "word-counts" (key: word, value: count). Reading
// "word-counts" back from the start and keeping the last value per key gives
// the table, which is printed. Exits 0 only if that table matches the counts.
//
//   ./build/examples/word_count
#include <cctype>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "rill/broker/broker.h"
#include "rill/client/consumer.h"
#include "rill/client/producer.h"

namespace {

const std::vector<std::string> kLines = {
    "all streams lead to kafka",
    "hello kafka streams",
    "join kafka summit",
    "The quick brown fox jumps over the lazy dog",
    "the log is the truth; the rest is a cache",
};

// Words splits on anything not a letter or digit (Kafka's \W+), lower-cased.
std::vector<std::string> Words(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  for (char c : line) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

// ReadAll consumes a topic's one partition from the start to its end.
bool ReadAll(
    rill::Broker& broker, const std::string& topic,
    const std::function<void(const rill::ConsumerRecord&)>& on_record) {
  auto consumer = rill::Consumer::Create(broker, {});
  if (!consumer.ok()) return false;
  const rill::TopicPartition tp{topic, rill::PartitionId(0)};
  if (!(*consumer)->Assign({tp}).ok() ||
      !(*consumer)->SeekToBeginning({tp}).ok()) {
    return false;
  }
  auto end = broker.GetPartitionOffsets(tp);
  if (!end.ok()) return false;
  for (int polls = 0; polls < 1000; ++polls) {
    auto position = (*consumer)->Position(tp);
    if (!position.ok()) return false;
    if (*position >= end->high_watermark) return (*consumer)->Close().ok();
    auto records = (*consumer)->Poll(100);
    if (!records.ok()) return false;
    for (const rill::ConsumerRecord& r : *records) on_record(r);
  }
  return false;
}

}  // namespace

int main() {
  auto opened = rill::Broker::Open({});
  if (!opened.ok()) return 1;
  rill::Broker& broker = **opened;
  if (!broker.CreateTopic({.name = "text-lines"}).ok() ||
      !broker
           .CreateTopic({.name = "word-counts",
                         .configs = {{"cleanup.policy", "compact"}}})
           .ok()) {
    return 1;
  }

  auto producer = rill::Producer::Create(broker, {});
  if (!producer.ok()) return 1;
  for (const std::string& line : kLines) {
    if (!(*producer)->Send({.topic = "text-lines", .value = line}).ok()) {
      return 1;
    }
  }
  if (!(*producer)->Flush().ok()) return 1;

  // The processor: count words and publish every updated count.
  std::map<std::string, int64_t> counts;
  bool sent = true;
  const bool read =
      ReadAll(broker, "text-lines", [&](const rill::ConsumerRecord& r) {
        for (const std::string& word : Words(r.value.value_or(""))) {
          const std::string count = std::to_string(++counts[word]);
          sent &=
              (*producer)
                  ->Send({.topic = "word-counts", .key = word, .value = count})
                  .ok();
        }
      });
  if (!read || !sent || !(*producer)->Close().ok()) return 1;

  // The table: the last count per word in the compacted topic.
  std::map<std::string, std::string> table;
  if (!ReadAll(broker, "word-counts", [&](const rill::ConsumerRecord& r) {
        table[std::string(*r.key)] = std::string(r.value.value_or(""));
      })) {
    return 1;
  }
  std::printf("%-10s %s\n", "word", "count");
  bool matches = table.size() == counts.size();
  for (const auto& [word, count] : table) {
    std::printf("%-10s %s\n", word.c_str(), count.c_str());
    matches &= counts[word] == std::stoll(count);
  }
  (void)broker.Close();
  if (!matches) {
    std::fprintf(stderr, "word_count: the table does not match the counts\n");
    return 1;
  }
  return 0;
}
