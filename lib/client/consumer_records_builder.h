// client/consumer_records_builder.h — fills the ConsumerRecords one Poll
// returns.
#ifndef RILL_CLIENT_CONSUMER_RECORDS_BUILDER_H_
#define RILL_CLIENT_CONSUMER_RECORDS_BUILDER_H_

#include <cstddef>
#include <memory>
#include <utility>

#include "rill/client/consumer.h"

namespace rill::client {

// ConsumerRecordsBuilder is used by one Poll on the polling thread. Records
// are views; Keep() makes the result own what they point into.
class ConsumerRecordsBuilder {
 public:
  // `capacity` is the most records the result will hold (max.poll.records);
  // room for them is reserved with the first record.
  explicit ConsumerRecordsBuilder(size_t capacity) : capacity_(capacity) {}

  size_t size() const { return records_.records_.size(); }
  size_t room() const { return capacity_ - size(); }

  // Keep makes the result hold `owner` (consecutive calls with the same
  // owner keep it once).
  void Keep(const std::shared_ptr<const void>& owner) {
    if (owner.get() == last_owner_) return;
    last_owner_ = owner.get();
    records_.owners_.push_back(owner);
  }

  // Add appends a record and returns it for the caller to fill.
  ConsumerRecord& Add() {
    if (records_.records_.capacity() == 0) {
      records_.records_.reserve(capacity_);
    }
    return records_.records_.emplace_back();
  }

  ConsumerRecords Build() && { return std::move(records_); }

 private:
  const size_t capacity_;
  const void* last_owner_ = nullptr;
  ConsumerRecords records_;
};

}  // namespace rill::client

#endif  // RILL_CLIENT_CONSUMER_RECORDS_BUILDER_H_
