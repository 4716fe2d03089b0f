"""confluent-kafka-python (python3-confluent-kafka, on librdkafka) against
rill-server.

Each scenario_* function is one ctest (see CMakeLists.txt here); run the file
with --help for the command line.
"""

import time

import scenarios
from rill_server import wait_until
from scenarios import scenario

try:
    import confluent_kafka as ck
    from confluent_kafka.admin import (AdminClient, ConfigResource,
                                       ConfigSource, NewPartitions, NewTopic)
except ImportError as e:
    ck = None
    _IMPORT_ERROR = str(e)

_GROUP = {"auto.offset.reset": "earliest", "enable.auto.commit": False,
          "session.timeout.ms": 6000, "heartbeat.interval.ms": 500,
          "fetch.wait.max.ms": 100}


def requirement():
    return None if ck else ("confluent-kafka-python is not installed: " +
                            _IMPORT_ERROR)


def produce_all(server, topic, messages, **config):
    """Produces (key, value, partition) triples, each with a header "n" =
    its index; returns the delivered messages in delivery order, failing on
    any delivery error."""
    conf = {"bootstrap.servers": server.bootstrap, "linger.ms": 5,
            "message.timeout.ms": 10000}
    conf.update(config)
    p = ck.Producer(conf)
    delivered, errors = [], []

    def on_delivery(err, msg):
        (errors if err else delivered).append(err or msg)

    for n, (key, value, partition) in enumerate(messages):
        extra = {} if partition is None else {"partition": partition}
        p.produce(topic, value=value, key=key, on_delivery=on_delivery,
                  headers=[("n", str(n).encode())], **extra)
        p.poll(0)
    left = p.flush(15)
    assert left == 0 and not errors, (left, errors)
    assert len(delivered) == len(messages), len(delivered)
    return delivered


def poll_messages(consumer, want, timeout, what):
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < want:
        if time.monotonic() >= deadline:
            raise AssertionError("%s: %d of %d messages after %.0f s" %
                                 (what, len(got), want, timeout))
        msg = consumer.poll(0.2)
        if msg is None:
            continue
        assert msg.error() is None, msg.error()
        got.append(msg)
    return got


def read_partition(server, topic, partition, count, timeout=10):
    """The first `count` messages of one partition; no group membership."""
    c = ck.Consumer({"bootstrap.servers": server.bootstrap,
                     "group.id": "reader", "enable.auto.commit": False,
                     "fetch.wait.max.ms": 100})
    try:
        c.assign([ck.TopicPartition(topic, partition, ck.OFFSET_BEGINNING)])
        return poll_messages(c, count, timeout,
                             "reading %s-%d" % (topic, partition))
    finally:
        c.close()


def scenario_producer_with_acks_all_and_zstd(server):
    topic = "ck-plain"
    values = [b"plain %d " % i * 10 for i in range(100)]
    delivered = produce_all(server, topic, [(b"k", v, None) for v in values],
                            **{"acks": "all", "compression.type": "zstd"})
    assert sorted(m.offset() for m in delivered) == list(range(100))
    msgs = read_partition(server, topic, 0, 100)
    assert [m.value() for m in msgs] == values
    assert [m.headers() for m in msgs] == [
        [("n", str(i).encode())] for i in range(100)]
    stored = server.stored_batches(topic)
    assert {b.codec for b in stored} == {"zstd"}, stored
    assert {b.producer_id for b in stored} == {-1}, stored


def scenario_idempotent_producer_writes_each_record_once(server):
    topic = "ck-idempotent"
    count = 500
    values = [b"idem %d" % i for i in range(count)]
    delivered = produce_all(
        server, topic, [(None, v, 0) for v in values],
        **{"enable.idempotence": True, "compression.type": "lz4",
           "batch.num.messages": 50})
    assert [m.offset() for m in delivered] == list(range(count))
    msgs = read_partition(server, topic, 0, count)
    assert [m.value() for m in msgs] == values
    # Every batch carries the producer id and sequences that follow on.
    stored = server.stored_batches(topic)
    assert len({b.producer_id for b in stored}) == 1, stored
    assert stored[0].producer_id >= 0 and stored[0].producer_epoch >= 0
    expected_sequence = 0
    for b in stored:
        assert b.base_sequence == expected_sequence, stored
        expected_sequence += b.records_count
    assert expected_sequence == count
    assert {b.codec for b in stored} == {"lz4"}, stored


