#include "broker/topic_store.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "util/properties.h"
#include "util/status_macros.h"

namespace rill::broker {
namespace {

constexpr char kSuffix[] = ".topic";
constexpr size_t kSuffixLength = sizeof(kSuffix) - 1;
constexpr char kConfigPrefix[] = "config.";
constexpr size_t kConfigPrefixLength = sizeof(kConfigPrefix) - 1;

absl::StatusOr<TopicRecord> ParseRecord(const std::string& name,
                                        const std::string& text) {
  ASSIGN_OR_RETURN(auto properties, util::ParseProperties(text));
  TopicRecord topic{.name = name, .configs = {}};
  int32_t replication = 0;
  if (!absl::SimpleAtoi(properties["partitions"], &topic.num_partitions) ||
      topic.num_partitions <= 0 ||
      !absl::SimpleAtoi(properties["replication.factor"], &replication) ||
      replication <= 0 || replication > INT16_MAX) {
    return absl::InvalidArgumentError("bad partitions or replication.factor");
  }
  topic.replication_factor = static_cast<int16_t>(replication);
  for (const auto& [key, value] : properties) {
    if (absl::StartsWith(key, kConfigPrefix)) {
      topic.configs.emplace(key.substr(kConfigPrefixLength), value);
    }
  }
  return topic;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TopicStore>> TopicStore::Open(
    std::shared_ptr<io::FileSystem> fs, std::string metadata_dir) {
  RETURN_IF_ERROR(fs->CreateDirs(metadata_dir));
  return std::unique_ptr<TopicStore>(
      new TopicStore(std::move(fs), std::move(metadata_dir)));
}

std::string TopicStore::PathOf(std::string_view name) const {
  return io::JoinPath(
      dir_, absl::StrCat(absl::string_view(name.data(), name.size()), kSuffix));
}

absl::StatusOr<std::vector<TopicRecord>> TopicStore::LoadAll() {
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->ListDir(dir_));
  std::vector<TopicRecord> topics;
  for (const std::string& file : names) {
    if (!absl::EndsWith(file, kSuffix)) continue;  // e.g. a write's .tmp
    const std::string path = io::JoinPath(dir_, file);
    ASSIGN_OR_RETURN(std::string text, io::ReadFileToString(*fs_, path));
    absl::StatusOr<TopicRecord> topic =
        ParseRecord(file.substr(0, file.size() - kSuffixLength), text);
    if (!topic.ok()) {
      return absl::DataLossError(
          absl::StrCat("topic metadata ", path,
                       " is unreadable: ", topic.status().message()));
    }
    topics.push_back(*std::move(topic));
  }
  return topics;
}

absl::Status TopicStore::Save(const TopicRecord& topic) {
  std::map<std::string, std::string> properties = {
      {"partitions", absl::StrCat(topic.num_partitions)},
      {"replication.factor", absl::StrCat(topic.replication_factor)}};
  for (const auto& [key, value] : topic.configs) {
    properties.emplace(absl::StrCat(kConfigPrefix, key), value);
  }
  ASSIGN_OR_RETURN(std::string text,
                   util::FormatProperties(properties, "rill topic metadata"));
  return io::WriteFileAtomically(*fs_, PathOf(topic.name), text);
}

absl::Status TopicStore::Remove(std::string_view name) {
  RETURN_IF_ERROR(io::RemoveFileIfExists(*fs_, PathOf(name)));
  return fs_->SyncDir(dir_);
}

}  // namespace rill::broker
