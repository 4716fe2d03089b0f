"""The recording proxy of capture_kafka_requests.py.

Proxy owns one 127.0.0.1 listener per upstream broker. For each client
connection it opens a connection to the matching upstream, hands every request
frame to a Recorder, then either answers it locally (an `answer` callback) or
forwards it, and releases responses to the client in request order, matched
by correlation id (acks=0 Produce gets none). Broker addresses in Metadata and
FindCoordinator responses are rewritten to the proxy's listeners: the int32
port following the host string is swapped (length-preserving). Thread-unsafe:
runs on one asyncio loop.
"""

import asyncio
import collections
import os
import struct

import kafka_wire
from kafka_wire import API_KEYS, API_NAMES

HOST = "127.0.0.1"
MAX_FRAME_BYTES = 64 << 20


def frame(payload):
    return struct.pack(">i", len(payload)) + payload


async def read_frame(reader):
    try:
        head = await reader.readexactly(4)
    except asyncio.IncompleteReadError:
        return None
    (n,) = struct.unpack(">i", head)
    if n < 8 or n > MAX_FRAME_BYTES:
        raise ValueError(f"bad frame size {n}")
    return await reader.readexactly(n)


def produce_acks(frame_bytes):
    header, r = kafka_wire.parse_request_header(frame_bytes)
    version = header["api_version"]
    if version >= 3:
        if kafka_wire.is_flexible(0, version):
            r.compact_nullable_string()
        else:
            r.nullable_string()
    return r.int16()


def fix_controller_id(payload, version):
    """Metadata v1-v8: the 2.0.2 mock reports controller id 0, which is no
    broker; admin clients then wait for a controller forever. Point it at the
    first listed broker."""
    if version < 1 or version >= kafka_wire.FIRST_FLEXIBLE[API_KEYS["Metadata"]]:
        return payload
    r = kafka_wire.Reader(payload, 4)
    if version >= 3:
        r.int32()  # throttle_time_ms
    ids = []
    for _ in range(r.int32()):
        ids.append(r.int32())
        r.nullable_string()  # host
        r.int32()  # port
        r.nullable_string()  # rack
    if version >= 2:
        r.nullable_string()  # cluster_id
    pos = r.pos
    if ids and r.int32() not in ids:
        payload = payload[:pos] + struct.pack(">i", ids[0]) + payload[pos + 4:]
    return payload


class Session:
    """Which requests to keep while one scenario runs."""

    def __init__(self, label, keep, repeat=None):
        self.label = label
        self.keep = set(keep)
        self.repeat = repeat or {}
        self.counts = collections.Counter()
        self.saved = []


class Recorder:
    """Writes kept request frames of the current session to out_dir."""

    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.session = None
        os.makedirs(out_dir, exist_ok=True)

    def record(self, frame_bytes):
        s = self.session
        if s is None:
            return
        api_key, version = struct.unpack(">hh", frame_bytes[:4])
        name = API_NAMES.get(api_key, f"Api{api_key}")
        if name not in s.keep:
            return
        limit = s.repeat.get(name, 1)
        if s.counts[(api_key, version)] >= limit:
            return
        s.counts[(api_key, version)] += 1
        n = len(s.saved) + 1
        path = os.path.join(self.out_dir, f"{s.label}-{n:02d}-{name}-v{version}.bin")
        with open(path, "wb") as f:
            f.write(frame_bytes)
        s.saved.append(os.path.basename(path))


class Proxy:
    """One listener per upstream broker; per connection, requests are recorded
    and forwarded (or answered locally) and responses released in order."""

    def __init__(self, upstreams, recorder, answer=None, fix_controller=False):
        self.upstreams = upstreams
        self.fix_controller = fix_controller
        self.recorder = recorder
        self.answer = answer
        self.listen_ports = []
        self._servers = []
        self._port_map = {}

    async def start(self, first_port=0):
        for i, (_, port) in enumerate(self.upstreams):
            want = first_port + i if first_port else 0
            server = await asyncio.start_server(
                lambda r, w, i=i: self._serve(r, w, i), HOST, want)
            self._servers.append(server)
            self.listen_ports.append(server.sockets[0].getsockname()[1])
        for (uhost, uport), lport in zip(self.upstreams, self.listen_ports):
            self._port_map[uport] = lport
        self._rewrites = [
            (uhost.encode() + struct.pack(">i", uport),
             HOST.encode() + struct.pack(">i", self._port_map[uport]))
            for uhost, uport in self.upstreams if uhost == HOST
        ]

    def bootstrap(self):
        return ",".join(f"{HOST}:{p}" for p in self.listen_ports)

    async def close(self):
        for s in self._servers:
            s.close()
            await s.wait_closed()

    def _rewrite(self, api_key, version, payload):
        if api_key not in (API_KEYS["Metadata"], API_KEYS["FindCoordinator"]):
            return payload
        for old, new in self._rewrites:
            payload = payload.replace(old, new)
        if api_key == API_KEYS["Metadata"] and self.fix_controller:
            payload = fix_controller_id(payload, version)
        return payload

    async def _serve(self, creader, cwriter, index):
        uhost, uport = self.upstreams[index]
        try:
            ureader, uwriter = await asyncio.open_connection(uhost, uport)
        except OSError:
            cwriter.close()
            return
        slots = collections.deque()  # [corr, api_key, version, payload|None]
        by_corr = {}

        def flush():
            while slots and slots[0][3] is not None:
                corr, _, _, payload = slots.popleft()
                by_corr.pop(corr, None)
                cwriter.write(frame(payload))

        async def pump_responses():
            try:
                while True:
                    payload = await read_frame(ureader)
                    if payload is None:
                        break
                    corr = struct.unpack(">i", payload[:4])[0]
                    slot = by_corr.get(corr)
                    if slot is None:
                        cwriter.write(frame(payload))
                        continue
                    slot[3] = self._rewrite(slot[1], slot[2], payload)
                    flush()
                    await cwriter.drain()
            except (ConnectionError, asyncio.IncompleteReadError):
                pass
            finally:
                cwriter.close()

        pump = asyncio.ensure_future(pump_responses())
        try:
            while True:
                payload = await read_frame(creader)
                if payload is None:
                    break
                self.recorder.record(payload)
                api_key, version, corr = struct.unpack(">hhi", payload[:8])
                local = self.answer(api_key, version, payload) if self.answer else None
                if local is not None:
                    header = struct.pack(">i", corr)
                    if (kafka_wire.is_flexible(api_key, version)
                            and api_key != API_KEYS["ApiVersions"]):
                        header += b"\x00"  # response header v1: no tags
                    slot = [corr, api_key, version, header + local]
                    slots.append(slot)
                    flush()
                    await cwriter.drain()
                    continue
                if not (api_key == API_KEYS["Produce"] and produce_acks(payload) == 0):
                    slot = [corr, api_key, version, None]
                    slots.append(slot)
                    by_corr[corr] = slot
                uwriter.write(frame(payload))
                await uwriter.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            uwriter.close()
            try:
                await asyncio.wait_for(pump, 5)
            except asyncio.TimeoutError:
                pump.cancel()
            cwriter.close()
