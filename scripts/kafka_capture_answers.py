"""What the capture proxy answers itself, in front of librdkafka's mock.

ApiVersions is answered with rill's advertised ranges (kafka_wire.RILL_VERSIONS
plus ADVERTISE_OVERRIDES) cut to the versions that can be answered, so clients
pick the versions they would pick against rill. The APIs the mock lacks
(FAKED_VERSIONS) get a minimal well-formed success: one entry per requested
item and nothing more. Only the clients' requests are kept, so these answers
just have to let the clients finish quickly.
"""

import struct

import kafka_wire
from kafka_wire import (API_KEYS, Reader, encode_compact_string, encode_string,
                        encode_uvarint)


# The APIs and versions the mock does not implement, which the proxy answers
# itself (fake_response): the admin APIs, and OffsetFetch's flexible versions.
FAKED_VERSIONS = {
    API_KEYS["CreateTopics"]: range(0, 5),
    API_KEYS["DeleteTopics"]: range(0, 4),
    API_KEYS["DeleteRecords"]: range(0, 2),
    API_KEYS["DescribeConfigs"]: range(0, 3),
    API_KEYS["AlterConfigs"]: range(0, 2),
    API_KEYS["CreatePartitions"]: range(0, 2),
    API_KEYS["DescribeGroups"]: range(0, 5),
    API_KEYS["ListGroups"]: range(0, 3),
    API_KEYS["DeleteGroups"]: range(0, 2),
    API_KEYS["OffsetDelete"]: range(0, 1),
    API_KEYS["OffsetFetch"]: range(6, 8),
}


# Advertised instead of rill's table. librdkafka <= 2.11.0 (so Debian's 2.0.2)
# sends gzip, snappy and lz4 batches uncompressed ("Broker does not support
# compression type") unless the broker's Produce range reaches down to v0: it
# asks rd_kafka_broker_ApiVersion_supported(Produce, 0, 0), which fails when
# MinVer > 0. Advertising Produce 3-7 as KAFKA-PROTOCOL.md says would silently
# turn those codecs off; clients still pick v7, so the captures are unaffected
# otherwise.
ADVERTISE_OVERRIDES = {API_KEYS["Produce"]: (0, 7)}


def advertised_ranges(upstream_ranges, overrides=None):
    """rill's range (with overrides), cut to the versions the upstream or the
    proxy itself can answer."""
    table = {**kafka_wire.RILL_VERSIONS, **ADVERTISE_OVERRIDES, **(overrides or {})}
    out = {}
    for key, (lo, hi) in table.items():
        answerable = set(FAKED_VERSIONS.get(key, ()))
        if key == API_KEYS["ApiVersions"]:
            answerable |= set(range(lo, hi + 1))
        if key in upstream_ranges:
            ulo, uhi = upstream_ranges[key]
            answerable |= set(range(ulo, uhi + 1))
        versions = sorted(v for v in answerable if lo <= v <= hi)
        if versions:
            if versions[-1] - versions[0] + 1 != len(versions):
                raise ValueError(f"api {key}: answerable versions not contiguous")
            out[key] = (versions[0], versions[-1])
    return out


def api_versions_response(version, ranges):
    """ApiVersions response body (its header is always v0: correlation id)."""
    hi = ranges[API_KEYS["ApiVersions"]][1]
    if version > hi:  # What a Kafka broker sends: v0 body, error 35, key 18.
        lo = ranges[API_KEYS["ApiVersions"]][0]
        return struct.pack(">hihhh", 35, 1, API_KEYS["ApiVersions"], lo, hi)
    keys = sorted(ranges)
    if version >= 3:
        body = struct.pack(">h", 0) + encode_uvarint(len(keys) + 1)
        for k in keys:
            body += struct.pack(">hhh", k, *ranges[k]) + b"\x00"
        return body + struct.pack(">i", 0) + b"\x00"
    body = struct.pack(">hi", 0, len(keys))
    for k in keys:
        body += struct.pack(">hhh", k, *ranges[k])
    if version >= 1:
        body += struct.pack(">i", 0)
    return body


