#!/usr/bin/python3
"""Late joiners: the topic snapshot, asked for by an independent Python client.

pulse-launch publishes a finite tick feed on topic "t" with cache-size=20
and a snapshot socket, plus two endless timer feeds on the same bind ("u"
cached, "v" not) that keep the process alive after the ticks end. The
client is Debian's python3-zmq with msgpack, written from the README's
description of the snapshot protocol: send one frame, a topic prefix; get
frame 0 = N in ASCII, then N groups of the 4 PROTOCOL.md frames. Every wait
has a deadline; the end of the tick feed is noticed by polling snapshots,
never by sleeping.
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
DEADLINE = 30.0
COUNT, BATCH, CACHE = 500, 10, 20
PIPELINE = (
    f"ticksrc rate=0 count={COUNT} batch={BATCH} ! msgpack ! "
    f"zmqpub topic=t bind=tcp://127.0.0.1:* cache-size={CACHE} snapshot=tcp://127.0.0.1:* "
    "timer interval=0.05 ! zmqpub topic=u bind=tcp://127.0.0.1:* cache-size=1000 "
    "timer interval=0.05 ! zmqpub topic=v bind=tcp://127.0.0.1:* cache-size=0"
)


class Publisher:
    """pulse-launch; parses the INFO lines for the bind and snapshot addresses."""

    def __init__(self, description):
        env = dict(os.environ, LC_ALL="C.UTF-8")
        env.pop("PULSE_PLUGIN_PATH", None)
        self.started = time.time_ns()
        self.proc = subprocess.Popen([LAUNCH, description], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, env=env)
        self.stderr = b""
        self.endpoint = self.snapshot = None
        deadline = time.monotonic() + DEADLINE
        while self.endpoint is None or self.snapshot is None:
            left = deadline - time.monotonic()
            assert left > 0, f"no addresses announced: {self.stderr!r}"
            ready, _, _ = select.select([self.proc.stderr], [], [], left)
            if ready:
                chunk = os.read(self.proc.stderr.fileno(), 65536)
                assert chunk, f"pulse-launch exited: {self.stderr!r}"
                self.stderr += chunk
            m = re.search(rb'serving snapshots of topic "t" on (tcp://[0-9.:]+)\n', self.stderr)
            if m:
                self.snapshot = m.group(1).decode()
            m = re.search(rb'publishing topic "t" on (tcp://[0-9.:]+)\n', self.stderr)
            if m:
                self.endpoint = m.group(1).decode()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            rc = self.proc.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        self.stderr += self.proc.stderr.read()
        self.proc.stderr.close()
        return rc


def recv(sock):
    assert sock.poll(int(DEADLINE * 1000)), "no snapshot reply"
    return sock.recv_multipart()


def decode(parts):
    """frame 0 = N, then N groups of (topic, meta, timestamp, payload)."""
    n = int(parts[0].decode("ascii"))
    assert len(parts) == 1 + 4 * n, (n, len(parts))
    out = []
    for g in range(n):
        topic, meta, ts, payload = parts[1 + 4 * g:5 + 4 * g]
        assert len(meta) == 6 and len(ts) == 8, (meta, ts)
        msg_type, flags, count = struct.unpack(">BBI", meta)
        (stamp,) = struct.unpack(">q", ts)
        out.append((topic.decode(), msg_type, flags, count, stamp, payload))
    return out


def snapshot(prefix, sock_type=zmq.REQ, envelope=()):
    sock = zmq.Context.instance().socket(sock_type)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(PUB.snapshot)
    try:
        sock.send_multipart([*envelope, prefix.encode()])
        parts = recv(sock)
    finally:
        sock.close()
    assert parts[:len(envelope)] == list(envelope), parts[:2]
    return decode(parts[len(envelope):])


def rows(msg):
    return msgpack.unpackb(msg[5], raw=False)


def wait_for_last_tick():
    """Snapshots of "t" until the newest frame holds the last record."""
    end = time.monotonic() + DEADLINE
    while True:
        msgs = snapshot("t")
        if msgs and rows(msgs[-1])[-1]["seq"] == COUNT - 1:
            return msgs
        assert time.monotonic() < end, f"feed not finished: {len(msgs)} frames"
        time.sleep(0.02)  # poll interval, not an assertion delay


def test_snapshot_holds_the_last_frames():
    msgs = wait_for_last_tick()
    assert len(msgs) == CACHE, len(msgs)
    seqs = []
    last = PUB.started
    for topic, msg_type, flags, count, stamp, payload in msgs:
        assert topic == "t"
        assert msg_type == 1 and flags == 0x00, (msg_type, flags)
        records = rows((topic, msg_type, flags, count, stamp, payload))
        assert count == len(records) == BATCH, (count, len(records))
        # the original send time, oldest first
        assert last <= stamp <= time.time_ns(), (last, stamp)
        last = stamp
        seqs += [r["seq"] for r in records]
    assert seqs == list(range(COUNT - CACHE * BATCH, COUNT)), seqs[:3]


def test_prefix_filtering():
    wait_for_last_tick()
    everything = snapshot("")
    topics = [m[0] for m in everything]
    # sorted by topic, oldest first within each; "v" is not cached
    assert topics == sorted(topics), topics
    assert topics.count("t") == CACHE and "v" not in topics, set(topics)
    u = snapshot("u")
    assert u and all(m[0] == "u" for m in u), [m[0] for m in u]
    seqs = [rows(m)["seq"] for m in u]  # a timer record is one map
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs
    assert snapshot("v") == []
    assert snapshot("nothing") == []
    assert snapshot("tx") == []


def test_dealer_clients():
    wait_for_last_tick()
    # a DEALER that mimics REQ (empty delimiter) and a bare one
    with_delimiter = snapshot("t", zmq.DEALER, envelope=(b"",))
    bare = snapshot("t", zmq.DEALER)
    assert len(with_delimiter) == len(bare) == CACHE
    assert [m[4] for m in with_delimiter] == [m[4] for m in bare]


def test_snapshot_frames_are_what_went_out():
    """A frame a live subscriber got is in the snapshot byte for byte."""
    sub = zmq.Context.instance().socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    sub.setsockopt(zmq.SUBSCRIBE, b"u")
    sub.connect(PUB.endpoint)
    try:
        live = recv(sub)
    finally:
        sub.close()
    assert len(live) == 4 and live[0] == b"u", live
    cached = [(m[4], m[5]) for m in snapshot("u")]
    assert (struct.unpack(">q", live[2])[0], live[3]) in cached


def test_bad_snapshot_address_is_a_startup_error():
    proc = subprocess.run(
        [LAUNCH, "timer count=1 ! zmqpub topic=x bind=tcp://127.0.0.1:* snapshot=bogus://x"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=DEADLINE)
    assert proc.returncode == 2, proc
    assert b"snapshot" in proc.stderr and b"bogus://x" in proc.stderr, proc.stderr


def test_publisher_drains_on_interrupt():
    assert PUB.stop() == 0, PUB.stderr


PUB = None


def main():
    global PUB
    PUB = Publisher(PIPELINE)
    try:
        taplib.run([
            test_snapshot_holds_the_last_frames,
            test_prefix_filtering,
            test_dealer_clients,
            test_snapshot_frames_are_what_went_out,
            test_bad_snapshot_address_is_a_startup_error,
            test_publisher_drains_on_interrupt,
        ])
    finally:
        if PUB.proc.poll() is None:
            PUB.proc.kill()


if __name__ == "__main__":
    main()
