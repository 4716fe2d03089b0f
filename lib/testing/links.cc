#include "testing/links.h"

namespace rill::testing::internal {

bool Links::Connected(int a, int b) const {
  if (a == b) return true;
  absl::MutexLock lock(&mu_);
  return !cut_.contains(Key(a, b));
}

int64_t Links::LatencyMs(int a, int b) const {
  absl::MutexLock lock(&mu_);
  auto it = latency_ms_.find(Key(a, b));
  return it == latency_ms_.end() ? 0 : it->second;
}

void Links::Cut(int a, int b) {
  if (a == b) return;
  absl::MutexLock lock(&mu_);
  cut_.insert(Key(a, b));
}

void Links::Heal(int a, int b) {
  absl::MutexLock lock(&mu_);
  cut_.erase(Key(a, b));
}

void Links::SetLatencyMs(int a, int b, int64_t ms) {
  absl::MutexLock lock(&mu_);
  if (ms <= 0) {
    latency_ms_.erase(Key(a, b));
  } else {
    latency_ms_[Key(a, b)] = ms;
  }
}

void Links::HealAll() {
  absl::MutexLock lock(&mu_);
  cut_.clear();
  latency_ms_.clear();
}

uint64_t Links::Generation(int node) const {
  absl::MutexLock lock(&mu_);
  auto it = generations_.find(node);
  return it == generations_.end() ? 0 : it->second;
}

void Links::DropConnections(int node) {
  absl::MutexLock lock(&mu_);
  ++generations_[node];
}

}  // namespace rill::testing::internal
