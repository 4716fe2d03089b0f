"""Small Kafka wire-format helpers shared by the capture and check scripts.

Only what the scripts need: API names, the first flexible version of each API
(which decides the request header version), rill's advertised version ranges
(docs KAFKA-PROTOCOL.md), request-header parsing, CRC-32C and the few encoders
the capture proxy needs. Pure standard library, so it runs under any python3.
"""

import struct

# api_key -> name, for every API rill advertises (KAFKA-PROTOCOL.md).
API_NAMES = {
    0: "Produce",
    1: "Fetch",
    2: "ListOffsets",
    3: "Metadata",
    8: "OffsetCommit",
    9: "OffsetFetch",
    10: "FindCoordinator",
    11: "JoinGroup",
    12: "Heartbeat",
    13: "LeaveGroup",
    14: "SyncGroup",
    15: "DescribeGroups",
    16: "ListGroups",
    17: "SaslHandshake",
    18: "ApiVersions",
    19: "CreateTopics",
    20: "DeleteTopics",
    21: "DeleteRecords",
    22: "InitProducerId",
    24: "AddPartitionsToTxn",
    25: "AddOffsetsToTxn",
    26: "EndTxn",
    28: "TxnOffsetCommit",
    32: "DescribeConfigs",
    33: "AlterConfigs",
    36: "SaslAuthenticate",
    37: "CreatePartitions",
    42: "DeleteGroups",
    47: "OffsetDelete",
}
API_KEYS = {name: key for key, name in API_NAMES.items()}

# api_key -> first flexible version (KIP-482), from Kafka 3.4's message schemas.
# Requests at or above it use request header v2 (v1 + tagged fields); APIs
# missing here (SaslHandshake, OffsetDelete) are never flexible.
FIRST_FLEXIBLE = {
    0: 9, 1: 12, 2: 6, 3: 9, 8: 8, 9: 6, 10: 3, 11: 6, 12: 4, 13: 4, 14: 4,
    15: 5, 16: 3, 18: 3, 19: 5, 20: 4, 21: 2, 22: 2, 24: 3, 25: 3, 26: 3,
    28: 3, 32: 4, 33: 2, 36: 2, 37: 2, 42: 2,
}

# api_key -> (min, max) that rill advertises in ApiVersions (KAFKA-PROTOCOL.md;
# SASL left out: the captures run without authentication).
RILL_VERSIONS = {
    0: (3, 7), 1: (4, 11), 2: (0, 3), 3: (0, 6), 8: (0, 7), 9: (0, 5),
    10: (0, 2), 11: (0, 5), 12: (0, 3), 13: (0, 3), 14: (0, 3), 15: (0, 4),
    16: (0, 2), 18: (0, 3), 19: (0, 4), 20: (0, 3), 21: (0, 1), 22: (0, 4),
    24: (0, 1), 25: (0, 1), 26: (0, 1), 28: (0, 2), 32: (0, 2), 33: (0, 1),
    37: (0, 1), 42: (0, 1), 47: (0, 0),
}


def is_flexible(api_key, api_version):
    first = FIRST_FLEXIBLE.get(api_key)
    return first is not None and api_version >= first


def request_header_version(api_key, api_version):
    return 2 if is_flexible(api_key, api_version) else 1


class Reader:
    """Big-endian cursor over bytes; raises ValueError on truncation."""

    def __init__(self, data, pos=0):
        self.data = data
        self.pos = pos

    def take(self, n):
        if n < 0 or self.pos + n > len(self.data):
            raise ValueError(f"truncated at byte {self.pos} (need {n})")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def int8(self):
        return struct.unpack(">b", self.take(1))[0]

    def int16(self):
        return struct.unpack(">h", self.take(2))[0]

    def int32(self):
        return struct.unpack(">i", self.take(4))[0]

    def int64(self):
        return struct.unpack(">q", self.take(8))[0]

    def uvarint(self):
        shift = 0
        value = 0
        while True:
            b = self.take(1)[0]
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                return value
            shift += 7
            if shift > 63:
                raise ValueError("varint too long")

    def varint(self):
        v = self.uvarint()
        return (v >> 1) ^ -(v & 1)

    def nullable_string(self):
        n = self.int16()
        return None if n < 0 else self.take(n).decode()

    def compact_nullable_string(self):
        n = self.uvarint() - 1
        return None if n < 0 else self.take(n).decode()

    def nullable_bytes(self):
        n = self.int32()
        return None if n < 0 else self.take(n)

    def tagged_fields(self):
        fields = {}
        for _ in range(self.uvarint()):
            tag = self.uvarint()
            fields[tag] = self.take(self.uvarint())
        return fields

    def remaining(self):
        return len(self.data) - self.pos


def parse_request_header(frame):
    """Parses a request frame (size prefix removed).

    Returns (header dict, Reader positioned at the body). Header v1: api_key,
    api_version, correlation_id, client_id (nullable int16 string); v2 adds a
    tagged-field buffer. client_id stays a non-compact string in v2.
    """
    r = Reader(frame)
    api_key = r.int16()
    api_version = r.int16()
    header = {
        "api_key": api_key,
        "api_version": api_version,
        "correlation_id": r.int32(),
        "client_id": r.nullable_string(),
        "header_version": request_header_version(api_key, api_version),
    }
    if header["header_version"] == 2:
        header["tagged_fields"] = r.tagged_fields()
    return header, r


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC32C[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def encode_uvarint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def encode_compact_string(s):
    b = s.encode()
    return encode_uvarint(len(b) + 1) + b


def encode_string(s):
    b = s.encode()
    return struct.pack(">h", len(b)) + b