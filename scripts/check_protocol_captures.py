#!/usr/bin/env python3
"""Checks the captured Kafka request frames in tests/data/protocol.

  python3 scripts/check_protocol_captures.py [dir] [--client-id rill-capture]

For every `<label>-<nn>-<ApiName>-v<version>.bin` (a request frame without its
4-byte size prefix) it parses the request header and checks that api_key and
api_version match the name, that the client id is the expected one and that a
flexible (header v2) request's tagged-field buffer parses. Bodies are checked
where a check needs no codec: ApiVersions v3 and Metadata are parsed to the
last byte; Produce is parsed to the last byte with each RecordBatch's magic,
CRC-32C, compression codec (against the label) and, for uncompressed and gzip
batches, every record. It also checks that README.md in the same directory
lists exactly the .bin files present. Exits non-zero on any mismatch.
Standard library only.
"""

import argparse
import os
import re
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kafka_wire import (API_KEYS, API_NAMES, Reader, crc32c,  # noqa: E402
                        parse_request_header)

NAME_RE = re.compile(r"^(?P<label>.+)-(?P<nn>\d\d)-(?P<api>[A-Za-z]+)-v(?P<version>\d+)\.bin$")
CODECS = {0: "none", 1: "gzip", 2: "snappy", 3: "lz4", 4: "zstd"}


def check_records(data, count):
    """Parses `count` v2 records from uncompressed batch data; returns a
    summary (keys, header count)."""
    r = Reader(data)
    keys, headers = [], 0
    for _ in range(count):
        length = r.varint()
        end = r.pos + length
        r.int8()  # attributes
        r.varint()  # timestamp delta
        r.varint()  # offset delta
        klen = r.varint()
        keys.append(None if klen < 0 else r.take(klen).decode(errors="replace"))
        vlen = r.varint()
        if vlen >= 0:
            r.take(vlen)
        for _ in range(r.varint()):
            r.take(r.varint())
            hlen = r.varint()
            if hlen >= 0:
                r.take(hlen)
            headers += 1
        if r.pos != end:
            raise ValueError(f"record length {length} but parsed {r.pos - end + length}")
    if r.remaining():
        raise ValueError(f"{r.remaining()} bytes after {count} records")
    return keys, headers


def check_batches(records, label):
    r = Reader(records)
    out = []
    while r.remaining():
        r.int64()  # base offset
        length = r.int32()
        batch = Reader(r.take(length))
        batch.int32()  # partition leader epoch
        magic = batch.int8()
        if magic != 2:
            raise ValueError(f"magic {magic}")
        crc = int.from_bytes(batch.take(4), "big")
        if crc32c(batch.data[batch.pos:]) != crc:
            raise ValueError("RecordBatch CRC-32C mismatch")
        attributes = batch.int16()
        last_offset_delta = batch.int32()
        batch.int64()  # base timestamp
        batch.int64()  # max timestamp
        producer_id = batch.int64()
        batch.int16()  # producer epoch
        base_sequence = batch.int32()
        count = batch.int32()
        if count != last_offset_delta + 1:
            raise ValueError(f"count {count} != lastOffsetDelta+1")
        codec = CODECS.get(attributes & 7, f"codec{attributes & 7}")
        for name in CODECS.values():
            if name != "none" and name in label and codec != name:
                raise ValueError(f"label says {name}, batch is {codec}")
        payload = batch.data[batch.pos:]
        desc = f"{count} records, {codec}"
        if codec == "gzip":
            payload = zlib.decompress(payload, 16 + zlib.MAX_WBITS)
        if codec in ("none", "gzip"):
            keys, headers = check_records(payload, count)
            desc += f", keys={keys}, {headers} headers"
        if attributes & 0x10:
            desc += ", transactional"
        if producer_id >= 0:
            desc += f", producer {producer_id} seq {base_sequence}"
        out.append(desc)
    return out


def check_produce(r, version, label):
    txn = r.nullable_string() if version >= 3 else None
    acks = r.int16()
    r.int32()  # timeout
    parts = []
    for _ in range(r.int32()):
        topic = r.nullable_string()
        for _ in range(r.int32()):
            index = r.int32()
            records = r.nullable_bytes() or b""
            for desc in check_batches(records, label):
                parts.append(f"{topic}[{index}]: {desc}")
    extra = f"transactional_id={txn}, " if txn else ""
    return f"{extra}acks={acks}; " + "; ".join(parts)


def check_api_versions(r, version):
    if version >= 3:
        name = r.compact_nullable_string()
        soft = r.compact_nullable_string()
        r.tagged_fields()
        return f"client_software {name} {soft}"
    return "empty body"


def check_metadata(r, version):
    n = r.int32()
    topics = [r.nullable_string() for _ in range(max(n, 0))]
    desc = "all topics" if n < 0 else f"topics={topics}"
    if version >= 4:
        desc += f", allow_auto_topic_creation={bool(r.int8())}"
    return desc


def check_file(path, client_id):
    m = NAME_RE.match(os.path.basename(path))
    if not m:
        raise ValueError("name is not <label>-<nn>-<ApiName>-v<version>.bin")
    with open(path, "rb") as f:
        data = f.read()
    header, r = parse_request_header(data)
    key, version = header["api_key"], header["api_version"]
    if API_NAMES.get(key) != m["api"] or API_KEYS.get(m["api"]) != key:
        raise ValueError(f"api_key {key} ({API_NAMES.get(key)}) but name says {m['api']}")
    if version != int(m["version"]):
        raise ValueError(f"api_version {version} but name says v{m['version']}")
    if header["client_id"] != client_id:
        raise ValueError(f"client_id {header['client_id']!r}")
    body = ""
    if key == API_KEYS["Produce"] and version < 9:
        body = check_produce(r, version, m["label"])
    elif key == API_KEYS["ApiVersions"]:
        body = check_api_versions(r, version)
    elif key == API_KEYS["Metadata"] and version < 9:
        body = check_metadata(r, version)
    else:
        r.pos = len(data)  # body not checked without a codec
    if r.remaining():
        raise ValueError(f"{r.remaining()} bytes left after the body")
    return (f"{os.path.basename(path)}: key {key} v{version} header "
            f"v{header['header_version']} corr {header['correlation_id']} "
            f"{len(data)} B {body}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir", nargs="?", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "protocol"))
    parser.add_argument("--client-id", default="rill-capture")
    args = parser.parse_args()
    files = sorted(f for f in os.listdir(args.dir) if f.endswith(".bin"))
    failures = 0
    for name in files:
        try:
            print(check_file(os.path.join(args.dir, name), args.client_id))
        except (ValueError, UnicodeDecodeError, zlib.error) as e:
            failures += 1
            print(f"{name}: FAIL {e}")
    readme = os.path.join(args.dir, "README.md")
    if os.path.exists(readme):
        with open(readme) as f:
            listed = set(re.findall(r"[\w.-]+\.bin", f.read()))
        for name in sorted(listed ^ set(files)):
            failures += 1
            where = "README.md only" if name in listed else "not in README.md"
            print(f"{name}: FAIL {where}")
    print(f"{len(files)} files, {failures} failures")
    return 1 if failures or not files else 0


if __name__ == "__main__":
    sys.exit(main())
