"""rill-server --cluster-size: several replicating brokers in one process,
seen by real clients (kcat for metadata, confluent-kafka-python for topics,
acks=all produces and reads).

Each scenario_* function is one ctest (see CMakeLists.txt here); run the file
with --help for the command line.
"""

import json
import shutil
import subprocess

import scenarios
from confluent_kafka_test import read_partition
from rill_server import wait_until
from scenarios import scenario

try:
    import confluent_kafka as ck
    from confluent_kafka.admin import AdminClient, NewTopic
except ImportError as e:
    ck = None
    _IMPORT_ERROR = str(e)

KCAT = shutil.which("kcat") or shutil.which("kafkacat")

_CLUSTER = ["--cluster-size", "3"]
# Bounds each run of the binary that must refuse to start.
_REFUSAL_TIMEOUT = 10


def requirement():
    if not KCAT:
        return "kcat is not installed"
    if ck is None:
        return "confluent-kafka-python is not installed: " + _IMPORT_ERROR
    return None


def metadata(server, *args):
    """kcat -L -J against the server, as a dict."""
    cmd = [KCAT, "-b", server.bootstrap, "-L", "-J", "-m", "5"] + list(args)
    done = subprocess.run(cmd, capture_output=True, timeout=15)
    assert done.returncode == 0, (cmd, done.stderr.decode(errors="replace"))
    return json.loads(done.stdout)


def check_brokers(server):
    """The metadata lists three brokers 0..2, each at its bootstrap entry."""
    addresses = server.bootstrap.split(",")
    assert len(addresses) == 3 and len(set(addresses)) == 3, server.bootstrap
    md = metadata(server)
    brokers = sorted((b["id"], b["name"]) for b in md["brokers"])
    assert brokers == [(i, addresses[i]) for i in range(3)], md["brokers"]


def fully_replicated(server, topic, partitions):
    """Every partition of `topic` has three replicas, all in sync, and a
    leader."""
    topics = {t["topic"]: t for t in metadata(server, "-t", topic)["topics"]}
    parts = topics.get(topic, {}).get("partitions", [])
    return len(parts) == partitions and all(
        len(p["replicas"]) == 3 and len(p["isrs"]) == 3 and p["leader"] >= 0
        for p in parts)


def produce_acks_all(server, topic, values_by_partition):
    p = ck.Producer({"bootstrap.servers": server.bootstrap, "acks": "all",
                     "enable.idempotence": True, "linger.ms": 5,
                     "message.timeout.ms": 15000})
    errors = []

    def on_delivery(err, msg):
        if err:
            errors.append(err)

    for partition, values in values_by_partition.items():
        for v in values:
            p.produce(topic, value=v, partition=partition,
                      on_delivery=on_delivery)
            p.poll(0)
    left = p.flush(20)
    assert left == 0 and not errors, (left, errors)


def read_values(server, topic, partition, count):
    """The first `count` values of one partition, read from its leader."""
    return [m.value() for m in
            read_partition(server, topic, partition, count, timeout=15)]


@scenario(timeout=50, args=_CLUSTER)
def scenario_three_brokers_replicate_acks_all_and_keep_it_across_a_restart(
        server):
    check_brokers(server)
    topic = "replicated"
    admin = AdminClient({"bootstrap.servers": server.bootstrap})
    futures = admin.create_topics(
        [NewTopic(topic, 2, 3, config={"min.insync.replicas": "2"})],
        request_timeout=10)
    futures[topic].result(timeout=15)
    wait_until(lambda: fully_replicated(server, topic, 2), 10,
               "three in-sync replicas of each partition")
    values = {p: [b"p%d-%03d" % (p, i) for i in range(100)] for p in (0, 1)}
    produce_acks_all(server, topic, values)
    for p in (0, 1):
        assert read_values(server, topic, p, 100) == values[p], p
    # Every broker keeps a replica of each partition.
    replicas = sorted("%s/%s" % (d.parent.name, d.name)
                      for d in server.partition_dirs()
                      if d.name.startswith(topic + "-"))
    assert replicas == ["broker-%d/%s-%d" % (b, topic, p)
                        for b in range(3) for p in (0, 1)], replicas

    # SIGTERM: exit 0, every replica's log marked clean; then the same
    # directory again.
    server.restart()
    check_brokers(server)
    wait_until(lambda: fully_replicated(server, topic, 2), 15,
               "three in-sync replicas of each partition after the restart")
    for p in (0, 1):
        assert read_values(server, topic, p, 100) == values[p], p
    more = {0: [b"after"]}
    produce_acks_all(server, topic, more)
    assert read_values(server, topic, 0, 101) == values[0] + more[0]
    # One broker would not find the cluster's data there.
    line = refusal(server, "--log-dirs", str(server.data_dir),
                   in_memory=False)[0]
    assert "--cluster-size" in line, line


def refusal(server, *args, in_memory=True):
    """Runs rill-server with `args`; returns its stderr lines, checking it
    exits with status 1 without printing an address."""
    cmd = ([server.binary] + (["--in-memory"] if in_memory else []) +
           ["--listeners", "PLAINTEXT://127.0.0.1:0"] + list(args))
    try:
        done = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=_REFUSAL_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise AssertionError("%s did not exit within %d s" %
                             (" ".join(cmd), _REFUSAL_TIMEOUT))
    err = done.stderr.decode(errors="replace").splitlines()
    assert done.returncode == 1, (cmd, done.returncode, err)
    assert done.stdout == b"", (cmd, done.stdout)
    assert len(err) == 1 and err[0], (cmd, err)
    return err


def scenario_bad_cluster_sizes_and_node_ids_are_refused_in_one_line(server):
    for size in ["0", "-1", "65", "1000000", "three", "99999999999", ""]:
        line = refusal(server, "--cluster-size", size)[0]
        assert "cluster" in line, (size, line)
    line = refusal(server, "--cluster-size", "3", "--node-id", "2")[0]
    assert "node.id" in line, line
    # One broker cannot have two in-sync replicas; a cluster can.
    line = refusal(server, "--override", "min.insync.replicas=2")[0]
    assert "min.insync.replicas" in line, line
    # The running single broker's directory is not a cluster's.
    line = refusal(server, "--cluster-size", "3", "--log-dirs",
                   str(server.data_dir), in_memory=False)[0]
    assert "single broker" in line, line


if __name__ == "__main__":
    scenarios.run(globals(), requirement)
