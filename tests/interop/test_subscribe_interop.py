#!/usr/bin/python3
"""Interop: our subscriber (zmqsub ! decode ! print, and PulseSubscriber)
against an independent Python publisher.

The publisher here is written from PROTOCOL.md with Debian's python3-zmq,
python3-msgpack, python3-lz4, python3-zstandard and python3-snappy — never
with our own encoder — so a shared misreading of the protocol cannot pass.

ZeroMQ's slow joiner: a SUB connected a moment ago misses what was sent
before its subscription reached the PUB. So every test keeps publishing,
round after round, until the subscriber shows what it waits for, with a
generous deadline; nothing sleeps and then asserts. Absence ("shx is not
printed") is checked through ordering: one connection delivers in order, so
once a marker sent after a message has arrived, that message has arrived
too, or never will.
"""
import base64
import json
import os
import signal
import struct
import subprocess
import sys
import threading
import time

import lz4.frame
import msgpack
import snappy
import zmq
import zstandard

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import taplib  # noqa: E402

LAUNCH = os.environ["PULSE_LAUNCH"]
DEADLINE = 60.0
ROUND = 0.05  # seconds between publishing rounds while waiting

SERIALIZERS = {"msgpack": 0, "bytes": 1, "str": 4, "json": 5}
COMPRESSIONS = {"none": 0, "snappy": 1, "lz4": 2, "zstd": 3}

RECORDS = [{"seq": 1, "symbol": "600000", "price": 10.5, "ok": True},
           {"seq": 2, "symbol": "浦发银行", "price": -0.25, "ok": False}]
TEXT = "hello, 行情 ✓"
BLOB = bytes(range(256)) * 3


# ---- the independent publisher --------------------------------------------

def serialize(serializer, obj):
    if serializer == "msgpack":
        return msgpack.packb(obj, use_bin_type=True)
    if serializer == "json":
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()
    if serializer == "str":
        return obj.encode()
    return bytes(obj)


def compress(compression, data):
    if compression == "snappy":
        return snappy.compress(data)  # raw block
    if compression == "lz4":
        return lz4.frame.compress(data)  # LZ4 frame
    if compression == "zstd":
        return zstandard.ZstdCompressor(level=3, write_content_size=True).compress(data)
    return data


def meta(msg_type, flags, record_count):
    return struct.pack(">BBI", msg_type, flags, record_count)


def now_ns():
    return struct.pack(">q", time.time_ns())


def frames(topic, serializer, compression, obj, record_count):
    flags = SERIALIZERS[serializer] | (COMPRESSIONS[compression] << 3)
    payload = compress(compression, serialize(serializer, obj))
    return [topic.encode(), meta(1, flags, record_count), now_ns(), payload]


def sample(serializer):
    """(object sent, record count, what print shows as the payload)."""
    if serializer in ("msgpack", "json"):
        return RECORDS, len(RECORDS), RECORDS
    if serializer == "str":
        return TEXT, 1, TEXT
    return BLOB, 1, base64.b64encode(BLOB).decode()


class Publisher:
    """A PUB bound to a free loopback port chosen by the kernel."""

    def __init__(self):
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.PUB)
        self.sock.setsockopt(zmq.SNDHWM, 0)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.bind("tcp://127.0.0.1:0")
        self.endpoint = self.sock.getsockopt(zmq.LAST_ENDPOINT).decode()

    def send(self, parts):
        self.sock.send_multipart(parts)

    def close(self):
        self.sock.close(0)
        self.ctx.term()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---- pulse-launch as a process --------------------------------------------

