#!/usr/bin/python3
"""Cross-checks rill's RecordBatch v2 codec against kafka-python's.

kafka-python (Debian's python3-kafka 2.0.2) is an independent implementation
of the format, so agreeing with it in both directions catches mistakes that a
round trip through our own code cannot. Run it with /usr/bin/python3: the
Debian modules (kafka, snappy, lz4, zstandard) live there.

  kafka_python_batches.py decode FILE   decode rill's batches in FILE
  kafka_python_batches.py encode FILE   write kafka-python's batches to FILE

Both print JSON lines in one canonical form, a "batch" line followed by its
"record" lines. Byte strings are lowercase hex (null for None); header keys
are the hex of their UTF-8 encoding. `decode` prints what kafka-python read;
`encode` prints what it was asked to write, which the C++ side compares with
what rill reads back.
"""

import json
import struct
import sys

from kafka.record.default_records import (DefaultRecordBatch,
                                          DefaultRecordBatchBuilder)

CODECS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}


def hex_or_null(data):
    return None if data is None else bytes(data).hex()


def emit(obj):
    print(json.dumps(obj, sort_keys=True, separators=(",", ":")))


def batch_line(index, header, crc_valid):
    (base_offset, _length, leader_epoch, magic, _crc, attributes,
     last_offset_delta, first_timestamp, max_timestamp, producer_id,
     producer_epoch, base_sequence, records_count) = header
    line = {
        "kind": "batch",
        "index": index,
        "base_offset": base_offset,
        "partition_leader_epoch": leader_epoch,
        "magic": magic,
        "attributes": attributes,
        "last_offset_delta": last_offset_delta,
        "first_timestamp": first_timestamp,
        "max_timestamp": max_timestamp,
        "producer_id": producer_id,
        "producer_epoch": producer_epoch,
        "base_sequence": base_sequence,
        "records_count": records_count,
    }
    if crc_valid is not None:
        line["crc_valid"] = crc_valid
    return line


def record_line(batch, offset, timestamp, key, value, headers):
    return {
        "kind": "record",
        "batch": batch,
        "offset": offset,
        "timestamp": timestamp,
        "key": hex_or_null(key),
        "value": hex_or_null(value),
        "headers": [[k.encode("utf-8").hex(), hex_or_null(v)]
                    for k, v in headers],
    }


def decode(path):
    with open(path, "rb") as f:
        data = f.read()
    pos = 0
    index = 0
    while pos < len(data):
        (length,) = struct.unpack_from(">i", data, pos + 8)
        raw = data[pos:pos + 12 + length]
        if len(raw) != 12 + length:
            raise SystemExit("truncated batch at byte %d" % pos)
        batch = DefaultRecordBatch(raw)
        crc_valid = batch.validate_crc()  # must precede iteration
        emit(batch_line(index, batch._header_data, crc_valid))
        for r in batch:
            emit(record_line(index, r.offset, r.timestamp, r.key, r.value,
                             r.headers))
        pos += 12 + length
        index += 1


def sample_records(codec_name, large):
    """Records with compressible values (kafka-python silently writes a batch
    uncompressed when compressing does not make it smaller)."""
    base_ts = 1700000000000
    filler = ("%s-payload-" % codec_name).encode() * 8
    records = [
        (base_ts, b"key-0", filler, []),
        (base_ts + 7, None, filler + b"null key", [("h", b"v")]),
        (base_ts - 3, b"key-2", None, [("trace", None), ("caf\u00e9", b"")]),
        (base_ts + 1000, b"", b"", []),
        (base_ts + 2, b"key-4", filler * 2,
         [("a", b"1"), ("b", b"\x00\xff"), ("a", b"2")]),
    ]
    if large:
        # Past snappy's 32 KiB xerial blocks and lz4's 64 KiB frame blocks.
        big = bytes((i * 7) % 251 for i in range(4096)) * 40
        records.append((base_ts + 5, b"big", big, [("size", b"163840")]))
    return records


def encode(path):
    out = bytearray()
    index = 0
    lines = []
    for codec_name, codec in CODECS.items():
        for large, transactional in ((False, False), (True, True)):
            producer = (4242, 3, 17) if transactional else (-1, -1, -1)
            builder = DefaultRecordBatchBuilder(
                magic=2, compression_type=codec,
                is_transactional=transactional, producer_id=producer[0],
                producer_epoch=producer[1], base_sequence=producer[2],
                batch_size=1 << 30)
            records = sample_records(codec_name, large)
            for offset, (ts, key, value, headers) in enumerate(records):
                if builder.append(offset, ts, key, value, headers) is None:
                    raise SystemExit("builder refused a record")
            raw = bytes(builder.build())
            header = DefaultRecordBatch.HEADER_STRUCT.unpack_from(raw)
            if header[5] & 0x07 != codec:
                raise SystemExit("kafka-python wrote %s uncompressed" %
                                 codec_name)
            lines.append(batch_line(index, header, None))
            for offset, (ts, key, value, headers) in enumerate(records):
                lines.append(record_line(index, offset, ts, key, value,
                                         headers))
            out += raw
            index += 1
    with open(path, "wb") as f:
        f.write(out)
    for line in lines:
        emit(line)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("decode", "encode"):
        raise SystemExit(__doc__)
    if sys.argv[1] == "decode":
        decode(sys.argv[2])
    else:
        encode(sys.argv[2])


if __name__ == "__main__":
    main()
