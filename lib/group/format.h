// format.h — the records a group coordinator keeps in __consumer_offsets.
//
// The coordinator's state is a compacted log of key/value records in Kafka's
// own formats (group-coordinator/src/main/resources/common/message/*.json),
// so a rill data directory holds what a Kafka broker would write. Every field
// is big-endian; a `string` is an int16 length and that many UTF-8 bytes
// (length -1: null, only where "nullable"); `bytes` is an int32 length and
// that many bytes; an array is an int32 count and that many elements.
//
// Keys start with an int16 version that says which record this is:
//
//   OffsetCommitKey   (version 0 or 1)  group string, topic string,
//                                       partition int32
//   GroupMetadataKey  (version 2)       group string
//
// Versions above 2 belong to record types this coordinator does not own
// (Kafka's newer group protocol); a loader skips them.
//
// Values start with their own int16 version. A record with a null value is a
// tombstone: it deletes the offset or group named by its key (and lets log
// compaction drop the key).
//
//   OffsetCommitValue v3  offset int64, leader_epoch int32, metadata string,
//                         commit_timestamp int64
//     v0, v2: offset, metadata, commit_timestamp
//     v1:     offset, metadata, commit_timestamp, expire_timestamp int64
//
//   GroupMetadataValue v3 protocol_type string, generation int32,
//                         protocol nullable string, leader nullable string,
//                         current_state_timestamp int64,
//                         members array of MemberMetadata
//     MemberMetadata v3:  member_id string, group_instance_id nullable
//                         string, client_id string, client_host string,
//                         rebalance_timeout int32, session_timeout int32,
//                         subscription bytes, assignment bytes
//     v0: no current_state_timestamp, no group_instance_id, no
//         rebalance_timeout (it equals the session timeout);
//     v1: adds rebalance_timeout; v2: adds current_state_timestamp.
//
// The coordinator writes the newest non-flexible versions (keys 1 and 2,
// values 3; offset values 1 for commits with an explicit retention time, as
// Kafka does) and reads every version up to those. A GroupMetadataValue lists
// each member's metadata for the group's chosen protocol only (its
// "subscription") and its current assignment; an empty group has no members
// and a null protocol and leader.
#ifndef RILL_GROUP_FORMAT_H_
#define RILL_GROUP_FORMAT_H_

#include <cstdint>

namespace rill::group {

// Key versions.
inline constexpr int16_t kLegacyOffsetCommitKeyVersion = 0;
inline constexpr int16_t kOffsetCommitKeyVersion = 1;
inline constexpr int16_t kGroupMetadataKeyVersion = 2;

// The value versions written; also the newest read.
inline constexpr int16_t kOffsetCommitValueVersion = 3;
inline constexpr int16_t kGroupMetadataValueVersion = 3;
// The offset value version written for a commit with an explicit retention
// time (OffsetCommit v2–4), the only one with an expire_timestamp.
inline constexpr int16_t kExpiringOffsetCommitValueVersion = 1;

// The value of a string or bytes length that means null.
inline constexpr int16_t kNullStringLength = -1;
inline constexpr int32_t kNullBytesLength = -1;

// The protocol type of Kafka consumers, whose member metadata is a
// ConsumerProtocolSubscription (see consumer_protocol.h).
inline constexpr char kConsumerProtocolType[] = "consumer";

}  // namespace rill::group

#endif  // RILL_GROUP_FORMAT_H_
