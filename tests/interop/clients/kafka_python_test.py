"""kafka-python (the Debian python3-kafka package) against rill-server.

Each scenario_* function is one ctest (see CMakeLists.txt here); run the file
with --help for the command line.
"""

import time

import scenarios
from rill_server import wait_until
from scenarios import scenario

try:
    import kafka
    import kafka.errors
    from kafka import TopicPartition
    from kafka.admin import KafkaAdminClient, NewTopic
except ImportError as e:
    kafka = None
    _IMPORT_ERROR = str(e)

# Client timeouts well inside a scenario's deadline.
_CLIENT = {"request_timeout_ms": 10000, "api_version_auto_timeout_ms": 5000}
_GROUP = {"session_timeout_ms": 6000, "heartbeat_interval_ms": 500,
          "fetch_max_wait_ms": 100, "auto_offset_reset": "earliest",
          "enable_auto_commit": False}


def requirement():
    return None if kafka else "kafka-python is not installed: " + _IMPORT_ERROR


def producer(server, **config):
    return kafka.KafkaProducer(bootstrap_servers=server.bootstrap,
                               max_block_ms=10000, linger_ms=5,
                               **dict(_CLIENT, **config))


def poll_records(consumer, want, timeout, what):
    """Polls until `want` records arrived; returns them in arrival order."""
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < want:
        if time.monotonic() >= deadline:
            raise AssertionError("%s: %d of %d records after %.0f s" %
                                 (what, len(got), want, timeout))
        for records in consumer.poll(timeout_ms=200).values():
            got.extend(records)
    return got


def read_partition(server, topic, partition, count):
    """The first `count` records of one partition, without a group."""
    consumer = kafka.KafkaConsumer(bootstrap_servers=server.bootstrap,
                                   group_id=None, enable_auto_commit=False,
                                   auto_offset_reset="earliest",
                                   fetch_max_wait_ms=100, **_CLIENT)
    try:
        consumer.assign([TopicPartition(topic, partition)])
        return poll_records(consumer, count, 10, "reading %s-%d" %
                            (topic, partition))
    finally:
        consumer.close()


