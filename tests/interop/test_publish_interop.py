#!/usr/bin/python3
"""Our publisher → an independent Python subscriber written from PROTOCOL.md.

Each case starts the real pulse-launch (or, for str and bytes, which need
string values no built-in source makes yet, a pipeline driven from Python
through GObject Introspection), subscribes with Debian's python3-zmq and
decodes every payload with the Python libraries the original uses
(msgpack, json, lz4.frame, zstandard, snappy). Nothing here uses our own
decoder. Deadlines everywhere, no sleep-then-assert: ZeroMQ's slow joiner
is handled by waiting for the first message, never by sleeping.
"""
import json
import os
import re
import select
import signal
import struct
import subprocess
import sys
import time

import lz4.frame
import msgpack
import snappy
import zmq
import zstandard

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import taplib  # noqa: E402

LAUNCH = os.environ.get("PULSE_LAUNCH", "pulse-launch")
DEADLINE = 30.0
SERIALIZERS = {"msgpack": 0, "bytes": 1, "arrow": 2, "str": 4, "json": 5}
COMPRESSIONS = {"none": 0, "snappy": 1, "lz4": 2, "zstd": 3}
FIELDS = {"symbol": "600000", "price": 10.5, "volume": 12345, "halted": False}


def decompress(name, data):
    if name == "none":
        return data
    if name == "snappy":
        return snappy.decompress(data)
    if name == "lz4":
        return lz4.frame.decompress(data)
    return zstandard.decompress(data)


class Publisher:
    """pulse-launch with a zmqpub bound to a free loopback port."""

    def __init__(self, description, topics=None):
        env = dict(os.environ, LC_ALL="C.UTF-8")
        env.pop("PULSE_PLUGIN_PATH", None)
        self.proc = subprocess.Popen([LAUNCH, description], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, env=env)
        self.stderr = b""
        self.endpoints = {}
        deadline = time.monotonic() + DEADLINE
        want = set(topics or re.findall(r"topic=(\w+)", description))
        while not want <= set(self.endpoints):
            left = deadline - time.monotonic()
            assert left > 0, f"no endpoint announced: {self.stderr!r}"
            ready, _, _ = select.select([self.proc.stderr], [], [], left)
            if ready:
                chunk = os.read(self.proc.stderr.fileno(), 65536)
                assert chunk, f"pulse-launch exited: {self.stderr!r}"
                self.stderr += chunk
            for topic, endpoint in re.findall(rb'publishing topic "([^"]*)" on (tcp://[0-9.:]+)\n',
                                              self.stderr):
                self.endpoints[topic.decode()] = endpoint.decode()

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


def subscribe(endpoint, topics):
    ctx = zmq.Context.instance()
    sock = ctx.socket(zmq.SUB)
    sock.setsockopt(zmq.RCVHWM, 0)
    sock.setsockopt(zmq.LINGER, 0)
    for t in topics:
        sock.setsockopt(zmq.SUBSCRIBE, t.encode())
    sock.connect(endpoint)
    return sock


def receive(sock, n, deadline=DEADLINE):
    """n messages as (topic, msg_type, flags, record_count, ts, payload)."""
    out = []
    end = time.monotonic() + deadline
    while len(out) < n:
        left = end - time.monotonic()
        assert left > 0, f"received {len(out)} of {n} messages"
        if not sock.poll(int(left * 1000)):
            continue
        frames = sock.recv_multipart()
        assert len(frames) == 4, f"{len(frames)} frames"
        topic, meta, ts, payload = frames
        assert len(meta) == 6 and len(ts) == 8, (meta, ts)
        msg_type, flags, count = struct.unpack(">BBI", meta)
        (stamp,) = struct.unpack(">q", ts)
        out.append((topic.decode(), msg_type, flags, count, stamp, payload))
    return out