class Launch:
    """A running pulse-launch whose stdout and stderr are collected line by
    line by threads, so a test can wait for a condition while it runs."""

    def __init__(self, description):
        env = dict(os.environ, LC_ALL="C.UTF-8")
        for name in ("LANGUAGE", "LANG", "PULSE_PLUGIN_PATH"):
            env.pop(name, None)
        self.description = description
        self.out, self.err = [], []
        self.cond = threading.Condition()
        self.proc = subprocess.Popen([LAUNCH, description], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.threads = [self._pump(self.proc.stdout, self.out),
                        self._pump(self.proc.stderr, self.err)]

    def _pump(self, stream, lines):
        def run():
            for raw in iter(stream.readline, b""):
                with self.cond:
                    lines.append(raw.decode("utf-8", "replace"))
                    self.cond.notify_all()
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for thread in self.threads:
            thread.join(5)

    def describe(self):
        with self.cond:
            return (f"\n  pipeline: {self.description}\n  stdout: {''.join(self.out)[-4000:]!r}"
                    f"\n  stderr: {''.join(self.err)[-4000:]!r}")

    def records(self):
        """The JSON lines printed so far."""
        with self.cond:
            return [json.loads(line) for line in self.out if line.startswith("{")]

    def stderr(self):
        with self.cond:
            return "".join(self.err)

    def publish_until(self, publish, predicate, what, timeout=DEADLINE):
        """Calls publish() every ROUND seconds until predicate() holds."""
        deadline = time.monotonic() + timeout
        while True:
            if predicate():
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"pulse-launch exited ({self.proc.returncode}) before "
                                     f"{what}" + self.describe())
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}"
                                     + self.describe())
            publish()
            with self.cond:
                self.cond.wait(ROUND)

    def wait_for(self, predicate, what, timeout=DEADLINE):
        self.publish_until(lambda: None, predicate, what, timeout)

    def interrupt(self, timeout=DEADLINE):
        """SIGINT: zmqsub ends the stream and pulse-launch exits 0."""
        self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("pulse-launch did not exit after SIGINT" + self.describe())
        assert code == 0, f"exit status {code}" + self.describe()


def topics_seen(launch):
    return {r.get("topic") for r in launch.records()}


def check_line(line, topic, serializer, compression, record_count, payload):
    where = f"{topic}: {line!r}"
    assert line["topic"] == topic, where
    assert line["serializer"] == serializer, where
    assert line["compression"] == compression, where
    assert line["record_count"] == record_count, where
    assert line["payload"] == payload, where
    assert isinstance(line["timestamp_ns"], int) and line["timestamp_ns"] > 0, where
    # both ends on one machine: the latency is small and not negative
    # beyond clock noise
    assert -1000.0 < line["latency_ms"] < 60000.0, where


def run_pairs(pairs):
    with Publisher() as pub, \
            Launch(f"zmqsub endpoint={pub.endpoint} topics=t_ ! decode ! print") as launch:
        expected = {}
        for ser, comp in pairs:
            obj, rc, shown = sample(ser)
            topic = f"t_{ser}_{comp}"
            expected[topic] = (ser, comp, rc, shown, frames(topic, ser, comp, obj, rc))

        def publish():
            for exp in expected.values():
                pub.send(exp[4])

        launch.publish_until(publish, lambda: set(expected) <= topics_seen(launch),
                             f"a line for each of {sorted(expected)}")
        for line in launch.records():
            ser, comp, rc, shown, _ = expected[line["topic"]]
            check_line(line, line["topic"], ser, comp, rc, shown)
        assert "WARNING" not in launch.stderr(), launch.describe()
        launch.interrupt()


def test_str_and_bytes_uncompressed():
    run_pairs([("str", "none"), ("bytes", "none")])


def test_every_serializer_and_compression():
    run_pairs([(s, c) for s in SERIALIZERS for c in COMPRESSIONS])


def arrow_stream():
    """An Arrow IPC stream written by the apache-arrow npm package (no pyarrow
    in Debian), and how many rows it holds."""
    import shutil
    import tempfile
    node = shutil.which("node") or "/usr/bin/node"
    check = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "arrow",
                         "check-arrow.mjs")
    with tempfile.NamedTemporaryFile(suffix=".arrows") as f:
        p = subprocess.run([node, check, "write", "multi", f.name], capture_output=True,
                           timeout=DEADLINE)
        assert p.returncode == 0, ("run npm ci --prefix tests/arrow", p.stderr.decode())
        return f.read(), json.loads(p.stdout)["rows"]


