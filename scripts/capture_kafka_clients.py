#!/usr/bin/python3
"""Client scenarios for capture_kafka_requests.py (one per process).

  /usr/bin/python3 scripts/capture_kafka_clients.py <scenario> <bootstrap>

Each scenario drives one real client (confluent-kafka 1.7 on librdkafka 2.0.2,
librdkafka itself through ctypes for admin calls confluent-kafka 1.7 lacks, or
kafka-python 2.0.2) through a fixed set of calls with fixed client.id, keys
and values. The requests are what matters: behind the recording proxy the
admin APIs get empty answers, so admin results are errors and are ignored.
"""

import ctypes
import sys
import time

TOPIC = "capture"
ADMIN_TOPIC = "capture-admin"
CLIENT_ID = "rill-capture"
GROUP = "rill-capture-group"
KP_GROUP = "rill-capture-kp-group"
TXN_ID = "rill-capture-txn"
HEADERS = [("trace-id", b"0123456789"), ("source", b"rill-capture")]
RECORDS = [(b"key-1", b"value-1"), (b"key-2", b"value-2"), (b"key-3", b"value-3")]


def wait_all(futures):
    started = time.monotonic()
    for f in futures.values() if isinstance(futures, dict) else futures:
        try:
            f.result(timeout=10)
        except Exception as e:  # noqa: BLE001 - empty admin answers fail
            print(f"result: {e}", file=sys.stderr)
    print(f"waited {time.monotonic() - started:.1f}s", file=sys.stderr)


def wait_for_assignment(consumer, extra_s):
    """Polls until partitions are assigned, then extra_s more (heartbeats)."""
    deadline = time.monotonic() + 30
    assigned_at = None
    while time.monotonic() < deadline:
        consumer.poll(0.1)
        if assigned_at is None and consumer.assignment():
            assigned_at = time.monotonic()
        if assigned_at is not None and time.monotonic() - assigned_at > extra_s:
            return
    raise SystemExit("no assignment within 30 s")


# ---------------------------------------------------------- confluent-kafka


def rdkafka_group(bootstrap):
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({
        "bootstrap.servers": bootstrap, "client.id": CLIENT_ID,
        "group.id": GROUP, "enable.auto.commit": False,
        "auto.offset.reset": "earliest", "session.timeout.ms": 6000,
        "heartbeat.interval.ms": 100,
    })
    c.subscribe([TOPIC])
    wait_for_assignment(c, 1.0)
    c.commit(offsets=[TopicPartition(TOPIC, 0, 3), TopicPartition(TOPIC, 1, 2)],
             asynchronous=False)
    c.committed([TopicPartition(TOPIC, 0), TopicPartition(TOPIC, 1)], timeout=10)
    c.close()


def rdkafka_committed(bootstrap):
    """Committed offsets without joining: FindCoordinator + OffsetFetch."""
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "client.id": CLIENT_ID,
                  "group.id": GROUP, "enable.auto.commit": False})
    c.committed([TopicPartition(TOPIC, 0), TopicPartition(TOPIC, 1)], timeout=10)
    c.close()


def rdkafka_idempotent(bootstrap):
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": bootstrap, "client.id": CLIENT_ID,
                  "enable.idempotence": True, "linger.ms": 100})
    for key, value in RECORDS:
        p.produce(TOPIC, value, key, partition=0)
    if p.flush(20):
        raise SystemExit("idempotent produce not delivered")


def rdkafka_txn(bootstrap):
    from confluent_kafka import Consumer, Producer, TopicPartition
    p = Producer({"bootstrap.servers": bootstrap, "client.id": CLIENT_ID,
                  "transactional.id": TXN_ID, "linger.ms": 100})
    c = Consumer({"bootstrap.servers": bootstrap, "client.id": CLIENT_ID,
                  "group.id": GROUP, "enable.auto.commit": False})
    p.init_transactions(20)
    p.begin_transaction()
    for key, value in RECORDS:
        p.produce(TOPIC, value, key, partition=1, headers=HEADERS)
    p.send_offsets_to_transaction([TopicPartition(TOPIC, 0, 3)],
                                  c.consumer_group_metadata(), 20)
    p.commit_transaction(20)
    c.close()


