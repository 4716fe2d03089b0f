"""A rill-server process for client interop tests.

RillServer owns one rill-server child process and its data directory (a
temporary one unless given). start() runs the binary on a free loopback port
(with extra arguments such as --cluster-size 3, then on a free port per
broker) and waits, with a deadline, for the bootstrap address it prints as
the first line of standard output (host:port, comma-separated for several
brokers); stop() sends SIGTERM and checks that the server exits with status 0
and leaves every partition log marked as cleanly shut down, so the next start
needs no recovery scan. Standard error goes to a file that failure reports
quote. Not thread-safe: one scenario drives it.
"""

import ctypes
import os
import pathlib
import selectors
import shutil
import signal
import struct
import subprocess
import tempfile
import threading
import time

# The file rill's log layer writes into a partition directory on Close() and
# removes on Open() (lib/log/format.h).
CLEAN_SHUTDOWN_MARKER = ".clean-shutdown"

# Byte layout of a RecordBatch v2 header (KAFKA-PROTOCOL.md).
_BATCH_HEADER = struct.Struct(">qiibIhiqqqhii")
CODEC_NAMES = {0: "none", 1: "gzip", 2: "snappy", 3: "lz4", 4: "zstd"}

_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """Runs in the child: a killed test process takes its server with it."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


class ServerError(AssertionError):
    """The server did not start or stop as it should."""


class StoredBatch:
    """The header fields of one record batch in a partition's segment files."""

    def __init__(self, fields):
        (self.base_offset, self.length, self.leader_epoch, self.magic,
         self.crc, self.attributes, self.last_offset_delta,
         self.base_timestamp, self.max_timestamp, self.producer_id,
         self.producer_epoch, self.base_sequence,
         self.records_count) = fields

    @property
    def codec(self):
        return CODEC_NAMES.get(self.attributes & 0x7, "unknown")

    @property
    def is_control(self):
        return bool(self.attributes & 0x20)

    def __repr__(self):
        return ("StoredBatch(base_offset=%d, records=%d, codec=%s, "
                "producer_id=%d, base_sequence=%d)" %
                (self.base_offset, self.records_count, self.codec,
                 self.producer_id, self.base_sequence))


