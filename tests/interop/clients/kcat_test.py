"""kcat (librdkafka's command-line client) against rill-server.

Each scenario_* function is one ctest (see CMakeLists.txt here); run the file
with --help for the command line.
"""

import json
import re
import shutil
import subprocess
import time

import scenarios
from scenarios import scenario

KCAT = shutil.which("kcat") or shutil.which("kafkacat")

# Bounds every kcat run: metadata waits (-m) and the producer's delivery
# timeout, well inside the scenario deadline.
_RUN_TIMEOUT = 15
_PRODUCE_FLAGS = ["-m", "5", "-X", "message.timeout.ms=10000"]


def requirement():
    return None if KCAT else "kcat is not installed"


def kcat(server, *args, data=None):
    """Runs kcat against the server; returns its stdout, fails on exit != 0."""
    cmd = [KCAT, "-b", server.bootstrap] + list(args)
    try:
        done = subprocess.run(cmd, input=data, capture_output=True,
                              timeout=_RUN_TIMEOUT)
    except subprocess.TimeoutExpired as e:
        raise AssertionError("%s did not finish within %d s; stderr:\n%s" %
                             (" ".join(cmd), _RUN_TIMEOUT,
                              (e.stderr or b"").decode(errors="replace")))
    if done.returncode != 0:
        raise AssertionError("%s exited with %d; stderr:\n%s" %
                             (" ".join(cmd), done.returncode,
                              done.stderr.decode(errors="replace")))
    return done.stdout.decode()


def produce(server, topic, lines, *flags):
    data = "".join(line + "\n" for line in lines).encode()
    kcat(server, "-P", "-t", topic, *(_PRODUCE_FLAGS + list(flags)), data=data)


def consume_all(server, topic, *flags):
    """Every record of partition 0 from the beginning, as kcat's JSON."""
    out = kcat(server, "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e",
               "-J", "-m", "5", *flags)
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def now_ms():
    return int(time.time() * 1000)


def _assert_offsets(records, count):
    offsets = [r["offset"] for r in records]
    assert offsets == list(range(count)), "offsets %s" % offsets


@scenario(timeout=30)
def scenario_produces_and_consumes_with_each_codec(server):
    count = 200
    for codec in ["none", "gzip", "snappy", "lz4", "zstd"]:
        topic = "codec-" + codec
        # Compressible values: librdkafka sends a batch uncompressed when the
        # codec would not make it smaller.
        lines = ["key-%d\tvalue-%04d-%s" % (i, i, "abcdefgh" * 16)
                 for i in range(count)]
        produce(server, topic, lines, "-K", "\t", "-z", codec)
        records = consume_all(server, topic)
        _assert_offsets(records, count)
        for i, r in enumerate(records):
            assert r["key"] == "key-%d" % i, (codec, r)
            assert r["payload"] == "value-%04d-%s" % (i, "abcdefgh" * 16), (
                codec, r["payload"][:40])
        # The broker stores the producer's batches as they came.
        stored = server.stored_batches(topic)
        assert sum(b.records_count for b in stored) == count, stored
        assert {b.codec for b in stored} == {codec}, (codec, stored)


def scenario_keys_headers_and_timestamps_round_trip(server):
    topic = "khts"
    before = now_ms()
    produce(server, topic, ["k1:v1", ":v2", "k3:"], "-K", ":", "-Z",
            "-H", "a=1", "-H", "b=2", "-H", "a=3", "-H", "empty=")
    after = now_ms()
    records = consume_all(server, topic, "-Z")
    _assert_offsets(records, 3)
    # -Z: an empty key or value is produced, and printed, as null.
    assert [r["key"] for r in records] == ["k1", None, "k3"], records
    assert [r["payload"] for r in records] == ["v1", "v2", None], records
    for r in records:
        # Header order and repeated names are kept.
        assert r["headers"] == ["a", "1", "b", "2", "a", "3", "empty", ""], r
        assert r["tstype"] == "create", r
        assert before <= r["ts"] <= after, (before, r["ts"], after)


def scenario_offsets_for_times_find_the_first_record_at_or_after(server):
    topic = "times"
    # Separate kcat runs: each record gets its own creation time.
    for i in range(4):
        produce(server, topic, ["rec-%d" % i])
    records = consume_all(server, topic)
    _assert_offsets(records, 4)
    stamps = [r["ts"] for r in records]
    assert stamps == sorted(stamps) and len(set(stamps)) == 4, stamps

    def expected(ts):
        later = [i for i, s in enumerate(stamps) if s >= ts]
        return later[0] if later else -1

    for ts in [0, stamps[0], stamps[1] - 1, stamps[2], stamps[3],
               stamps[3] + 1]:
        out = kcat(server, "-Q", "-m", "5", "-t", "%s:0:%d" % (topic, ts))
        found = re.search(r"offset (-?\d+)", out)
        assert found, out
        assert int(found.group(1)) == expected(ts), (ts, stamps, out)
    # The consumer's start-at-time uses the same lookup.
    tail = consume_all(server, topic, "-o", "s@%d" % stamps[2])
    assert [r["payload"] for r in tail] == ["rec-2", "rec-3"], tail


@scenario(overrides={"num.partitions": "3"})
def scenario_metadata_lists_the_broker_as_controller(server):
    produce(server, "meta", ["x"])
    md = json.loads(kcat(server, "-L", "-J", "-m", "5"))
    assert md["brokers"] == [{"id": 0, "name": server.bootstrap}], md
    assert md["controllerid"] == 0, md
    assert md["originating_broker"]["id"] == 0, md
    topics = {t["topic"]: t for t in md["topics"]}
    assert "meta" in topics, md
    parts = sorted(topics["meta"]["partitions"], key=lambda p: p["partition"])
    assert [p["partition"] for p in parts] == [0, 1, 2], parts
    for p in parts:
        assert p["leader"] == 0, p
        assert p["replicas"] == [{"id": 0}] and p["isrs"] == [{"id": 0}], p
    # A topic-scoped request lists just that topic.
    one = json.loads(kcat(server, "-L", "-J", "-m", "5", "-t", "meta"))
    assert [t["topic"] for t in one["topics"]] == ["meta"], one


def scenario_records_survive_a_clean_restart(server):
    topic = "durable"
    produce(server, topic, ["before-%d" % i for i in range(50)], "-z", "gzip")
    server.restart()
    produce(server, topic, ["after-%d" % i for i in range(10)])
    records = consume_all(server, topic)
    _assert_offsets(records, 60)
    assert [r["payload"] for r in records] == (
        ["before-%d" % i for i in range(50)] +
        ["after-%d" % i for i in range(10)])


if __name__ == "__main__":
    scenarios.run(globals(), requirement)