def check_timer_pair(ser, comp):
    fields = json.dumps(FIELDS, separators=(",", ":"))
    chain = f"timer interval=0.05 fields='{fields}' ! {ser}"
    if comp != "none":
        chain += f" ! {comp}"
    chain += " ! zmqpub topic=sh_market bind=tcp://127.0.0.1:*"
    pub = Publisher(chain)
    try:
        sock = subscribe(pub.endpoints["sh_market"], ["sh_market"])
        msgs = receive(sock, 3)
        sock.close()
    finally:
        assert pub.stop() == 0, pub.stderr
    now = time.time_ns()
    seqs = []
    for topic, msg_type, flags, count, stamp, payload in msgs:
        assert topic == "sh_market"
        assert msg_type == 1, msg_type
        assert flags == SERIALIZERS[ser] | (COMPRESSIONS[comp] << 3), hex(flags)
        assert count == 1, count
        assert 0 < now - stamp < 60 * 10**9, (now, stamp)
        raw = decompress(comp, payload)
        if ser == "msgpack":
            record = msgpack.unpackb(raw, raw=False)
        elif ser == "json":
            record = json.loads(raw.decode("utf-8"))
        else:
            # Arrow IPC stream: continuation marker, then a schema message;
            # its contents are checked by the Arrow interop test
            assert raw[:4] == b"\xff\xff\xff\xff" and raw[-8:] == b"\xff\xff\xff\xff\0\0\0\0", raw[:16]
            continue
        assert isinstance(record, dict), record
        for k, v in FIELDS.items():
            assert record[k] == v and type(record[k]) is type(v), (k, record)
        assert isinstance(record["timestamp_ns"], int)
        seqs.append(record["seq"])
    if seqs:
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs


def make_pair_test(ser, comp):
    def test():
        check_timer_pair(ser, comp)
    test.__name__ = f"test_{ser}_{comp}_reaches_a_python_subscriber"
    return test


TEXT_PIPELINE = r"""
import os, sys, gi
gi.require_version("Pulse", "1.0")
from gi.repository import GLib, Pulse
ser, comp, kind = sys.argv[1], sys.argv[2], sys.argv[3]
# built by hand: a description may not leave the serializer's input unlinked
pipeline = Pulse.Pipeline.new(None)
chain = [Pulse.ElementFactory.make(ser)]
if comp != "none":
    chain.append(Pulse.ElementFactory.make(comp))
pub = Pulse.ElementFactory.make("zmqpub")
pub.props.topic = "news"
pub.props.bind = "tcp://127.0.0.1:*"
chain.append(pub)
for element in chain:
    pipeline.add(element)
for a, b in zip(chain, chain[1:]):
    a.link(b)
first = chain[0]
templ = Pulse.PadTemplate.new("src", Pulse.PadDirection.SRC, Pulse.PadPresence.ALWAYS, Pulse.Format.RECORDS)
pad = Pulse.Pad.new_from_template(templ, "src")
Pulse.Pad.link(pad, first.get_static_pad("sink"))
pipeline.set_state(Pulse.State.PLAYING)
print(pub.props.endpoint, flush=True)
i = 0
for line in sys.stdin:
    if line.strip() == "stop":
        break
    text = "你好 %d" % i
    value = GLib.Variant("s", text) if kind == "s" else GLib.Variant("ay", bytes([0, 255, i % 256, 10]))
    pad.push(Pulse.Buffer.new_value(value))
    i += 1
pad.push_eos()
pipeline.set_state(Pulse.State.NULL)
"""


def check_text_pair(ser, comp):
    env = dict(os.environ)
    if os.environ.get("PULSE_PY_PRELOAD"):
        env["LD_PRELOAD"] = os.environ["PULSE_PY_PRELOAD"]
        env["ASAN_OPTIONS"] = "detect_leaks=0"
    kind = "s" if ser == "str" else "ay"
    proc = subprocess.Popen([sys.executable, "-c", TEXT_PIPELINE, ser, comp, kind],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True)
    try:
        endpoint = proc.stdout.readline().strip()
        assert endpoint.startswith("tcp://"), endpoint
        sock = subscribe(endpoint, ["news"])
        msgs = []
        end = time.monotonic() + DEADLINE
        # keep publishing until the subscriber is joined and has 3 messages
        while len(msgs) < 3:
            assert time.monotonic() < end, f"received {len(msgs)} messages"
            proc.stdin.write("go\n")
            proc.stdin.flush()
            if sock.poll(50):
                msgs += receive(sock, 1)
        sock.close()
        proc.stdin.write("stop\n")
        proc.stdin.flush()
        assert proc.wait(timeout=DEADLINE) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    for topic, msg_type, flags, count, stamp, payload in msgs:
        assert topic == "news" and msg_type == 1 and count == 1
        assert flags == SERIALIZERS[ser] | (COMPRESSIONS[comp] << 3), hex(flags)
        raw = decompress(comp, payload)
        if ser == "str":
            assert re.fullmatch("你好 [0-9]+", raw.decode("utf-8")), raw
        else:
            assert raw[:2] == b"\x00\xff" and raw[3:] == b"\n" and len(raw) == 4, raw


