#include "client/sticky_balancer.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <numeric>
#include <set>
#include <vector>

namespace rill::client {
namespace {

// State is the assignment being balanced.
class State {
 public:
  explicit State(const StickyBalanceInput& input)
      : input_(input),
        subscribes_(input.num_members,
                    std::vector<bool>(input.topic_members.size(), false)),
        owner_(input.partition_topic.size(), -1),
        count_(input.num_members, 0),
        held_(input.num_members) {
    for (size_t t = 0; t < input.topic_members.size(); ++t) {
      for (int32_t m : input.topic_members[t]) subscribes_[m][t] = true;
    }
  }

  // Keep gives every partition to its initial owner.
  void Keep() {
    for (size_t p = 0; p < owner_.size(); ++p) {
      if (input_.initial_owner[p] >= 0) {
        Give(static_cast<int32_t>(p), input_.initial_owner[p]);
      }
    }
  }

  // PlaceRest gives each partition without an owner to its least loaded
  // subscriber, the most constrained partitions (fewest subscribers) first,
  // so they are not left with only full members to go to.
  void PlaceRest() {
    std::vector<int32_t> rest;
    for (size_t p = 0; p < owner_.size(); ++p) {
      if (owner_[p] < 0) rest.push_back(static_cast<int32_t>(p));
    }
    std::stable_sort(rest.begin(), rest.end(), [&](int32_t a, int32_t b) {
      return Subscribers(a).size() < Subscribers(b).size();
    });
    for (int32_t p : rest) {
      int32_t best = -1;
      for (int32_t m : Subscribers(p)) {
        if (best < 0 || count_[m] < count_[best]) best = m;
      }
      Give(p, best);
    }
  }

  // Balance moves one partition at a time from the fullest member that has
  // a subscriber two or more partitions emptier, to the emptiest such
  // subscriber, until there is none. Each move lowers the sum of squared
  // counts (by 2*(gap-1) >= 2), so this terminates.
  void Balance() {
    std::vector<int32_t> order(input_.num_members);
    std::iota(order.begin(), order.end(), 0);
    for (;;) {
      const int64_t min_count = *std::min_element(count_.begin(), count_.end());
      std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
        return count_[a] != count_[b] ? count_[a] > count_[b] : a < b;
      });
      bool moved = false;
      for (int32_t from : order) {
        // Counts only fall along `order`: no later member has a receiver.
        if (count_[from] - min_count < 2) break;
        const int32_t to = Receiver(from);
        if (to < 0) continue;
        Move(ChoosePartition(from, to), from, to);
        moved = true;
        break;
      }
      if (!moved) return;
    }
  }

  const std::vector<int32_t>& owners() const { return owner_; }

 private:
  const std::vector<int32_t>& Subscribers(int32_t p) const {
    return input_.topic_members[input_.partition_topic[p]];
  }

  void Give(int32_t p, int32_t m) {
    owner_[p] = m;
    ++count_[m];
    held_[m][input_.partition_topic[p]].insert(p);
  }

  void Move(int32_t p, int32_t from, int32_t to) {
    const int32_t t = input_.partition_topic[p];
    auto it = held_[from].find(t);
    it->second.erase(p);
    if (it->second.empty()) held_[from].erase(it);
    --count_[from];
    Give(p, to);
  }

  // Receiver is the emptiest member (lowest index on ties) that subscribes
  // to a topic `from` holds and has at least two partitions fewer, or -1.
  int32_t Receiver(int32_t from) const {
    int32_t best = -1;
    for (const auto& [topic, partitions] : held_[from]) {
      for (int32_t m : input_.topic_members[topic]) {
        if (m == from || count_[m] > count_[from] - 2) continue;
        if (best < 0 || count_[m] < count_[best] ||
            (count_[m] == count_[best] && m < best)) {
          best = m;
        }
      }
    }
    return best;
  }

  // ChoosePartition picks which of `from`'s partitions `to` takes: first one
  // that `to` started with (going home), then one `from` did not start with,
  // and only then one `from` kept; lowest partition number within each.
  int32_t ChoosePartition(int32_t from, int32_t to) const {
    int32_t chosen = -1;
    int chosen_rank = 3;
    for (const auto& [topic, partitions] : held_[from]) {
      if (!subscribes_[to][topic]) continue;
      for (int32_t p : partitions) {
        const int32_t initial = input_.initial_owner[p];
        const int rank = initial == to ? 0 : initial != from ? 1 : 2;
        if (rank < chosen_rank) {
          chosen = p;
          chosen_rank = rank;
        }
        if (chosen_rank == 0) return chosen;
      }
    }
    return chosen;
  }

  const StickyBalanceInput& input_;
  std::vector<std::vector<bool>> subscribes_;  // [member][topic]
  std::vector<int32_t> owner_;                 // per partition
  std::vector<int64_t> count_;                 // per member
  // Per member: topic -> the partitions of it the member holds.
  std::vector<std::map<int32_t, std::set<int32_t>>> held_;
};

}  // namespace

std::vector<int32_t> BalanceSticky(const StickyBalanceInput& input) {
  if (input.num_members == 0 || input.partition_topic.empty()) {
    return std::vector<int32_t>(input.partition_topic.size(), -1);
  }
  State state(input);
  state.Keep();
  state.PlaceRest();
  state.Balance();
  return state.owners();
}

}  // namespace rill::client
