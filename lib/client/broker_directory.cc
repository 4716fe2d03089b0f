// The two BrokerDirectory implementations of rill/client/broker_directory.h.
#include "rill/client/broker_directory.h"

#include <utility>

namespace rill {
namespace {

// SingleBrokerDirectory views a broker its creator owns.
class SingleBrokerDirectory final : public BrokerDirectory {
 public:
  explicit SingleBrokerDirectory(Broker& broker)
      : broker_(&broker, [](Broker*) {}) {}

  std::shared_ptr<Broker> Get(NodeId node) override {
    return node == broker_->node_id() ? broker_ : nullptr;
  }
  std::vector<std::shared_ptr<Broker>> Bootstrap() override {
    return {broker_};
  }

 private:
  // Non-owning: the deleter does nothing.
  const std::shared_ptr<Broker> broker_;
};

// FunctionBrokerDirectory asks its lookup function every time.
class FunctionBrokerDirectory final : public BrokerDirectory {
 public:
  FunctionBrokerDirectory(std::vector<NodeId> nodes,
                          std::function<std::shared_ptr<Broker>(NodeId)> find)
      : nodes_(std::move(nodes)), find_(std::move(find)) {}

  std::shared_ptr<Broker> Get(NodeId node) override { return find_(node); }
  std::vector<std::shared_ptr<Broker>> Bootstrap() override {
    std::vector<std::shared_ptr<Broker>> live;
    live.reserve(nodes_.size());
    for (NodeId node : nodes_) {
      if (std::shared_ptr<Broker> broker = find_(node)) {
        live.push_back(std::move(broker));
      }
    }
    return live;
  }

 private:
  const std::vector<NodeId> nodes_;
  const std::function<std::shared_ptr<Broker>(NodeId)> find_;
};

}  // namespace

std::shared_ptr<BrokerDirectory> NewSingleBrokerDirectory(Broker& broker) {
  return std::make_shared<SingleBrokerDirectory>(broker);
}

std::shared_ptr<BrokerDirectory> NewBrokerDirectory(
    std::vector<NodeId> nodes,
    std::function<std::shared_ptr<Broker>(NodeId)> find) {
  return std::make_shared<FunctionBrokerDirectory>(std::move(nodes),
                                                   std::move(find));
}

}  // namespace rill