def fake_response(api_key, version, request):
    """Answer for an admin API the mock lacks: one success (error 0) per
    requested topic / group / resource, with no further content (no configs,
    no members, no offsets), so clients complete at once."""
    if version not in FAKED_VERSIONS.get(api_key, ()):
        return None
    k = API_KEYS
    throttle = struct.pack(">i", 0)
    if api_key == k["ListGroups"]:  # [throttle_time_ms] error_code [groups]
        return bytes(10 if version >= 1 else 6)
    if api_key == k["OffsetDelete"]:  # error_code throttle_time_ms [topics]
        return bytes(10)
    if api_key == k["OffsetFetch"]:
        return offset_fetch_flexible_response(request)
    names = requested_names(api_key, version, request)
    count = struct.pack(">i", len(names))
    no_error = struct.pack(">h", 0)
    null_message = struct.pack(">h", -1)
    if api_key == k["CreateTopics"]:
        body = (throttle if version >= 2 else b"") + count
        for n in names:
            body += encode_string(n) + no_error
            body += null_message if version >= 1 else b""
    elif api_key == k["DeleteTopics"]:
        body = (throttle if version >= 1 else b"") + count
        for n in names:
            body += encode_string(n) + no_error
    elif api_key == k["CreatePartitions"]:
        body = throttle + count
        for n in names:
            body += encode_string(n) + no_error + null_message
    elif api_key == k["DescribeConfigs"]:
        body = throttle + count
        for rtype, n in names:
            body += no_error + null_message + struct.pack(">b", rtype)
            body += encode_string(n) + struct.pack(">i", 0)  # no configs
    elif api_key == k["AlterConfigs"]:
        body = throttle + count
        for rtype, n in names:
            body += no_error + null_message + struct.pack(">b", rtype)
            body += encode_string(n)
    elif api_key == k["DeleteRecords"]:
        body = throttle + count
        for n in names:
            body += encode_string(n) + struct.pack(">i", 0)  # no partitions
    elif api_key == k["DeleteGroups"]:
        body = throttle + count
        for n in names:
            body += encode_string(n) + no_error
    elif api_key == k["DescribeGroups"]:
        body = (throttle if version >= 1 else b"") + count
        for n in names:
            body += no_error + encode_string(n) + encode_string("Dead")
            body += encode_string("") + encode_string("") + struct.pack(">i", 0)
            if version >= 3:
                body += struct.pack(">i", -(2**31))  # authorized operations
    return body


def requested_names(api_key, version, request):
    """The topic/group/resource names of an admin request, in request order.
    For DescribeConfigs and AlterConfigs each name is (resource_type, name)."""
    _, r = kafka_wire.parse_request_header(request)
    names = []
    if api_key in (API_KEYS["DeleteTopics"], API_KEYS["DescribeGroups"],
                   API_KEYS["DeleteGroups"]):
        return read_string_array(r)
    for _ in range(r.int32()):
        if api_key in (API_KEYS["DescribeConfigs"], API_KEYS["AlterConfigs"]):
            names.append((r.int8(), r.nullable_string()))
        else:
            names.append(r.nullable_string())
        if api_key == API_KEYS["CreateTopics"]:
            r.int32()  # num_partitions
            r.int16()  # replication_factor
            skip_array(r, lambda a: (a.int32(), skip_array(a, Reader.int32)))
            skip_array(r, lambda c: (c.nullable_string(), c.nullable_string()))
        elif api_key == API_KEYS["CreatePartitions"]:
            r.int32()  # count
            skip_array(r, lambda a: skip_array(a, Reader.int32))
        elif api_key == API_KEYS["DescribeConfigs"]:
            skip_array(r, Reader.nullable_string)
        elif api_key == API_KEYS["AlterConfigs"]:
            skip_array(r, lambda c: (c.nullable_string(), c.nullable_string()))
        elif api_key == API_KEYS["DeleteRecords"]:
            skip_array(r, lambda p: (p.int32(), p.int64()))
    return names


def read_string_array(r):
    return [r.nullable_string() for _ in range(r.int32())]


def skip_array(r, skip_element):
    for _ in range(r.int32()):
        skip_element(r)


def offset_fetch_flexible_response(request):
    """OffsetFetch v6-v7 (flexible): no committed offset (-1) for every
    requested partition; a null topic list (all topics) gets no topics."""
    _, r = kafka_wire.parse_request_header(request)
    r.compact_nullable_string()  # group_id
    topics = []
    n = r.uvarint() - 1
    for _ in range(max(n, 0)):
        name = r.compact_nullable_string()
        partitions = [r.int32() for _ in range(r.uvarint() - 1)]
        r.tagged_fields()
        topics.append((name, partitions))
    body = struct.pack(">i", 0) + encode_uvarint(len(topics) + 1)
    for name, partitions in topics:
        body += encode_compact_string(name) + encode_uvarint(len(partitions) + 1)
        for p in partitions:
            # index, offset -1, leader epoch -1, metadata "", error 0, no tags
            body += struct.pack(">iqi", p, -1, -1) + encode_compact_string("")
            body += struct.pack(">h", 0) + b"\x00"
        body += b"\x00"
    return body + struct.pack(">h", 0) + b"\x00"

class LocalAnswers:
    """The `answer` callback for Proxy: ApiVersions from `ranges`, fakes for
    FAKED_VERSIONS. `ranges` may be replaced between client runs."""

    def __init__(self, ranges):
        self.ranges = ranges

    def __call__(self, api_key, version, request):
        if api_key == API_KEYS["ApiVersions"]:
            return api_versions_response(version, self.ranges)
        return fake_response(api_key, version, request)