def test_arrow_from_an_independent_writer_with_every_compression():
    """The four pyarrow pairs: a stream written by apache-arrow, compressed by
    the Python libraries, published from Python, decoded by zmqsub ! decode."""
    stream, rows = arrow_stream()
    with Publisher() as pub, \
            Launch(f"zmqsub endpoint={pub.endpoint} topics=a_ ! decode ! print") as launch:
        expected = {}
        for comp in COMPRESSIONS:
            flags = 2 | (COMPRESSIONS[comp] << 3)
            expected[f"a_{comp}"] = [f"a_{comp}".encode(), meta(1, flags, rows), now_ns(),
                                     compress(comp, stream)]

        def publish():
            for msg in expected.values():
                pub.send(msg)

        launch.publish_until(publish, lambda: set(expected) <= topics_seen(launch),
                             f"a line for each of {sorted(expected)}")
        for line in launch.records():
            comp = line["topic"][2:]
            assert line["serializer"] == "arrow" and line["compression"] == comp, line
            assert line["record_count"] == rows, line
            assert isinstance(line["payload"], list) and len(line["payload"]) == rows, line
        assert "WARNING" not in launch.stderr(), launch.describe()
        launch.interrupt()


def test_prefix_subscription():
    """topics=sh receives sh_market and shx, as ZeroMQ's prefix match does,
    and not other topics."""
    with Publisher() as pub, \
            Launch(f"zmqsub endpoint={pub.endpoint} topics=sh ! decode ! print") as launch:
        def publish():
            for topic in ("other", "shx", "sh_market"):
                pub.send(frames(topic, "str", "none", topic, 1))

        launch.publish_until(publish, lambda: {"shx", "sh_market"} <= topics_seen(launch),
                             "sh_market and shx")
        assert "other" not in topics_seen(launch), launch.describe()
        launch.interrupt()


def test_exact_topics():
    """exact-topics=true drops shx for topics=sh_market,sh; every round
    sends shx before sh_market, so once sh_market has printed, shx of the
    same round would have been too."""
    with Publisher() as pub, \
            Launch(f"zmqsub endpoint={pub.endpoint} topics=sh_market,sh exact-topics=true "
                   "! decode ! print") as launch:
        def publish():
            for topic in ("shx", "sh_market", "sh"):
                pub.send(frames(topic, "str", "none", topic, 1))

        launch.publish_until(publish, lambda: {"sh", "sh_market"} <= topics_seen(launch),
                             "sh and sh_market")
        assert "shx" not in topics_seen(launch), launch.describe()
        launch.interrupt()


def malformed_messages():
    """(topic, frames, text expected on stderr) for each way to be wrong."""
    good = frames("m_x", "str", "none", "x", 1)
    big = zstandard.ZstdCompressor(write_content_size=True).compress(b"\0" * (2 << 20))
    # a zstd frame header that claims 1 GiB: magic, single segment with an
    # 8-byte content size, then a last RLE block of one byte
    claims_1gib = (b"\x28\xb5\x2f\xfd" + bytes([0xE0]) + struct.pack("<Q", 1 << 30)
                   + struct.pack("<I", 1 | (1 << 1) | (16 << 3))[:3] + b"\0")
    msgpack_ok = msgpack.packb(RECORDS)
    return [
        ("m_frames3", [b"m_frames3", good[1], good[2]], "3 frames instead of 4"),
        ("m_frames5", [b"m_frames5", *good[1:], b"extra"], "5 frames instead of 4"),
        ("m_meta5", [b"m_meta5", good[1][:5], good[2], good[3]], "meta frame has 5 bytes"),
        ("m_ts7", [b"m_ts7", good[1], good[2][:7], good[3]], "timestamp frame has 7 bytes"),
        ("m_flags3", [b"m_flags3", meta(1, 3, 1), now_ns(), b"x"], "unknown serializer code 3"),
        ("m_lz4", [b"m_lz4", meta(1, 0x10, 2), now_ns(), b"\x04\x22\x4d\x18garbage!!"],
         'topic "m_lz4"'),
        ("m_msgpack", [b"m_msgpack", meta(1, 0x00, 2), now_ns(), msgpack_ok[:-5]],
         'topic "m_msgpack"'),
        ("m_utf8", [b"m_utf8", meta(1, 0x04, 1), now_ns(), b"ok \xff\xfe bad"],
         'topic "m_utf8"'),
        ("m_zstd1g", [b"m_zstd1g", meta(1, 0x1C, 1), now_ns(), claims_1gib], 'topic "m_zstd1g"'),
        ("m_zstd2m", [b"m_zstd2m", meta(1, 0x1C, 1), now_ns(), big], 'topic "m_zstd2m"'),
        ("m_badtopic\ufffd", [b"m_badtopic\xff", good[1], good[2], good[3]], "not valid UTF-8"),
    ]


