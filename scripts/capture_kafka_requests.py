#!/usr/bin/python3
"""Records the Kafka request frames real clients send, for byte-exact codec tests.

A recording TCP proxy on 127.0.0.1 sits between a client and an upstream
Kafka-protocol server and writes every request frame the client sends to a
file (the frame WITHOUT its 4-byte size prefix: request header + body, exactly
the bytes a request decoder is handed). Files are named
`<label>-<nn>-<ApiName>-v<version>.bin`.

Modes:

  capture  (default) starts librdkafka's mock cluster in this process (through
           ctypes: rd_kafka_mock_cluster_new from librdkafka.so.1), puts the
           proxy in front of it and runs the SCENARIOS one after another
           (kcat, confluent-kafka, kafka-python; one client process at a
           time). The proxy answers ApiVersions itself with rill's advertised
           ranges (KAFKA-PROTOCOL.md) cut to what can be answered, so clients
           pick the versions they would pick against rill; the APIs the mock
           lacks (admin, OffsetFetch v6-7) get a minimal success from the
           proxy (kafka_capture_answers.py) - the client's request is all we
           need. Of each API version only the first request of a run is kept.
  proxy    a plain recorder in front of any server (for example rill-server):
           forwards everything, answers nothing itself; pass every broker in
           --upstream.
  mock     only runs the mock cluster and prints its bootstrap servers.

In both modes responses go back to the client in request order, and the
broker addresses in Metadata and FindCoordinator responses are rewritten so
the client keeps talking through the proxy: the proxy owns one listener per
upstream broker, and the int32 port that follows the host string
"127.0.0.1" is swapped for the listener's (length-preserving, so no
re-encoding is needed).

Usage (Debian's python3, which has confluent_kafka and kafka):

  /usr/bin/python3 scripts/capture_kafka_requests.py capture   # tests/data/protocol
  /usr/bin/python3 scripts/capture_kafka_requests.py capture --only kcat-metadata
  python3 scripts/check_protocol_captures.py
  /usr/bin/python3 scripts/capture_kafka_requests.py proxy \
      --upstream 127.0.0.1:9092 --out /tmp/caps --label myclient --listen-port 19092
"""

import argparse
import asyncio
import ctypes
import os
import signal
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kafka_wire  # noqa: E402
from kafka_capture_answers import LocalAnswers, advertised_ranges  # noqa: E402
from kafka_capture_proxy import Proxy, Recorder, Session, frame  # noqa: E402
from kafka_wire import API_KEYS, API_NAMES  # noqa: E402

TOPIC = "capture"
CLIENT_ID = "rill-capture"
SCRIPTS_DIR = os.path.dirname(os.path.abspath(__file__))
CLIENTS_SCRIPT = os.path.join(SCRIPTS_DIR, "capture_kafka_clients.py")
SYSTEM_PYTHON = "/usr/bin/python3"


# The mock's Metadata handler encodes v3-v7 correctly but advertises only 0-2;
# widen it to rill's range so clients send the Metadata version they send rill.
MOCK_VERSION_OVERRIDES = {API_KEYS["Metadata"]: (0, 6)}


# ---------------------------------------------------------------- mock cluster