def rdkafka_admin(bootstrap):
    from confluent_kafka.admin import (AdminClient, ConfigResource,
                                       NewPartitions, NewTopic)
    a = AdminClient({"bootstrap.servers": bootstrap, "client.id": CLIENT_ID})
    opts = {"request_timeout": 5}
    wait_all(a.create_topics(
        [NewTopic(ADMIN_TOPIC, num_partitions=3, replication_factor=1,
                  config={"cleanup.policy": "compact"})], **opts))
    wait_all(a.create_partitions([NewPartitions(TOPIC, 4)], **opts))
    wait_all(a.describe_configs(
        [ConfigResource(ConfigResource.Type.TOPIC, TOPIC)], **opts))
    wait_all(a.alter_configs(
        [ConfigResource(ConfigResource.Type.TOPIC, TOPIC,
                        set_config={"retention.ms": "3600000"})], **opts))
    wait_all(a.delete_topics([ADMIN_TOPIC], **opts))
    a.list_groups(timeout=10)
    librdkafka_admin(bootstrap)


def librdkafka_admin(bootstrap):
    """DeleteRecords, DeleteGroups and the KIP-518 group listing/description,
    which confluent-kafka 1.7 does not wrap, from librdkafka 2.0.2's C API."""
    vp, cp = ctypes.c_void_p, ctypes.c_char_p
    lib = ctypes.CDLL("librdkafka.so.1")
    signatures = {
        "rd_kafka_conf_new": (vp, []),
        "rd_kafka_conf_set": (ctypes.c_int, [vp, cp, cp, cp, ctypes.c_size_t]),
        "rd_kafka_new": (vp, [ctypes.c_int, vp, cp, ctypes.c_size_t]),
        "rd_kafka_queue_new": (vp, [vp]),
        "rd_kafka_queue_poll": (vp, [vp, ctypes.c_int]),
        "rd_kafka_event_destroy": (None, [vp]),
        "rd_kafka_topic_partition_list_new": (vp, [ctypes.c_int]),
        "rd_kafka_topic_partition_list_add": (vp, [vp, cp, ctypes.c_int32]),
        "rd_kafka_topic_partition_list_set_offset":
            (ctypes.c_int, [vp, cp, ctypes.c_int32, ctypes.c_int64]),
        "rd_kafka_DeleteRecords_new": (vp, [vp]),
        "rd_kafka_DeleteRecords": (None, [vp, vp, ctypes.c_size_t, vp, vp]),
        "rd_kafka_DeleteGroup_new": (vp, [cp]),
        "rd_kafka_DeleteGroups": (None, [vp, vp, ctypes.c_size_t, vp, vp]),
        "rd_kafka_ListConsumerGroups": (None, [vp, vp, vp]),
        "rd_kafka_DescribeConsumerGroups":
            (None, [vp, ctypes.POINTER(cp), ctypes.c_size_t, vp, vp]),
    }
    for name, (res, argtypes) in signatures.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = res, argtypes
    errstr = ctypes.create_string_buffer(512)
    conf = lib.rd_kafka_conf_new()
    for k, v in (("bootstrap.servers", bootstrap), ("client.id", CLIENT_ID)):
        if lib.rd_kafka_conf_set(conf, k.encode(), v.encode(), errstr, 512):
            raise SystemExit(errstr.value.decode())
    rk = lib.rd_kafka_new(0, conf, errstr, 512)
    queue = lib.rd_kafka_queue_new(rk)

    parts = lib.rd_kafka_topic_partition_list_new(1)
    lib.rd_kafka_topic_partition_list_add(parts, TOPIC.encode(), 0)
    lib.rd_kafka_topic_partition_list_set_offset(parts, TOPIC.encode(), 0, 2)
    records = (vp * 1)(lib.rd_kafka_DeleteRecords_new(parts))
    lib.rd_kafka_DeleteRecords(rk, records, 1, None, queue)
    lib.rd_kafka_event_destroy(lib.rd_kafka_queue_poll(queue, 15000))

    groups = (vp * 1)(lib.rd_kafka_DeleteGroup_new(GROUP.encode()))
    lib.rd_kafka_DeleteGroups(rk, groups, 1, None, queue)
    lib.rd_kafka_event_destroy(lib.rd_kafka_queue_poll(queue, 15000))

    lib.rd_kafka_ListConsumerGroups(rk, None, queue)
    lib.rd_kafka_event_destroy(lib.rd_kafka_queue_poll(queue, 15000))

    names = (cp * 1)(GROUP.encode())
    lib.rd_kafka_DescribeConsumerGroups(rk, names, 1, None, queue)
    lib.rd_kafka_event_destroy(lib.rd_kafka_queue_poll(queue, 15000))
    # Handles are left to process exit: this is a one-shot capture client.