class RillServer:
    """One rill-server process; see the module comment."""

    def __init__(self, binary, overrides=None, data_dir=None,
                 start_timeout=15.0, stop_timeout=15.0, extra_args=None):
        self.binary = str(binary)
        self.overrides = dict(overrides or {})
        self.extra_args = list(extra_args or [])
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self._own_dir = data_dir is None
        self._root = pathlib.Path(
            tempfile.mkdtemp(prefix="rill-interop-")
            if data_dir is None else data_dir)
        self.data_dir = self._root / "data"
        self._stderr_path = self._root / "server.stderr"
        self._stderr_file = None
        self._proc = None
        self._stdout_rest = []
        self.bootstrap = None
        self.starts = 0

    # -- lifecycle ---------------------------------------------------------

    def start(self):
        """Starts the server and returns its bootstrap address."""
        if self._proc is not None:
            raise ServerError("rill-server is already running")
        args = [self.binary, "--listeners", "PLAINTEXT://127.0.0.1:0",
                "--log-dirs", str(self.data_dir)]
        for name, value in sorted(self.overrides.items()):
            args += ["--override", "%s=%s" % (name, value)]
        args += self.extra_args
        self._stderr_file = open(self._stderr_path, "ab")
        self._stderr_file.write(
            ("---- start %d: %s\n" % (self.starts + 1, " ".join(args))).encode())
        self._stderr_file.flush()
        self._proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=self._stderr_file, preexec_fn=_die_with_parent)
        self.starts += 1
        line = self._read_first_line()
        for address in line.split(","):
            host, sep, port = address.rpartition(":")
            if not sep or not host or not port.isdigit():
                self._kill()
                raise ServerError(
                    "rill-server printed %r, not host:port[,host:port...]\n%s"
                    % (line, self.stderr_tail()))
        self.bootstrap = line
        drain = threading.Thread(target=self._drain_stdout, daemon=True)
        drain.start()
        return self.bootstrap

    def _read_first_line(self):
        deadline = time.monotonic() + self.start_timeout
        buf = b""
        with selectors.DefaultSelector() as sel:
            sel.register(self._proc.stdout, selectors.EVENT_READ)
            while b"\n" not in buf:
                left = deadline - time.monotonic()
                if left <= 0:
                    self._kill()
                    raise ServerError(
                        "rill-server printed no bootstrap line within %.0f s\n%s"
                        % (self.start_timeout, self.stderr_tail()))
                if not sel.select(left):
                    continue
                chunk = os.read(self._proc.stdout.fileno(), 4096)
                if not chunk:
                    code = self._proc.wait(timeout=self.stop_timeout)
                    self._proc = None
                    raise ServerError(
                        "rill-server exited with status %s before printing "
                        "its address\n%s" % (code, self.stderr_tail()))
                buf += chunk
        first, _, rest = buf.partition(b"\n")
        if rest:
            self._stdout_rest.append(rest)
        return first.decode().strip()

    def _drain_stdout(self):
        stream = self._proc.stdout
        for chunk in iter(lambda: stream.read1(4096), b""):
            self._stdout_rest.append(chunk)

    def stop(self, check_clean=True):
        """SIGTERM; checks exit status 0 and the clean-shutdown markers."""
        if self._proc is None:
            return
        proc, self._proc = self._proc, None
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=self.stop_timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise ServerError("rill-server did not exit within %.0f s of "
                              "SIGTERM\n%s" % (self.stop_timeout,
                                               self.stderr_tail()))
        finally:
            proc.stdout.close()
            self._stderr_file.close()
            self._stderr_file = None
        if code != 0:
            raise ServerError("rill-server exited with status %d on SIGTERM\n%s"
                              % (code, self.stderr_tail()))
        if check_clean:
            unmarked = [d.name for d in self.partition_dirs()
                        if not (d / CLEAN_SHUTDOWN_MARKER).exists()]
            if unmarked:
                raise ServerError(
                    "after SIGTERM these partition logs lack %s, so a restart "
                    "would scan them: %s" % (CLEAN_SHUTDOWN_MARKER, unmarked))
        self.bootstrap = None

    def restart(self):
        """Stops cleanly and starts again on the same data; new address."""
        self.stop()
        return self.start()

    def _kill(self):
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc.stdout.close()
            self._proc = None
        if self._stderr_file is not None:
            self._stderr_file.close()
            self._stderr_file = None

    def close(self):
        """Kills a server still running and removes a temporary data dir."""
        self._kill()
        if self._own_dir:
            shutil.rmtree(self._root, ignore_errors=True)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self.stop()
        finally:
            self.close()
        return False

    @property
    def running(self):
        return self._proc is not None and self._proc.poll() is None

    # -- inspection --------------------------------------------------------

    def stderr_tail(self, max_lines=60):
        try:
            lines = self._stderr_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no server stderr)"
        return "---- rill-server stderr (last %d lines):\n%s" % (
            min(max_lines, len(lines)), "\n".join(lines[-max_lines:]))

    def broker_dirs(self):
        """Each broker's data directory: broker-<i> of a cluster
        (--cluster-size), else the one data directory."""
        brokers = sorted(self.data_dir.glob("broker-*"))
        return brokers or [self.data_dir]

    def partition_dirs(self):
        """Directories holding a partition log (named <topic>-<partition>),
        of every broker."""
        if not self.data_dir.exists():
            return []
        return sorted(d for b in self.broker_dirs() for d in b.iterdir()
                      if d.is_dir() and any(d.glob("*.log")))

    def stored_batches(self, topic, partition=0):
        """The batch headers in a partition's segments, in offset order."""
        pdir = self.data_dir / ("%s-%d" % (topic, partition))
        batches = []
        for segment in sorted(pdir.glob("*.log")):
            data = segment.read_bytes()
            pos = 0
            while pos + _BATCH_HEADER.size <= len(data):
                fields = _BATCH_HEADER.unpack_from(data, pos)
                length = fields[1]
                if length <= 0 or pos + 12 + length > len(data):
                    break
                batches.append(StoredBatch(fields))
                pos += 12 + length
        return batches


def wait_until(predicate, timeout, what, interval=0.05):
    """Polls predicate until it returns a true value; AssertionError at the
    deadline naming `what`. Returns that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.1f s waiting for %s" %
                                 (timeout, what))
        time.sleep(interval)