class MockCluster:
    """librdkafka's mock cluster, started through ctypes; lives until exit."""

    def __init__(self, brokers, topics):
        lib = ctypes.CDLL("librdkafka.so.1")
        lib.rd_kafka_conf_new.restype = ctypes.c_void_p
        lib.rd_kafka_conf_set.argtypes = [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p,
            ctypes.c_char_p, ctypes.c_size_t]
        lib.rd_kafka_new.restype = ctypes.c_void_p
        lib.rd_kafka_new.argtypes = [
            ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
        lib.rd_kafka_mock_cluster_new.restype = ctypes.c_void_p
        lib.rd_kafka_mock_cluster_new.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.rd_kafka_mock_cluster_bootstraps.restype = ctypes.c_char_p
        lib.rd_kafka_mock_cluster_bootstraps.argtypes = [ctypes.c_void_p]
        lib.rd_kafka_mock_topic_create.argtypes = [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int]
        lib.rd_kafka_mock_set_apiversion.argtypes = [
            ctypes.c_void_p, ctypes.c_int16, ctypes.c_int16, ctypes.c_int16]
        errstr = ctypes.create_string_buffer(512)
        conf = lib.rd_kafka_conf_new()
        # Quiet the "no bootstrap.servers" warning of the hosting handle.
        lib.rd_kafka_conf_set(conf, b"log_level", b"3", errstr, 512)
        self._lib = lib
        self._rk = lib.rd_kafka_new(0, conf, errstr, 512)
        if not self._rk:
            raise RuntimeError(f"rd_kafka_new: {errstr.value.decode()}")
        self._mcluster = lib.rd_kafka_mock_cluster_new(self._rk, brokers)
        if not self._mcluster:
            raise RuntimeError("rd_kafka_mock_cluster_new failed")
        for key, (lo, hi) in MOCK_VERSION_OVERRIDES.items():
            lib.rd_kafka_mock_set_apiversion(self._mcluster, key, lo, hi)
        for name, partitions in topics:
            err = lib.rd_kafka_mock_topic_create(
                self._mcluster, name.encode(), partitions, 1)
            if err:
                raise RuntimeError(f"mock topic {name}: error {err}")
        bootstraps = lib.rd_kafka_mock_cluster_bootstraps(self._mcluster)
        self.brokers = [parse_hostport(s) for s in bootstraps.decode().split(",")]


def parse_hostport(s):
    host, port = s.rsplit(":", 1)
    return host, int(port)


def query_api_versions(host, port):
    """Asks a server for its ApiVersions (v0) over a plain socket."""
    with socket.create_connection((host, port), timeout=5) as s:
        s.sendall(frame(struct.pack(">hhih", 18, 0, 1, -1)))
        data = b""
        while len(data) < 4 or len(data) < 4 + struct.unpack(">i", data[:4])[0]:
            chunk = s.recv(65536)
            if not chunk:
                raise RuntimeError("upstream closed during ApiVersions")
            data += chunk
    r = kafka_wire.Reader(data, 4)
    r.int32()  # correlation id
    if r.int16() != 0:
        raise RuntimeError("upstream ApiVersions v0 failed")
    ranges = {}
    for _ in range(r.int32()):
        key, lo, hi = r.int16(), r.int16(), r.int16()
        ranges[key] = (lo, hi)
    return ranges


# ------------------------------------------------------------------- scenarios


def kcat(*args):
    return ["kcat", "-b", "{bootstrap}", "-X", f"client.id={CLIENT_ID}",
            "-X", "linger.ms=100", *args]


def python_client(name):
    return [SYSTEM_PYTHON, CLIENTS_SCRIPT, name, "{bootstrap}"]


KEYED_LINES = "key-1:value-1\nkey-2:value-2\nkey-3:value-3\n"
# librdkafka sends a batch uncompressed when compressing does not shrink it,
# so the codec scenarios use values that compress well.
COMPRESSIBLE_LINES = "".join(
    f"key-{i}:" + f"value-{i} " * 24 + "\n" for i in range(1, 4))
PRODUCE_KEYED = ["-P", "-t", TOPIC, "-p", "0", "-K", ":",
                 "-H", "trace-id=0123456789", "-H", "source=rill-capture"]

class Scenario:
    """One client run: its label (file name prefix), command ({bootstrap} is
    replaced), standard input, the API names whose requests are kept (first
    of each version; `repeat` allows more), and ApiVersions overrides."""

    def __init__(self, label, command, keep, stdin=None, repeat=None,
                 advertise=None):
        self.label = label
        self.command = command
        self.keep = set(keep)
        self.stdin = stdin
        self.repeat = repeat or {}
        self.advertise = advertise or {}


GROUP_APIS = {"FindCoordinator", "JoinGroup", "SyncGroup", "Heartbeat",
              "OffsetFetch", "OffsetCommit", "LeaveGroup"}

SCENARIOS = [
    Scenario("kcat-metadata", kcat("-L", "-t", TOPIC), {"ApiVersions", "Metadata"}),
    Scenario("kcat-produce-none", kcat("-P", "-t", TOPIC, "-p", "0"), {"Produce"},
             stdin="one\ntwo\nthree\n"),
    Scenario("kcat-produce-keys-headers", kcat(*PRODUCE_KEYED), {"Produce"},
             stdin=KEYED_LINES),
    *[Scenario(f"kcat-produce-{codec}", kcat(*PRODUCE_KEYED, "-z", codec),
               {"Produce"}, stdin=COMPRESSIBLE_LINES)
      for codec in ("gzip", "snappy", "lz4", "zstd")],
    Scenario("kcat-produce-acks0", kcat("-P", "-t", TOPIC, "-p", "1", "-X", "acks=0"),
             {"Produce"}, stdin="fire\nforget\n"),
    Scenario("kcat-consume",
             kcat("-C", "-t", TOPIC, "-p", "0", "-o", "beginning", "-e", "-q"),
             {"ListOffsets", "Fetch"}),
    Scenario("rdkafka-group", python_client("rdkafka-group"), GROUP_APIS,
             repeat={"JoinGroup": 2}),
    # OffsetFetch 6-7 (flexible), which rill may advertise; the proxy answers.
    Scenario("rdkafka-offsetfetch-flexible", python_client("rdkafka-committed"),
             {"OffsetFetch"}, advertise={API_KEYS["OffsetFetch"]: (0, 7)}),
    Scenario("rdkafka-idempotent", python_client("rdkafka-idempotent"),
             {"InitProducerId", "Produce"}),
    Scenario("rdkafka-txn", python_client("rdkafka-txn"),
             {"FindCoordinator", "InitProducerId", "AddPartitionsToTxn", "Produce",
              "AddOffsetsToTxn", "TxnOffsetCommit", "EndTxn"}),
    Scenario("rdkafka-admin", python_client("rdkafka-admin"),
             {"CreateTopics", "DeleteTopics", "DescribeConfigs", "AlterConfigs",
              "CreatePartitions", "DeleteRecords", "DescribeGroups", "ListGroups",
              "DeleteGroups"}),
    Scenario("kafka-python-producer", python_client("kafka-python-producer"),
             {"ApiVersions", "Metadata", "Produce"}),
    Scenario("kafka-python-produce-gzip", python_client("kafka-python-produce-gzip"),
             {"Produce"}),
    Scenario("kafka-python-consumer", python_client("kafka-python-consumer"),
             GROUP_APIS | {"ListOffsets", "Fetch"}),
    Scenario("kafka-python-admin", python_client("kafka-python-admin"),
             {"CreateTopics", "DeleteTopics", "ListGroups", "DescribeGroups"}),
]

SCENARIO_TIMEOUT_S = 90


async def run_scenario(proxy, upstream_ranges, scenario, verbose):
    argv = [a.replace("{bootstrap}", proxy.bootstrap()) for a in scenario.command]
    proxy.answer.ranges = advertised_ranges(upstream_ranges, scenario.advertise)
    recorder = proxy.recorder
    recorder.session = Session(scenario.label, scenario.keep, scenario.repeat)
    started = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        *argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    stdin = scenario.stdin.encode() if scenario.stdin else None
    try:
        out, err = await asyncio.wait_for(proc.communicate(stdin), SCENARIO_TIMEOUT_S)
    except asyncio.TimeoutError:
        proc.kill()
        out, err = await proc.communicate()
        err += b"\n(timed out)"
    await asyncio.sleep(0.3)  # let the last forwarded requests be recorded
    session, recorder.session = recorder.session, None
    elapsed = time.monotonic() - started
    status = "ok" if proc.returncode == 0 else f"exit {proc.returncode}"
    print(f"{scenario.label}: {status} in {elapsed:.1f}s, saved {len(session.saved)}: "
          f"{' '.join(session.saved)}", flush=True)
    missing = scenario.keep - {name.split("-")[-2] for name in session.saved}
    if missing:
        print(f"  missing: {', '.join(sorted(missing))}", flush=True)
    if proc.returncode != 0 or missing or verbose:
        sys.stderr.write(err.decode(errors="replace")[-3000:] + "\n")
    return proc.returncode == 0 and not missing


async def capture(args):
    out_dir = os.path.abspath(args.out)
    selected = [s for s in SCENARIOS if not args.only or s.label in args.only]
    if args.clean:
        labels = {s.label for s in selected}
        for name in os.listdir(out_dir) if os.path.isdir(out_dir) else []:
            if name.endswith(".bin") and name.rsplit("-", 3)[0] in labels:
                os.remove(os.path.join(out_dir, name))
    mock = MockCluster(brokers=1, topics=[(TOPIC, 2)])
    upstream_ranges = query_api_versions(*mock.brokers[0])
    proxy = Proxy(mock.brokers, Recorder(out_dir),
                  answer=LocalAnswers(advertised_ranges(upstream_ranges)),
                  fix_controller=True)
    await proxy.start()
    print(f"mock {mock.brokers}, proxy {proxy.bootstrap()}", flush=True)
    ok = True
    for scenario in selected:
        ok &= await run_scenario(proxy, upstream_ranges, scenario, args.verbose)
    await proxy.close()
    return 0 if ok else 1


async def proxy_only(args):
    upstreams = [parse_hostport(s) for s in args.upstream.split(",")]
    recorder = Recorder(os.path.abspath(args.out))
    recorder.session = Session(args.label, API_NAMES.values(),
                               {name: args.repeat for name in API_NAMES.values()})
    proxy = Proxy(upstreams, recorder)
    await proxy.start(first_port=args.listen_port)
    print(proxy.bootstrap(), flush=True)
    await asyncio.Event().wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="mode")
    cap = sub.add_parser("capture", help="mock cluster + proxy + all scenarios")
    cap.add_argument("--out", default=os.path.join(
        SCRIPTS_DIR, "..", "tests", "data", "protocol"))
    cap.add_argument("--only", nargs="*", help="scenario labels to run")
    cap.add_argument("--verbose", action="store_true",
                     help="show every client's stderr")
    cap.add_argument("--no-clean", dest="clean", action="store_false",
                     help="keep old .bin files of the selected scenarios")
    prx = sub.add_parser("proxy", help="record in front of a running server")
    prx.add_argument("--upstream", required=True, help="host:port[,host:port]")
    prx.add_argument("--out", required=True)
    prx.add_argument("--label", default="client")
    prx.add_argument("--listen-port", type=int, default=0,
                     help="first listener port (default: chosen by the OS)")
    prx.add_argument("--repeat", type=int, default=1,
                     help="requests kept per API version (default 1)")
    mck = sub.add_parser("mock", help="only run librdkafka's mock cluster")
    mck.add_argument("--brokers", type=int, default=1)
    mck.add_argument("--topic", action="append", default=[],
                     help="name:partitions to create (repeatable)")
    args = parser.parse_args()
    if args.mode == "proxy":
        return asyncio.run(proxy_only(args))
    if args.mode == "mock":
        topics = [(t.split(":")[0], int(t.split(":")[1])) for t in args.topic]
        mock = MockCluster(brokers=args.brokers, topics=topics)
        print(",".join(f"{h}:{p}" for h, p in mock.brokers), flush=True)
        stop = {signal.SIGINT, signal.SIGTERM}
        signal.pthread_sigmask(signal.SIG_BLOCK, stop)
        signal.sigwait(stop)
        return 0
    if args.mode is None:
        args = cap.parse_args([])
    return asyncio.run(capture(args))


if __name__ == "__main__":
    sys.exit(main())
