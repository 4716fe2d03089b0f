// Links: the simulated network between an EmbeddedCluster's brokers and its
// controller — which links are cut and how slow each is.
//
//   Links links;
//   links.Cut(0, 1);                      // brokers 0 and 1, both ways
//   links.Cut(2, Links::kController);     // broker 2 cannot reach it
//   links.SetLatencyMs(0, 2, 50);
//   links.Connected(1, 0);                // false
//   links.HealAll();
#ifndef RILL_TESTING_LINKS_H_
#define RILL_TESTING_LINKS_H_

#include <cstdint>
#include <map>
#include <set>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace rill::testing::internal {

// Links holds the state of every link between nodes: brokers by index and
// the controller (kController). Links are symmetric and start healthy.
// Owned by the cluster and shared with what consults it. Thread-safe.
class Links {
 public:
  // The controller's end of a broker's link to it.
  static constexpr int kController = -1;

  Links() = default;
  Links(const Links&) = delete;
  Links& operator=(const Links&) = delete;

  // Connected: a and b reach each other (a node always reaches itself).
  bool Connected(int a, int b) const ABSL_LOCKS_EXCLUDED(mu_);
  // LatencyMs is the one-way delay on the link (0: none).
  int64_t LatencyMs(int a, int b) const ABSL_LOCKS_EXCLUDED(mu_);

  void Cut(int a, int b) ABSL_LOCKS_EXCLUDED(mu_);
  void Heal(int a, int b) ABSL_LOCKS_EXCLUDED(mu_);
  // SetLatencyMs sets the link's one-way delay; 0 removes it.
  void SetLatencyMs(int a, int b, int64_t ms) ABSL_LOCKS_EXCLUDED(mu_);
  // HealAll restores every link: no cuts, no latency.
  void HealAll() ABSL_LOCKS_EXCLUDED(mu_);

  // Generation counts the times `node` dropped its connections
  // (DropConnections: its process stopped); traffic sent in an earlier
  // generation is lost with them, never delivered to a later one.
  uint64_t Generation(int node) const ABSL_LOCKS_EXCLUDED(mu_);
  void DropConnections(int node) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  using Link = std::pair<int, int>;  // (smaller end, larger end)
  static Link Key(int a, int b) { return a < b ? Link(a, b) : Link(b, a); }

  mutable absl::Mutex mu_;
  std::set<Link> cut_ ABSL_GUARDED_BY(mu_);
  std::map<Link, int64_t> latency_ms_ ABSL_GUARDED_BY(mu_);
  std::map<int, uint64_t> generations_ ABSL_GUARDED_BY(mu_);
};

}  // namespace rill::testing::internal

#endif  // RILL_TESTING_LINKS_H_