# ------------------------------------------------------------- kafka-python


def kafka_python_producer(bootstrap, compression=None):
    from kafka import KafkaProducer
    p = KafkaProducer(bootstrap_servers=bootstrap, client_id=CLIENT_ID,
                      linger_ms=100, compression_type=compression)
    for key, value in RECORDS:
        p.send(TOPIC, value=value, key=key, partition=0, headers=HEADERS)
    p.flush(20)
    p.close(10)


def kafka_python_consumer(bootstrap):
    from kafka import KafkaConsumer, TopicPartition
    from kafka.structs import OffsetAndMetadata
    c = KafkaConsumer(TOPIC, bootstrap_servers=bootstrap, client_id=CLIENT_ID,
                      group_id=KP_GROUP, enable_auto_commit=False,
                      auto_offset_reset="earliest", heartbeat_interval_ms=100,
                      session_timeout_ms=6000)
    deadline = time.monotonic() + 30
    assigned_at = None
    while time.monotonic() < deadline:
        c.poll(timeout_ms=100)
        if assigned_at is None and c.assignment():
            assigned_at = time.monotonic()
        if assigned_at is not None and time.monotonic() - assigned_at > 1.0:
            break
    else:
        raise SystemExit("no assignment within 30 s")
    tp = TopicPartition(TOPIC, 0)
    c.commit({tp: OffsetAndMetadata(3, "")})
    c.committed(tp)
    c.close()


def kafka_python_admin(bootstrap):
    from kafka.admin import KafkaAdminClient, NewTopic
    a = KafkaAdminClient(bootstrap_servers=bootstrap, client_id=CLIENT_ID,
                         request_timeout_ms=5000)
    a.create_topics([NewTopic(ADMIN_TOPIC, 3, 1,
                              topic_configs={"cleanup.policy": "compact"})])
    a.delete_topics([ADMIN_TOPIC])
    a.list_consumer_groups()
    a.describe_consumer_groups([KP_GROUP])
    a.close()


SCENARIOS = {
    "rdkafka-group": rdkafka_group,
    "rdkafka-committed": rdkafka_committed,
    "rdkafka-idempotent": rdkafka_idempotent,
    "rdkafka-txn": rdkafka_txn,
    "rdkafka-admin": rdkafka_admin,
    "kafka-python-producer": kafka_python_producer,
    "kafka-python-produce-gzip":
        lambda b: kafka_python_producer(b, compression="gzip"),
    "kafka-python-consumer": kafka_python_consumer,
    "kafka-python-admin": kafka_python_admin,
}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in SCENARIOS:
        sys.exit(f"usage: {sys.argv[0]} <{'|'.join(SCENARIOS)}> <bootstrap>")
    SCENARIOS[sys.argv[1]](sys.argv[2])