def make_text_test(ser, comp):
    def test():
        check_text_pair(ser, comp)
    test.__name__ = f"test_{ser}_{comp}_reaches_a_python_subscriber"
    return test


def test_done_when_line_feeds_an_original_style_subscriber():
    # the issue's own command line, on a free port instead of 5555
    pub = Publisher("timer interval=0.5 fields='{\"symbol\":\"600000\"}' ! msgpack ! lz4 "
                    "! zmqpub topic=sh_market bind=tcp://127.0.0.1:*")
    try:
        sock = subscribe(pub.endpoints["sh_market"], ["sh_market"])
        (topic, msg_type, flags, count, stamp, payload), = receive(sock, 1)
        sock.close()
    finally:
        assert pub.stop() == 0, pub.stderr
    assert (topic, msg_type, flags, count) == ("sh_market", 1, 0x10, 1)
    record = msgpack.unpackb(lz4.frame.decompress(payload), raw=False)
    assert record["symbol"] == "600000" and isinstance(record["seq"], int), record


def test_two_zmqpubs_share_one_socket_and_prefixes_filter():
    pub = Publisher("timer interval=0.05 ! tee name=t "
                    "t. ! msgpack ! zmqpub topic=sh_market bind=tcp://127.0.0.1:* "
                    "t. ! json ! zmqpub topic=sz_market bind=tcp://127.0.0.1:*")
    try:
        assert pub.endpoints["sh_market"] == pub.endpoints["sz_market"], pub.endpoints
        sock = subscribe(pub.endpoints["sh_market"], ["sh"])
        msgs = receive(sock, 5)
        sock.close()
        both = subscribe(pub.endpoints["sh_market"], [""])
        topics = {m[0] for m in receive(both, 10)}
        both.close()
    finally:
        assert pub.stop() == 0, pub.stderr
    assert {m[0] for m in msgs} == {"sh_market"}, msgs
    assert topics == {"sh_market", "sz_market"}, topics


def test_records_into_zmqpub_are_msgpack():
    pub = Publisher("timer interval=0.05 ! zmqpub topic=x bind=tcp://127.0.0.1:*")
    try:
        sock = subscribe(pub.endpoints["x"], ["x"])
        (topic, msg_type, flags, count, stamp, payload), = receive(sock, 1)
        sock.close()
    finally:
        assert pub.stop() == 0, pub.stderr
    assert flags == 0x00 and count == 1
    assert set(msgpack.unpackb(payload)) == {"seq", "timestamp_ns"}


def test_heartbeat_sends_ping_on_a_quiet_topic():
    # one record, then an hour of quiet on the topic: PINGs fill it
    pub = Publisher("timer interval=1h ! zmqpub topic=hb heartbeat=100ms bind=tcp://127.0.0.1:*")
    try:
        sock = subscribe(pub.endpoints["hb"], ["hb"])
        msgs = receive(sock, 2)
        sock.close()
    finally:
        pub.stop()
    pings = [m for m in msgs if m[1] == 2]
    assert pings, msgs
    for topic, msg_type, flags, count, stamp, payload in pings:
        assert topic == "hb" and count == 0 and payload == b""


TESTS = [make_pair_test(s, c) for s in ("msgpack", "json", "arrow") for c in COMPRESSIONS]
TESTS += [make_text_test(s, c) for s in ("str", "bytes") for c in COMPRESSIONS]
TESTS += [
    test_done_when_line_feeds_an_original_style_subscriber,
    test_two_zmqpubs_share_one_socket_and_prefixes_filter,
    test_records_into_zmqpub_are_msgpack,
    test_heartbeat_sends_ping_on_a_quiet_topic,
]

if __name__ == "__main__":
    taplib.run(TESTS)
