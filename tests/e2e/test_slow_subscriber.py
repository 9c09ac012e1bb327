#!/usr/bin/python3
"""A subscriber that stops reading, against a real pulse-launch.

The original sets SNDHWM 0, so ZeroMQ queues without limit for a stalled
subscriber and the publisher's memory grows with it. We keep that default
(nothing is lost) and add zmqpub max-queue-bytes with overflow=drop|block.

The stalled peer is python3-zmq with a tiny receive buffer and RCVHWM 1:
it reads one message (so it is surely connected and subscribed) and then
stops reading. Memory is the publisher's VmRSS/VmHWM from /proc. No sleep
decides anything: each phase waits for a condition with a deadline.
"""
import os
import re
import select
import signal
import struct
import subprocess
import sys
import time

import msgpack
import zmq

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import taplib  # noqa: E402

LAUNCH = os.environ.get("PULSE_LAUNCH", "pulse-launch")
DEADLINE = 60.0
MiB = 1024 * 1024
# under AddressSanitizer freed memory sits in a quarantine, so RSS says
# nothing about what the publisher holds: the memory checks only run in
# the normal build (drops and losses are checked in both)
SANITIZED = bool(os.environ.get("PULSE_PY_PRELOAD"))


class Publisher:
    def __init__(self, description):
        env = dict(os.environ, LC_ALL="C.UTF-8")
        self.proc = subprocess.Popen([LAUNCH, "-v", description], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, env=env)
        self.stderr = b""
        self.endpoint = self.wait_for(rb'publishing topic "[^"]*" on (tcp://[0-9.:]+)\n').decode()

    def read_stderr(self, timeout):
        ready, _, _ = select.select([self.proc.stderr], [], [], max(0.0, timeout))
        if ready:
            chunk = os.read(self.proc.stderr.fileno(), 65536)
            if chunk:
                self.stderr += chunk
                return True
        return self.proc.poll() is None

    def wait_for(self, pattern, deadline=DEADLINE):
        end = time.monotonic() + deadline
        while True:
            m = re.search(pattern, self.stderr)
            if m:
                return m.group(1)
            left = end - time.monotonic()
            assert left > 0, f"never saw {pattern!r}: {self.stderr[-2000:]!r}"
            assert self.read_stderr(min(left, 0.5)), f"pulse-launch exited: {self.stderr[-2000:]!r}"

    def status(self, key):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
        raise AssertionError(f"no {key}")

    def finish(self, interrupt=True):
        if interrupt and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        end = time.monotonic() + DEADLINE
        while self.proc.poll() is None:
            assert time.monotonic() < end, "pulse-launch did not exit"
            self.read_stderr(0.5)
        rest = self.proc.stderr.read()
        self.stderr += rest
        self.proc.stderr.close()
        return self.proc.returncode


def stalled_subscriber(endpoint, topic):
    sock = zmq.Context.instance().socket(zmq.SUB)
    sock.setsockopt(zmq.RCVHWM, 1)
    sock.setsockopt(zmq.RCVBUF, 4096)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.SUBSCRIBE, topic.encode())
    sock.connect(endpoint)
    return sock


def recv(sock, deadline=DEADLINE):
    assert sock.poll(int(deadline * 1000)), "no message"
    frames = sock.recv_multipart()
    assert len(frames) == 4, len(frames)
    _, _, count = struct.unpack(">BBI", frames[1])
    seqs = msgpack.unpackb(frames[3], raw=False)
    seqs = [r["seq"] for r in (seqs if isinstance(seqs, list) else [seqs])]
    assert len(seqs) == count, (len(seqs), count)
    return seqs


def test_unbounded_queues_everything():
    """Without max-queue-bytes (the original's behaviour) nothing is lost:
    the publisher holds what the stalled subscriber has not read."""
    # paced over about two seconds, so that the growth happens after the
    # subscriber is in and can be seen
    count = 600_000
    pub = Publisher(f"ticksrc rate=300000 batch=1000 count={count} ! msgpack ! "
                    "zmqpub topic=slow bind=tcp://127.0.0.1:* linger=-1")
    sock = None
    try:
        sock = stalled_subscriber(pub.endpoint, "slow")
        seqs = recv(sock)
        start_rss = pub.status("VmRSS")
        # stalled: the publisher must hold the rest (about 90 bytes a record)
        end = time.monotonic() + DEADLINE
        while pub.status("VmRSS") < start_rss + 8 * MiB:
            assert time.monotonic() < end, "the publisher never queued for the stalled peer"
            assert pub.read_stderr(0.1)
        grown = pub.status("VmRSS") - start_rss
        # now read everything: seq continues without a gap to the last record
        while seqs[-1] < count - 1:
            more = recv(sock)
            assert more[0] == seqs[-1] + 1, (seqs[-1], more[0])
            seqs.extend(more)
        assert seqs == list(range(seqs[0], count))
        print(f"# unbounded: publisher grew {grown / MiB:.1f} MiB for a stalled subscriber, "
              f"then delivered {len(seqs)} records without a gap")
    finally:
        if sock is not None:
            sock.close()  # with linger=-1 the publisher waits for its reader
        rc = pub.finish(interrupt=False)
    assert rc == 0, pub.stderr[-2000:]


def test_bounded_drop_keeps_memory_flat():
    bound = 4 * MiB
    pub = Publisher("ticksrc rate=0 batch=1000 ! msgpack ! "
                    f"zmqpub topic=slow bind=tcp://127.0.0.1:* max-queue-bytes={bound} "
                    "overflow=drop")
    try:
        sock = stalled_subscriber(pub.endpoint, "slow")
        recv(sock)
        start_rss = pub.status("VmRSS")
        # the warning repeats at every 1000th drop: wait for 2000 of them
        # (2000 frames of ~90 kB, far more than the bound)
        pub.wait_for(rb"(2000) dropped so far")
        peak = pub.status("VmHWM")
        sock.close()
    finally:
        rc = pub.finish()
    assert rc == 0, pub.stderr[-2000:]
    assert b"max-queue-bytes" in pub.stderr
    print(f"# drop: RSS {start_rss / MiB:.1f} MiB after the first message, "
          f"peak {peak / MiB:.1f} MiB, bound {bound / MiB:.0f} MiB, 2000+ frames dropped")
    if not SANITIZED:
        # 2000 dropped frames are ~180 MiB: kept, they would dwarf this
        assert peak < start_rss + bound + 24 * MiB, (start_rss, peak)


taplib.run([test_unbounded_queues_everything, test_bounded_drop_keeps_memory_flat])