def scenario_producer_acks_zero_one_and_all_with_gzip(server):
    topic = "kp-acks"
    count = 50
    offsets = []
    for acks in [1, "all", 0]:
        p = producer(server, acks=acks, compression_type="gzip")
        futures = [p.send(topic, key=b"k%d" % i,
                          value=b"acks=%s value %d " % (str(acks).encode(), i) * 8,
                          headers=[("seq", b"%d" % i), ("acks", str(acks).encode())])
                   for i in range(count)]
        p.flush(timeout=10)
        metas = [f.get(timeout=10) for f in futures]
        p.close(timeout=5)
        if acks != 0:  # acks=0 gets no response, so no offsets
            offsets += [m.offset for m in metas]
    assert offsets == list(range(2 * count)), offsets
    records = read_partition(server, topic, 0, 3 * count)
    assert [r.offset for r in records] == list(range(3 * count))
    for n, r in enumerate(records):
        acks, i = [1, "all", 0][n // count], n % count
        assert r.key == b"k%d" % i, r
        assert r.value == b"acks=%s value %d " % (str(acks).encode(), i) * 8, r
        assert r.headers == [("seq", b"%d" % i), ("acks", str(acks).encode())]
        assert r.timestamp_type == 0, r  # CreateTime
    stored = server.stored_batches(topic)
    assert {b.codec for b in stored} == {"gzip"}, stored


@scenario(timeout=30, overrides={"num.partitions": "3"})
def scenario_consumer_group_commits_and_a_second_member_resumes(server):
    topic, group = "kp-group", "kp-group-1"
    p = producer(server, acks="all")
    for i in range(30):
        p.send(topic, value=b"v%d" % i, partition=i % 3)
    p.flush(timeout=10)

    first = kafka.KafkaConsumer(topic, bootstrap_servers=server.bootstrap,
                                group_id=group, **dict(_CLIENT, **_GROUP))
    records = poll_records(first, 30, 15, "first member")
    assert sorted(r.value for r in records) == sorted(
        b"v%d" % i for i in range(30)), records
    assert len({(r.partition, r.offset) for r in records}) == 30
    first.commit()
    partitions = [TopicPartition(topic, n) for n in range(3)]
    assert [first.committed(tp) for tp in partitions] == [10, 10, 10]
    first.close()

    second = kafka.KafkaConsumer(topic, bootstrap_servers=server.bootstrap,
                                 group_id=group, **dict(_CLIENT, **_GROUP))
    try:
        got = []

        def assigned():
            for records in second.poll(timeout_ms=100).values():
                got.extend(records)
            return len(second.assignment()) == 3

        wait_until(assigned, 15, "the second member's assignment")
        p.send(topic, value=b"new", partition=1).get(timeout=10)
        got += poll_records(second, 1, 10, "second member")
        # Only the record produced after the commit is delivered again.
        assert [(r.partition, r.offset, r.value) for r in got] == [
            (1, 10, b"new")], got
        second.commit()
        assert second.committed(TopicPartition(topic, 1)) == 11
    finally:
        second.close()
        p.close(timeout=5)


def scenario_admin_creates_and_deletes_topics(server):
    admin = KafkaAdminClient(bootstrap_servers=server.bootstrap, **_CLIENT)
    try:
        response = admin.create_topics(
            [NewTopic("kp-adm-a", 3, 1),
             NewTopic("kp-adm-b", 1, 1,
                      topic_configs={"cleanup.policy": "compact"})],
            timeout_ms=10000)
        assert sorted(e[:2] for e in response.topic_errors) == [
            ("kp-adm-a", 0), ("kp-adm-b", 0)], response
        assert {"kp-adm-a", "kp-adm-b"} <= set(admin.list_topics())
        described = admin.describe_topics(["kp-adm-a"])
        assert len(described) == 1 and described[0]["error_code"] == 0
        assert sorted(p["partition"] for p in described[0]["partitions"]) == [
            0, 1, 2], described
        for p in described[0]["partitions"]:
            assert p["leader"] == 0 and p["replicas"] == [0], p

        try:
            admin.create_topics([NewTopic("kp-adm-a", 3, 1)], timeout_ms=10000)
            raise AssertionError("creating an existing topic succeeded")
        except kafka.errors.TopicAlreadyExistsError:
            pass
        try:
            admin.create_topics([NewTopic("kp-adm-c", 0, 1)], timeout_ms=10000)
            raise AssertionError("a topic with 0 partitions was created")
        except kafka.errors.InvalidPartitionsError:
            pass

        response = admin.delete_topics(["kp-adm-a", "kp-adm-b"],
                                       timeout_ms=10000)
        assert sorted(response.topic_error_codes) == [
            ("kp-adm-a", 0), ("kp-adm-b", 0)], response
        wait_until(lambda: not {"kp-adm-a", "kp-adm-b"} & set(
            admin.list_topics()), 10, "the deleted topics to go")
        try:
            admin.delete_topics(["kp-adm-a"], timeout_ms=10000)
            raise AssertionError("deleting a missing topic succeeded")
        except kafka.errors.UnknownTopicOrPartitionError:
            pass
    finally:
        admin.close()


def scenario_admin_lists_and_describes_groups(server):
    topic, group = "kp-described", "kp-described-group"
    p = producer(server, acks=1)
    p.send(topic, value=b"x").get(timeout=10)
    p.close(timeout=5)
    member = kafka.KafkaConsumer(topic, bootstrap_servers=server.bootstrap,
                                 group_id=group, client_id="kp-member",
                                 **dict(_CLIENT, **_GROUP))
    admin = KafkaAdminClient(bootstrap_servers=server.bootstrap, **_CLIENT)
    try:
        poll_records(member, 1, 15, "the group member")
        assert (group, "consumer") in admin.list_consumer_groups()

        [info] = admin.describe_consumer_groups([group])
        assert info.error_code == 0 and info.group == group, info
        assert info.state == "Stable", info
        assert info.protocol_type == "consumer", info
        # kafka-python offers range first, then roundrobin.
        assert info.protocol == "range", info
        [m] = info.members
        assert m.client_id == "kp-member", m
        assert m.member_metadata.subscription == [topic], m
        assert m.member_assignment.assignment == [(topic, [0])], m

        member.close()
        [info] = admin.describe_consumer_groups([group])
        assert info.state == "Empty" and info.members == [], info
        [info] = admin.describe_consumer_groups(["kp-no-such-group"])
        assert info.state == "Dead" and info.members == [], info
    finally:
        member.close()
        admin.close()


if __name__ == "__main__":
    scenarios.run(globals(), requirement)
