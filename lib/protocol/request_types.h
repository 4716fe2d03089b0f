// RequestTypes: every request message rill's codec defines, one per API
// key, as a compile-time list.
//
// Code that has to treat every request alike — the request fuzzer, the
// test that decodes captured client requests — walks this list instead of
// keeping its own; a message header added under messages/ belongs here too
// (tests/protocol/request_types_test.cc counts them):
//
//   ForEachRequestType([&]<typename R>(std::type_identity<R>) {
//     table[static_cast<size_t>(R::kApiKey)] = &DecodeAs<R>;
//   });
#ifndef RILL_PROTOCOL_REQUEST_TYPES_H_
#define RILL_PROTOCOL_REQUEST_TYPES_H_

#include <type_traits>

#include "protocol/messages/add_offsets_to_txn.h"
#include "protocol/messages/add_partitions_to_txn.h"
#include "protocol/messages/alter_configs.h"
#include "protocol/messages/api_versions.h"
#include "protocol/messages/create_partitions.h"
#include "protocol/messages/create_topics.h"
#include "protocol/messages/delete_groups.h"
#include "protocol/messages/delete_records.h"
#include "protocol/messages/delete_topics.h"
#include "protocol/messages/describe_configs.h"
#include "protocol/messages/describe_groups.h"
#include "protocol/messages/end_txn.h"
#include "protocol/messages/fetch.h"
#include "protocol/messages/find_coordinator.h"
#include "protocol/messages/heartbeat.h"
#include "protocol/messages/init_producer_id.h"
#include "protocol/messages/join_group.h"
#include "protocol/messages/leave_group.h"
#include "protocol/messages/list_groups.h"
#include "protocol/messages/list_offsets.h"
#include "protocol/messages/metadata.h"
#include "protocol/messages/offset_commit.h"
#include "protocol/messages/offset_delete.h"
#include "protocol/messages/offset_fetch.h"
#include "protocol/messages/offset_for_leader_epoch.h"
#include "protocol/messages/produce.h"
#include "protocol/messages/sasl_authenticate.h"
#include "protocol/messages/sasl_handshake.h"
#include "protocol/messages/sync_group.h"
#include "protocol/messages/txn_offset_commit.h"

namespace rill::protocol {

template <typename... T>
struct TypeList {
  static constexpr size_t size() { return sizeof...(T); }
};

// RequestTypes, in API key order.
using RequestTypes =
    TypeList<ProduceRequest, FetchRequest, ListOffsetsRequest, MetadataRequest,
             OffsetCommitRequest, OffsetFetchRequest, FindCoordinatorRequest,
             JoinGroupRequest, HeartbeatRequest, LeaveGroupRequest,
             SyncGroupRequest, DescribeGroupsRequest, ListGroupsRequest,
             SaslHandshakeRequest, ApiVersionsRequest, CreateTopicsRequest,
             DeleteTopicsRequest, DeleteRecordsRequest, InitProducerIdRequest,
             OffsetForLeaderEpochRequest, AddPartitionsToTxnRequest,
             AddOffsetsToTxnRequest, EndTxnRequest, TxnOffsetCommitRequest,
             DescribeConfigsRequest, AlterConfigsRequest,
             SaslAuthenticateRequest, CreatePartitionsRequest,
             DeleteGroupsRequest, OffsetDeleteRequest>;

namespace internal {
template <typename Fn, typename... T>
constexpr void ForEachType(TypeList<T...>, Fn&& fn) {
  (fn(std::type_identity<T>{}), ...);
}
}  // namespace internal

// ForEachRequestType calls fn(std::type_identity<R>{}) for every R in
// RequestTypes, in order.
template <typename Fn>
constexpr void ForEachRequestType(Fn&& fn) {
  internal::ForEachType(RequestTypes{}, fn);
}

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_REQUEST_TYPES_H_
