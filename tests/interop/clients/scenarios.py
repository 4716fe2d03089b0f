"""Runs one client suite's scenarios, each against a fresh rill-server.

A suite module defines functions named scenario_<name>(server), optionally
decorated with @scenario(timeout=..., overrides={...}, args=[...]) (args: more
rill-server arguments, such as ["--cluster-size", "3"]), and ends with
`scenarios.main(globals(), requirement)`. The command line is

  <suite>.py --server <rill-server binary> [--only <name>]...
             [--show-server-log] [--list]

Each scenario gets its own server on a free port and temporary data dir, a
hard deadline (an alarm that raises in the scenario; past a grace period,
a stack dump and exit), and afterwards the server is stopped with SIGTERM
(exit status 0, clean-shutdown markers), started again on the same data and
stopped again. `requirement()` returns None or the reason the suite cannot
run here (a client not installed); then the exit status is 77, which ctest
reports as skipped. Exit status 1 if any scenario failed.
"""

import argparse
import faulthandler
import signal
import sys
import time
import traceback

from rill_server import RillServer

SKIP_EXIT_CODE = 77

# Server settings every scenario starts with: joins complete at once, as in a
# test cluster, and topics are auto-created with one partition.
DEFAULT_OVERRIDES = {
    "group.initial.rebalance.delay.ms": "0",
    "num.partitions": "1",
}

_DEFAULT_TIMEOUT = 20.0
_HARD_EXIT_GRACE = 10.0


class ScenarioTimeout(AssertionError):
    """The scenario ran past its deadline."""


def scenario(timeout=_DEFAULT_TIMEOUT, overrides=None, args=None):
    """Sets a scenario's deadline (seconds), extra server settings and extra
    rill-server arguments."""

    def mark(fn):
        fn.scenario_timeout = timeout
        fn.scenario_overrides = dict(overrides or {})
        fn.scenario_args = list(args or [])
        return fn

    return mark


def _on_alarm(signum, frame):
    raise ScenarioTimeout("scenario deadline passed")


def _run_one(name, fn, binary, show_server_log):
    timeout = getattr(fn, "scenario_timeout", _DEFAULT_TIMEOUT)
    overrides = dict(DEFAULT_OVERRIDES)
    overrides.update(getattr(fn, "scenario_overrides", {}))
    server = RillServer(binary, overrides=overrides,
                        extra_args=getattr(fn, "scenario_args", []))
    started = time.monotonic()
    failure = None
    ran = None
    faulthandler.dump_traceback_later(timeout + _HARD_EXIT_GRACE, exit=True)
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        server.start()
        fn(server)
        ran = time.monotonic() - started
        signal.setitimer(signal.ITIMER_REAL, 0)
        server.stop()
        # A clean stop means the next start needs no recovery: prove the data
        # opens again and the server stops cleanly once more.
        server.start()
        server.stop()
    except BaseException:  # report everything, including the alarm
        failure = traceback.format_exc()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        faulthandler.cancel_dump_traceback_later()
        tail = server.stderr_tail()
        server.close()
    elapsed = time.monotonic() - started
    if failure is None:
        print("PASS %s (%.1f s; the scenario %.1f s, stop and restart %.1f s)"
              % (name, elapsed, ran, elapsed - ran), flush=True)
        if show_server_log:
            print(tail, flush=True)
        return True
    print("FAIL %s (%.1f s)\n%s\n%s" % (name, elapsed, failure, tail),
          flush=True)
    return False


def main(suite_globals, requirement):
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", help="path of the rill-server binary")
    parser.add_argument("--only", action="append", default=[],
                        help="run only this scenario (repeatable)")
    parser.add_argument("--show-server-log", action="store_true",
                        help="print the server's stderr after passes too")
    parser.add_argument("--list", action="store_true",
                        help="print the scenario names and exit")
    args = parser.parse_args()

    found = [(name[len("scenario_"):], fn)
             for name, fn in suite_globals.items()
             if name.startswith("scenario_") and callable(fn)]
    if args.list:
        for name, _ in found:
            print(name)
        return 0
    if args.only:
        unknown = set(args.only) - {name for name, _ in found}
        if unknown:
            print("unknown scenario(s): %s" % ", ".join(sorted(unknown)))
            return 2
        found = [(name, fn) for name, fn in found if name in args.only]
    if not args.server:
        parser.error("--server is required")

    reason = requirement()
    if reason:
        print("SKIP: %s" % reason, flush=True)
        return SKIP_EXIT_CODE

    failed = [name for name, fn in found
              if not _run_one(name, fn, args.server, args.show_server_log)]
    if failed:
        print("%d of %d scenario(s) failed: %s" %
              (len(failed), len(found), ", ".join(failed)))
        return 1
    return 0


def run(suite_globals, requirement):
    sys.exit(main(suite_globals, requirement))
