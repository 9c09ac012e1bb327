#!/usr/bin/python3
"""An independent subscriber for the burst and shutdown tests: Debian's
python3-zmq and python3-msgpack, written from PROTOCOL.md, in a process of
its own so that two of them receive at once without sharing a GIL.

The parent starts it with Subscriber(endpoint, topic), before the publisher
exists: ZeroMQ's SUB connect retries until the bind appears. It subscribes
to the data topic first and to WARM_TOPIC second, so once a warm-up message
arrived, the data subscription had reached the publisher too (both travel
the one connection, in order): it prints "ready". It keeps the data
messages raw while they come, so that it receives at transport speed, and
decodes them all at the end. It stops once it has the record count the
parent writes on its stdin ("expect N"), or at its deadline, and prints one
JSON line with what it found.

Run as a script by Subscriber; nothing here sleeps: every wait is a poll
with a deadline.
"""
import json
import os
import struct
import subprocess
import sys
import threading
import time

WARM_TOPIC = "warm"
DEADLINE = 60.0


def main(endpoint, topic, deadline, progress):
    import msgpack
    import zmq

    ctx = zmq.Context()
    sock = ctx.socket(zmq.SUB)
    sock.setsockopt(zmq.RCVHWM, 0)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.SUBSCRIBE, topic.encode())
    sock.setsockopt(zmq.SUBSCRIBE, WARM_TOPIC.encode())
    sock.connect(endpoint)
    print("connecting", flush=True)

    poller = zmq.Poller()
    poller.register(sock, zmq.POLLIN)
    stdin = sys.stdin.fileno()
    poller.register(stdin, zmq.POLLIN)
    pending = b""
    topic_b = topic.encode()
    ready = False
    expect = None
    quiet = None             # once the publisher is gone: stop after this long without data
    quiet_end = None
    meta_records = 0
    raw = []                 # (meta record count, payload) of the data topic
    errors = []
    t_first = t_last = None
    stamps = []              # frame 3 of the first and the last data message
    last_stamp = None
    warm_after_data = False
    progress_at = progress   # records; "progress" tells the parent data flows
    end = time.monotonic() + deadline
    while expect is None or meta_records < expect:
        now = time.monotonic()
        if now >= end:
            errors.append(f"deadline: {meta_records} records, expected {expect}")
            break
        if quiet_end is not None and now >= quiet_end:
            errors.append(f"nothing more came {quiet} s after the publisher exited: "
                          f"{meta_records} records, expected {expect}")
            break
        for item, _ in poller.poll(int(min(end - now, 0.2) * 1000)):
            if item != sock:
                # os.read, not readline: a buffered stream would keep a
                # second command where poll() cannot see it
                chunk = os.read(stdin, 4096)
                if not chunk:
                    poller.unregister(stdin)
                pending += chunk
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    if line.startswith(b"expect "):
                        expect = int(line.split()[1])
                    elif line.startswith(b"quiet "):
                        quiet = float(line.split()[1])
                        quiet_end = time.monotonic() + quiet
                continue
            # everything queued, without going back to poll
            while True:
                try:
                    frames = sock.recv_multipart(zmq.NOBLOCK)
                except zmq.Again:
                    break
                now = time.monotonic()
                if len(frames) != 4 or len(frames[1]) != 6 or len(frames[2]) != 8:
                    errors.append(f"malformed: {[len(f) for f in frames]} bytes per frame")
                    continue
                if frames[0] == WARM_TOPIC.encode():
                    if not ready:
                        ready = True
                        warm_after_data = bool(raw)
                        print("ready", flush=True)
                    continue
                if frames[0] != topic_b:
                    errors.append(f"topic {frames[0]!r}")
                    continue
                msg_type, flags, count = struct.unpack(">BBI", frames[1])
                if msg_type != 1 or flags != 0:
                    errors.append(f"msg_type {msg_type}, flags {flags:#x}")
                (stamp,) = struct.unpack(">q", frames[2])
                if t_first is None:
                    t_first = now
                    stamps.append(stamp)
                t_last = now
                if quiet_end is not None:
                    quiet_end = now + quiet
                last_stamp = stamp
                meta_records += count
                raw.append((count, frames[3]))
                if progress_at and meta_records >= progress_at:
                    progress_at = 0
                    print(f"progress {meta_records}", flush=True)
                if expect is not None and meta_records >= expect:
                    break
    if raw:
        stamps.append(last_stamp)

    # decode everything: each payload a msgpack list of maps (or one map),
    # as many as its meta says, seq following on from the message before
    decoded = 0
    next_seq = 0
    first_seq = None
    for count, payload in raw:
        try:
            records = msgpack.unpackb(payload, raw=False)
        except Exception as e:  # noqa: BLE001 - reported, not hidden
            errors.append(f"undecodable payload: {e}")
            continue
        if isinstance(records, dict):
            records = [records]
        if len(records) != count:
            errors.append(f"meta says {count} records, payload has {len(records)}")
        seqs = [r["seq"] for r in records]
        if first_seq is None and seqs:
            first_seq = seqs[0]
        if seqs != list(range(next_seq, next_seq + len(seqs))):
            if len(errors) < 20:
                errors.append(f"seq {seqs[:3]}… where {next_seq} was due")
            next_seq = seqs[-1] + 1 if seqs else next_seq
        else:
            next_seq += len(seqs)
        decoded += len(records)
    result = {
        "ready": ready,
        "warm_after_data": warm_after_data,
        "messages": len(raw),
        "meta_records": meta_records,
        "decoded": decoded,
        "first_seq": first_seq,
        "last_seq": next_seq - 1,
        "errors": errors,
        "receive_s": (t_last - t_first) if raw else 0.0,
        "send_s": (stamps[-1] - stamps[0]) / 1e9 if raw else 0.0,
    }
    print("result " + json.dumps(result), flush=True)
    sock.close()
    ctx.term()