def test_malformed_messages_are_counted_and_skipped():
    """Each malformed message is warned about (naming its topic) and the
    good messages around it still print."""
    with Publisher() as pub, \
            Launch(f"zmqsub endpoint={pub.endpoint} topics=m_ ! decode max-size=1048576 "
                   "! print") as launch:
        def marker(n):
            return frames("m_good", "str", "none", f"good {n}", 1)

        launch.publish_until(lambda: pub.send(marker(0)),
                             lambda: "m_good" in topics_seen(launch), "the first good line")
        bad = malformed_messages()
        pub.send(marker(1))
        for _topic, parts, _text in bad:
            pub.send(parts)
        pub.send([b"m_ping", meta(2, 0, 0), now_ns(), b""])  # a heartbeat: not printed
        pub.send(marker(2))
        launch.wait_for(lambda: any(r["payload"] == "good 2" for r in launch.records()),
                        "the good line after the malformed ones")
        for topic, _parts, text in bad:
            launch.wait_for(lambda: any(f'"{topic}"' in line and text in line
                                        for line in launch.stderr().splitlines()),
                            f"a warning about {topic} with {text!r}")
        printed = {r["payload"] for r in launch.records() if r["topic"] == "m_good"}
        assert {"good 1", "good 2"} <= printed, launch.describe()
        assert topics_seen(launch) == {"m_good"}, launch.describe()
        assert "m_ping" not in launch.stderr(), launch.describe()
        launch.interrupt()


# ---- PulseSubscriber through GObject Introspection ------------------------

# These run in a child interpreter: under a sanitizer build the library
# needs the sanitizer runtime preloaded (PULSE_PY_PRELOAD), which only works
# for a process that starts with it.

def run_in_child(name):
    env = dict(os.environ)
    if os.environ.get("PULSE_PY_PRELOAD"):
        env["LD_PRELOAD"] = os.environ["PULSE_PY_PRELOAD"]
        env["ASAN_OPTIONS"] = "detect_leaks=0"
    proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", name],
                          stdin=subprocess.DEVNULL, capture_output=True, env=env,
                          timeout=DEADLINE * 2)
    assert proc.returncode == 0, (f"{name} failed ({proc.returncode}):\n"
                                  + proc.stdout.decode(errors="replace")
                                  + proc.stderr.decode(errors="replace"))


def gi_pulse():
    import gi
    gi.require_version("Pulse", "1.0")
    from gi.repository import Pulse
    return Pulse


def test_gi_subscriber_receives_all_fields():
    run_in_child("child_receive")


def test_gi_subscriber_times_out():
    run_in_child("child_timeout")


def child_receive():
    Pulse = gi_pulse()
    with Publisher() as pub:
        sub = Pulse.Subscriber.new(pub.endpoint)
        sub.subscribe("gi_")
        sub.open()
        parts = frames("gi_market", "msgpack", "lz4", RECORDS, len(RECORDS))
        deadline = time.monotonic() + DEADLINE
        msg = None
        while msg is None:
            assert time.monotonic() < deadline, "no message through PulseSubscriber"
            pub.send(parts)
            msg = sub.receive(100)
        assert msg.get_topic() == "gi_market"
        assert msg.get_record_count() == 2
        assert msg.get_serializer() == "msgpack"
        assert msg.get_compression() == "lz4"
        assert msg.get_timestamp_ns() > 0
        assert bytes(msg.get_raw_payload().get_data()) == parts[3]
        assert json.loads(msg.get_payload_json()) == RECORDS
        sub.close()


def child_timeout():
    Pulse = gi_pulse()
    with Publisher() as pub:
        sub = Pulse.Subscriber.new(pub.endpoint)
        sub.subscribe("nothing_is_sent_here")
        sub.open()
        start = time.monotonic()
        assert sub.receive(200) is None
        assert time.monotonic() - start >= 0.15
        sub.close()