@scenario(timeout=30, overrides={"num.partitions": "3"})
def scenario_consumer_group_commits_and_a_second_member_resumes(server):
    topic, group = "ck-group", "ck-group-1"
    produce_all(server, topic, [(None, b"v%d" % i, i % 3) for i in range(30)])

    first = ck.Consumer(dict(_GROUP, **{"bootstrap.servers": server.bootstrap,
                                        "group.id": group}))
    first.subscribe([topic])
    msgs = poll_messages(first, 30, 15, "first member")
    assert sorted(m.value() for m in msgs) == sorted(
        b"v%d" % i for i in range(30))
    assert len({(m.partition(), m.offset()) for m in msgs}) == 30
    first.commit(asynchronous=False)
    partitions = [ck.TopicPartition(topic, n) for n in range(3)]
    committed = first.committed(partitions, timeout=10)
    assert [tp.offset for tp in committed] == [10, 10, 10], committed
    first.close()

    second = ck.Consumer(dict(_GROUP, **{"bootstrap.servers": server.bootstrap,
                                         "group.id": group}))
    try:
        got = []
        second.subscribe([topic])

        def assigned():
            msg = second.poll(0.1)
            if msg is not None:
                got.append(msg)
            return len(second.assignment()) == 3

        wait_until(assigned, 15, "the second member's assignment")
        produce_all(server, topic, [(None, b"new", 1)])
        got += poll_messages(second, 1, 10, "second member")
        # Only the record produced after the commit is delivered again.
        assert [(m.partition(), m.offset(), m.value()) for m in got] == [
            (1, 10, b"new")], got
    finally:
        second.close()


def scenario_admin_creates_describes_grows_and_deletes_topics(server):
    admin = AdminClient({"bootstrap.servers": server.bootstrap})
    topic = "ck-adm"
    futures = admin.create_topics(
        [NewTopic(topic, num_partitions=2, replication_factor=1,
                  config={"cleanup.policy": "compact",
                          "retention.ms": "3600000"})],
        operation_timeout=10, request_timeout=15)
    futures[topic].result(timeout=15)

    md = admin.list_topics(timeout=10)
    assert sorted(md.topics[topic].partitions) == [0, 1], md.topics[topic]
    assert list(md.brokers) == [0] and md.controller_id == 0, md.brokers
    assert md.cluster_id, md
    broker = md.brokers[0]
    assert "%s:%d" % (broker.host, broker.port) == server.bootstrap, broker

    try:
        admin.create_topics([NewTopic(topic, 1, 1)],
                            request_timeout=15)[topic].result(timeout=15)
        raise AssertionError("creating an existing topic succeeded")
    except ck.KafkaException as e:
        assert e.args[0].code() == ck.KafkaError.TOPIC_ALREADY_EXISTS, e

    resource = ConfigResource("topic", topic)
    entries = admin.describe_configs(
        [resource], request_timeout=15)[resource].result(timeout=15)
    assert entries["cleanup.policy"].value == "compact", entries
    assert ConfigSource(entries["cleanup.policy"].source) == (
        ConfigSource.DYNAMIC_TOPIC_CONFIG), entries["cleanup.policy"]
    assert not entries["cleanup.policy"].is_default
    assert entries["retention.ms"].value == "3600000", entries
    # Kafka lists every topic config, the defaults too.
    assert entries["segment.bytes"].value.isdigit(), entries
    assert ConfigSource(entries["segment.bytes"].source) != (
        ConfigSource.DYNAMIC_TOPIC_CONFIG), entries["segment.bytes"]
    broker_resource = ConfigResource("broker", "0")
    broker_entries = admin.describe_configs(
        [broker_resource], request_timeout=15)[broker_resource].result(15)
    assert broker_entries["num.partitions"].value == "1", broker_entries

    admin.create_partitions([NewPartitions(topic, 4)], request_timeout=15)[
        topic].result(timeout=15)
    wait_until(lambda: len(admin.list_topics(topic, timeout=10).topics[
        topic].partitions) == 4, 10, "4 partitions")
    try:
        admin.create_partitions([NewPartitions(topic, 3)], request_timeout=15)[
            topic].result(timeout=15)
        raise AssertionError("shrinking a topic succeeded")
    except ck.KafkaException as e:
        assert e.args[0].code() == ck.KafkaError.INVALID_PARTITIONS, e

    admin.delete_topics([topic], operation_timeout=10, request_timeout=15)[
        topic].result(timeout=15)
    wait_until(lambda: topic not in admin.list_topics(timeout=10).topics, 10,
               "the deleted topic to go")


if __name__ == "__main__":
    scenarios.run(globals(), requirement)