class Subscriber:
    """subpeer.py as a child process, with its stdout read line by line."""

    def __init__(self, endpoint, topic, deadline=DEADLINE, progress=50_000):
        env = dict(os.environ)
        env.pop("LD_PRELOAD", None)   # an uninstrumented interpreter
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), endpoint, topic, str(deadline),
             str(progress)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
            text=True)
        self.lines = []
        self.err = []
        self.cond = threading.Condition()
        self.closed = False
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines, True),
                         daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stderr, self.err, False),
                         daemon=True).start()

    def _pump(self, stream, lines, main):
        for line in iter(stream.readline, ""):
            with self.cond:
                lines.append(line.rstrip("\n"))
                self.cond.notify_all()
        if main:
            with self.cond:
                self.closed = True
                self.cond.notify_all()

    def describe(self):
        with self.cond:
            return f"\n  subscriber stdout: {self.lines!r}\n  subscriber stderr: {''.join(self.err)!r}"

    def wait_line(self, prefix, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in self.lines:
                    if line.startswith(prefix):
                        return line
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"subscriber: no {prefix!r} within {timeout} s"
                                         + self.describe())
                if self.closed:
                    raise AssertionError(f"subscriber exited before {prefix!r}" + self.describe())
                self.cond.wait(min(left, 0.5))

    def has_line(self, prefix):
        with self.cond:
            return any(line.startswith(prefix) for line in self.lines)

    def expect(self, records):
        self.proc.stdin.write(f"expect {records}\n")
        self.proc.stdin.flush()

    def publisher_gone(self, quiet=5.0):
        """The publisher exited: whatever it sent is in the kernel already, so
        give up after quiet seconds without data instead of at the deadline.
        A subscriber that already has every record has exited: nothing to say."""
        try:
            self.proc.stdin.write(f"quiet {quiet}\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            try:
                self.proc.stdin.close()  # drops the line it could not write
            except BrokenPipeError:
                pass

    def result(self, timeout):
        line = self.wait_line("result ", timeout)
        self.proc.wait(timeout)
        return json.loads(line[len("result "):])

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def free_port():
    """A loopback port nobody listens on now. The subscribers connect to it
    before the publisher binds it, so it cannot be picked by ZeroMQ."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def zmqpub_drains_at_eos():
    """Whether zmqpub waits at EOS until ZeroMQ has written out what it
    accepted (it came with max-queue-bytes); before that, frames ZeroMQ
    still held when the process exited were lost."""
    out = subprocess.run([os.environ["PULSE_INSPECT"], "--json", "zmqpub"], capture_output=True,
                         text=True, check=True).stdout
    return "max-queue-bytes" in out


def burst_pipeline(endpoint, topic, count, start_delay, warm_count=0, name="burstpub"):
    """ticksrc back to back, 1,000 records a frame, after start_delay; and a
    slow warm-up chain on the same socket that tells the subscribers their
    subscriptions are in place (warm_count 0: endless)."""
    return (f"ticksrc rate=0 batch=1000 count={count} start-delay={start_delay} ! msgpack ! "
            f"zmqpub name={name} topic={topic} bind={endpoint}  "
            f"ticksrc rate=20 count={warm_count} ! msgpack ! zmqpub topic={WARM_TOPIC} "
            f"bind={endpoint}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))