def test_gi_subscriber_signal_mode():
    run_in_child("child_signal_mode")


def test_gi_subscriber_reports_refused_credentials():
    run_in_child("child_auth_rejected")


def child_signal_mode():
    Pulse = gi_pulse()
    from gi.repository import GLib
    with Publisher() as pub:
        sub = Pulse.Subscriber.new(pub.endpoint)
        sub.subscribe("sig_")
        got = []
        loop = GLib.MainLoop()

        def on_message(_sub, msg):
            got.append((msg.get_topic(), json.loads(msg.get_payload_json())))
            loop.quit()

        def publish():
            pub.send(frames("sig_x", "json", "zstd", RECORDS, 2))
            return GLib.SOURCE_CONTINUE

        def give_up():
            loop.quit()
            return GLib.SOURCE_REMOVE

        sub.connect("message", on_message)
        sub.start(None)
        GLib.timeout_add(50, publish)
        GLib.timeout_add_seconds(int(DEADLINE), give_up)
        loop.run()
        sub.stop()
        assert got and got[0] == ("sig_x", RECORDS), got
        sub.close()


def child_auth_rejected():
    """A PLAIN publisher whose ZAP handler refuses the password: receive()
    raises a connect error instead of hanging, as the original did."""
    Pulse = gi_pulse()
    from gi.repository import GLib
    ctx = zmq.Context()
    zap = ctx.socket(zmq.REP)
    zap.bind("inproc://zeromq.zap.01")
    stop = threading.Event()

    def handler():
        poller = zmq.Poller()
        poller.register(zap, zmq.POLLIN)
        while not stop.is_set():
            if not poller.poll(50):
                continue
            req = zap.recv_multipart()
            ok = req[5] == b"PLAIN" and req[6] == b"alice" and req[7] == b"secret"
            zap.send_multipart([b"1.0", req[1], b"200" if ok else b"400",
                                b"OK" if ok else b"bad password", b"alice" if ok else b"", b""])

    thread = threading.Thread(target=handler, daemon=True)
    thread.start()
    pub = ctx.socket(zmq.PUB)
    pub.plain_server = True
    pub.linger = 0
    pub.bind("tcp://127.0.0.1:0")
    endpoint = pub.getsockopt(zmq.LAST_ENDPOINT).decode()
    try:
        sub = Pulse.Subscriber.new(endpoint)
        sub.set_credentials("alice", "wrong")
        sub.subscribe("")
        sub.open()
        deadline = time.monotonic() + DEADLINE
        error = None
        while error is None:
            assert time.monotonic() < deadline, "no error for refused credentials"
            try:
                assert sub.receive(200) is None
            except GLib.Error as e:
                error = e
        assert error.matches(Pulse.resource_error_quark(), Pulse.ResourceError.CONNECT), error
        assert "refused the credentials" in error.message, error.message
        sub.close()

        # the right password gets data through the same publisher
        good = Pulse.Subscriber.new(endpoint)
        good.set_credentials("alice", "secret")
        good.subscribe("")
        good.open()
        msg = None
        while msg is None:
            assert time.monotonic() < deadline, "nothing received with good credentials"
            pub.send_multipart(frames("auth_ok", "str", "none", "hi", 1))
            msg = good.receive(100)
        assert msg.get_topic() == "auth_ok" and json.loads(msg.get_payload_json()) == "hi"
        good.close()
    finally:
        stop.set()
        thread.join(5)
        pub.close(0)
        zap.close(0)
        ctx.term()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        globals()[sys.argv[2]]()
        sys.exit(0)
    taplib.run([
        test_str_and_bytes_uncompressed,
        test_every_serializer_and_compression,
        test_arrow_from_an_independent_writer_with_every_compression,
        test_prefix_subscription,
        test_exact_topics,
        test_malformed_messages_are_counted_and_skipped,
        test_gi_subscriber_receives_all_fields,
        test_gi_subscriber_times_out,
        test_gi_subscriber_signal_mode,
        test_gi_subscriber_reports_refused_credentials,
    ])
