#include "group/member.h"

#include <cstdio>

namespace rill::group {

bool Member::Matches(const std::vector<GroupProtocol>& other) const {
  if (other.size() != protocols.size()) return false;
  for (size_t i = 0; i < other.size(); ++i) {
    if (other[i].name != protocols[i].name ||
        other[i].metadata != protocols[i].metadata) {
      return false;
    }
  }
  return true;
}

const std::string* Member::MetadataFor(std::string_view name) const {
  for (const GroupProtocol& p : protocols) {
    if (p.name == name) return &p.metadata;
  }
  return nullptr;
}

std::string Member::Vote(
    const absl::flat_hash_set<std::string>& candidates) const {
  for (const GroupProtocol& p : protocols) {
    if (candidates.contains(p.name)) return p.name;
  }
  return std::string();
}

MemberIdGenerator::MemberIdGenerator() {
  std::random_device seed;
  std::seed_seq seq{seed(), seed(), seed(), seed()};
  rng_.seed(seq);
}

std::string MemberIdGenerator::Next(std::string_view prefix) {
  uint64_t hi = 0;
  uint64_t lo = 0;
  {
    absl::MutexLock lock(&mu_);
    hi = rng_();
    lo = rng_();
  }
  // A version-4 UUID, as java.util.UUID.randomUUID() formats it.
  hi = (hi & ~0xF000ULL) | 0x4000ULL;
  lo = (lo & ~(0xC000ULL << 48)) | (0x8000ULL << 48);
  char uuid[37];
  std::snprintf(uuid, sizeof(uuid), "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF),
                static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  std::string id(prefix);
  id += '-';
  id += uuid;
  return id;
}

}  // namespace rill::group
