#!/usr/bin/python3
"""Producers written in Python (PyGObject): the producer element from Pulse-1.0.

What the original's @pub.producer / @pub.burst_producer do, done here from
Python: a function connected to the "produce" signal (or given to
set_callback) makes values as GLib.Variant, the element sends them down the
pipeline, into msgpack and a fakesink or a zmqpub that Debian's python3-zmq
subscribes to; burst mode ends with end-of-stream; push() sends values
whenever Python has them. Every wait has a deadline; nothing sleeps then
asserts.
"""
import os
import struct
import sys
import threading
import time

import gi

gi.require_version("Pulse", "1.0")
from gi.repository import GLib, Pulse  # noqa: E402

import msgpack  # noqa: E402
import zmq  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taplib  # noqa: E402

DEADLINE_S = 20


def record(seq, symbol="600000", price=10.5):
    """One record as the a{sv} map a producer returns."""
    return GLib.Variant("a{sv}", {
        "seq": GLib.Variant("x", seq),
        "symbol": GLib.Variant("s", symbol),
        "price": GLib.Variant("d", price),
    })


def run_until(pipeline, stop_types, on_message=None, start=True):
    """Plays pipeline on a main loop until a message of stop_types; returns
    the WARNING texts seen, as "src-path: message"."""
    loop = GLib.MainLoop()
    warnings = []
    seen = []
    timed_out = []

    def watch(bus, message):
        mtype = message.get_message_type()
        seen.append(mtype)
        if mtype == Pulse.MessageType.WARNING:
            error, _ = message.parse_warning()
            warnings.append(f"{message.get_src_path()}: {error.message}")
        if mtype == Pulse.MessageType.ERROR:
            error, _ = message.parse_error()
            warnings.append(f"ERROR {message.get_src_path()}: {error.message}")
        if on_message is not None:
            on_message(message)
        if mtype & stop_types:
            loop.quit()
        return True

    def deadline():
        timed_out.append(True)
        loop.quit()
        return GLib.SOURCE_REMOVE

    bus = pipeline.get_bus()
    assert bus.add_watch(watch) > 0
    timeout_id = GLib.timeout_add_seconds(DEADLINE_S, deadline)
    try:
        if start:
            assert pipeline.set_state(Pulse.State.PLAYING)
        loop.run()
    finally:
        if not timed_out:
            GLib.source_remove(timeout_id)
        bus.remove_watch()
    assert not timed_out, f"no {stop_types} within {DEADLINE_S} s; saw {seen} {warnings}"
    return warnings


def collect_payloads(sink):
    """Keeps (record_count, payload bytes) of every buffer the fakesink gets."""
    got = []

    def handoff(element, buffer):
        got.append((buffer.get_record_count(), bytes(buffer.get_bytes().get_data())))

    sink.props.signal_handoffs = True
    sink.connect("handoff", handoff)
    return got


def test_signal_producer_every_interval():
    pipeline = Pulse.parse_launch(
        "producer name=p interval=0.02 count=5 ! msgpack ! fakesink name=sink")
    producer = pipeline.get_by_name("p")
    assert isinstance(producer, Pulse.Producer), type(producer)
    assert producer.props.cache_size == 100000
    got = collect_payloads(pipeline.get_by_name("sink"))
    calls = []

    def produce(element):
        # interval mode: on the thread of the main loop, here the main thread
        calls.append((threading.current_thread() is threading.main_thread(), time.monotonic()))
        return record(len(calls))

    producer.connect("produce", produce)
    warnings = run_until(pipeline, Pulse.MessageType.EOS | Pulse.MessageType.ERROR)
    pipeline.set_state(Pulse.State.NULL)
    assert warnings == [], warnings
    assert [on_main for on_main, _ in calls] == [True] * 5, calls
    records = [msgpack.unpackb(payload, raw=False) for _, payload in got]
    assert records == [{"seq": i, "symbol": "600000", "price": 10.5} for i in range(1, 6)], records
    assert [count for count, _ in got] == [1] * 5
    assert producer.props.produced == 5
    # 4 periods of 20 ms at least: the calls follow the grid
    assert calls[-1][1] - calls[0][1] >= 0.075, calls


def test_every_value_type():
    """What the original's producers return, as GLib.Variant: the payload
    and the record count the original's publisher would send."""
    table = GLib.Variant("a{sv}", {
        "seq": GLib.Variant("ax", [1, 2, 3]),
        "price": GLib.Variant("ad", [10.5, 10.6, 10.7]),
        "sym": GLib.Variant("as", ["600000", "600036", "601318"]),
    })
    cases = [
        # (value, record count, what msgpack carries)
        (record(1), 1, {"seq": 1, "symbol": "600000", "price": 10.5}),
        (GLib.Variant("aa{sv}", [{"seq": GLib.Variant("x", 1)}, {"seq": GLib.Variant("x", 2)}]), 2,
         [{"seq": 1}, {"seq": 2}]),
        (GLib.Variant("av", [record(1), record(2)]), 2,
         [{"seq": 1, "symbol": "600000", "price": 10.5},
          {"seq": 2, "symbol": "600000", "price": 10.5}]),
        (GLib.Variant("s", "行情 tick"), 1, "行情 tick"),
        (GLib.Variant("ay", b"\x00\x01raw"), 1, b"\x00\x01raw"),
        (GLib.Variant("as", ["a", "b", "c"]), 3, ["a", "b", "c"]),
        (GLib.Variant("aay", [b"x", b"yz"]), 2, [b"x", b"yz"]),
        # a DataFrame: columns in, row maps out, as the original's to_dict
        (table, 3, [{"seq": 1, "price": 10.5, "sym": "600000"},
                    {"seq": 2, "price": 10.6, "sym": "600036"},
                    {"seq": 3, "price": 10.7, "sym": "601318"}]),
        # ints of any width, records that are not flat
        (GLib.Variant("a{sv}", {"n": GLib.Variant("i", 7),
                                "levels": GLib.Variant("ai", [1, 2])}), 1,
         {"n": 7, "levels": [1, 2]}),
    ]
    pipeline = Pulse.parse_launch("producer name=p interval=0 ! msgpack ! fakesink name=sink")
    producer = pipeline.get_by_name("p")
    got = collect_payloads(pipeline.get_by_name("sink"))
    assert pipeline.set_state(Pulse.State.PLAYING)
    try:
        for value, _, _ in cases:
            assert producer.push(value)
        assert producer.push_bytes(GLib.Bytes.new(b"\xffbytes"))
        producer.end_of_stream()
        assert pipeline.is_eos()
    finally:
        pipeline.set_state(Pulse.State.NULL)
    assert len(got) == len(cases) + 1, got
    for (value, count, expected), (got_count, payload) in zip(cases, got):
        decoded = msgpack.unpackb(payload, raw=False)
        assert decoded == expected, (value.get_type_string(), decoded, expected)
        assert got_count == count, (value.get_type_string(), got_count, count)
    assert msgpack.unpackb(got[-1][1], raw=False) == b"\xffbytes"
    # the same conversion, without a pipeline
    buffer = producer.make_buffer(table)
    assert buffer.get_record_count() == 3
    assert buffer.get_records().get_shape() == Pulse.RecordShape.TABLE


def test_str_and_bytes_serializers():
    # the str and bytes serializers send a producer's strings and bytes as they are
    for serializer, value, expected in (("str", GLib.Variant("s", "纯文本"), "纯文本".encode()),
                                        ("bytes", GLib.Variant("ay", b"\x00\xff"), b"\x00\xff")):
        pipeline = Pulse.parse_launch(f"producer name=p burst=true count=2 ! {serializer} "
                                      "! fakesink name=sink")
        pipeline.get_by_name("p").connect("produce", lambda element, v=value: v)
        got = collect_payloads(pipeline.get_by_name("sink"))
        run_until(pipeline, Pulse.MessageType.EOS | Pulse.MessageType.ERROR)
        pipeline.set_state(Pulse.State.NULL)
        assert got == [(1, expected), (1, expected)], (serializer, got)


def test_burst_from_python_ends_with_eos():
    pipeline = Pulse.parse_launch("producer name=p burst=true ! msgpack ! fakesink name=sink")
    producer = pipeline.get_by_name("p")
    got = collect_payloads(pipeline.get_by_name("sink"))
    threads = set()
    n = [0]

    def produce(element):
        threads.add(threading.current_thread() is threading.main_thread())
        n[0] += 1
        # 100 values, then nothing: the stream ends
        return record(n[0]) if n[0] <= 100 else None

    producer.connect("produce", produce)
    eos_at = []
    run_until(pipeline, Pulse.MessageType.EOS | Pulse.MessageType.ERROR,
              lambda m: eos_at.append(len(got)) if m.get_message_type() == Pulse.MessageType.EOS
              else None)
    pipeline.set_state(Pulse.State.NULL)
    assert n[0] == 101, n
    assert eos_at == [100], eos_at
    assert [msgpack.unpackb(p, raw=False)["seq"] for _, p in got] == list(range(1, 101))
    # burst mode runs on the producer's own thread
    assert threads == {False}, threads


def test_errors_are_warnings_and_the_producer_goes_on():
    # set_callback: a GLib.Error raised by the callback is the failure
    pipeline = Pulse.parse_launch("producer name=feed burst=true ! msgpack ! fakesink name=sink")
    producer = pipeline.get_by_name("feed")
    got = collect_payloads(pipeline.get_by_name("sink"))
    n = [0]
    started = []

    def callback(element):
        n[0] += 1
        started.append(time.monotonic())
        if n[0] == 2:
            raise GLib.Error("the feed is down")
        return record(n[0]) if n[0] <= 4 else None

    producer.set_callback(callback)
    warnings = run_until(pipeline, Pulse.MessageType.EOS | Pulse.MessageType.ERROR)
    pipeline.set_state(Pulse.State.NULL)
    assert [msgpack.unpackb(p, raw=False)["seq"] for _, p in got] == [1, 3, 4], got
    assert len(warnings) == 1 and warnings[0].endswith(
        "/feed: feed could not produce (1 failures so far): the feed is down"), warnings
    assert producer.props.failed == 1
    # burst mode waits 100 ms after a failure
    assert started[2] - started[1] >= 0.09, started

    # the signal: a handler reports its error, then returns None
    pipeline = Pulse.parse_launch(
        "producer name=feed interval=0.01 count=4 ! msgpack ! fakesink name=sink")
    producer = pipeline.get_by_name("feed")
    got = collect_payloads(pipeline.get_by_name("sink"))
    n = [0]

    def produce(element):
        n[0] += 1
        try:
            if n[0] == 3:
                raise ValueError("bad tick")
            return record(n[0])
        except ValueError as e:
            element.report_error(str(e))
            return None

    producer.connect("produce", produce)
    warnings = run_until(pipeline, Pulse.MessageType.EOS | Pulse.MessageType.ERROR)
    pipeline.set_state(Pulse.State.NULL)
    assert [msgpack.unpackb(p, raw=False)["seq"] for _, p in got] == [1, 2, 4], got
    assert len(warnings) == 1 and "feed could not produce" in warnings[0] \
        and "bad tick" in warnings[0], warnings

    # a value that cannot be converted is a failure too
    pipeline = Pulse.parse_launch("producer name=feed burst=true count=2 ! fakesink")
    pipeline.get_by_name("feed").connect("produce",
                                         lambda element: GLib.Variant("(is)", (1, "tuple")))
    warnings = run_until(pipeline, Pulse.MessageType.EOS | Pulse.MessageType.ERROR)
    pipeline.set_state(Pulse.State.NULL)
    assert len(warnings) == 2 and "(is)" in warnings[0], warnings


def test_push_from_python():
    pipeline = Pulse.parse_launch("producer name=p interval=0 ! msgpack ! fakesink name=sink")
    producer = pipeline.get_by_name("p")
    got = collect_payloads(pipeline.get_by_name("sink"))
    try:
        producer.push(record(0))
    except GLib.Error as e:
        assert "not playing" in e.message, e.message
    else:
        raise AssertionError("pushed before PLAYING")

    assert pipeline.set_state(Pulse.State.PLAYING)
    try:
        assert producer.push(record(1))
        # from other Python threads too
        workers = [threading.Thread(target=lambda base=base: [producer.push(record(base + i))
                                                              for i in range(50)])
                   for base in (100, 200)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(DEADLINE_S)
        try:
            producer.push(GLib.Variant("(ii)", (1, 2)))
        except GLib.Error as e:
            assert e.matches(Pulse.stream_error_quark(), Pulse.StreamError.ENCODE), e
        else:
            raise AssertionError("pushed a tuple")
        producer.end_of_stream()
        assert pipeline.is_eos()
        try:
            producer.push(record(2))
        except GLib.Error as e:
            assert "ended its stream" in e.message, e.message
        else:
            raise AssertionError("pushed after the end of the stream")
    finally:
        pipeline.set_state(Pulse.State.NULL)
    seqs = [msgpack.unpackb(p, raw=False)["seq"] for _, p in got]
    assert seqs[0] == 1 and len(seqs) == 101, seqs
    assert [s for s in seqs if s >= 200] == list(range(200, 250))
    assert [s for s in seqs if 100 <= s < 200] == list(range(100, 150))
    assert producer.props.produced == 101


def test_zmqpub_to_a_python_subscriber():
    """A Python producer on a PulseMQ topic, read by a plain pyzmq SUB as the
    original's subscribers read it: 4 frames, msgpack payload."""
    pipeline = Pulse.parse_launch(
        "producer name=sh_market interval=0.02 ! msgpack ! zmqpub name=pub topic=sh_market "
        "bind=tcp://127.0.0.1:*")
    producer = pipeline.get_by_name("sh_market")
    n = [0]

    def produce(element):
        n[0] += 1
        # every other tick a DataFrame-like table of two rows
        if n[0] % 2 == 0:
            return GLib.Variant("a{sv}", {"seq": GLib.Variant("ax", [n[0], n[0]]),
                                          "side": GLib.Variant("as", ["bid", "ask"])})
        return record(n[0])

    producer.connect("produce", produce)
    assert pipeline.set_state(Pulse.State.READY)
    endpoint = pipeline.get_by_name("pub").props.endpoint
    assert endpoint.startswith("tcp://127.0.0.1:"), endpoint

    ctx = zmq.Context.instance()
    sock = ctx.socket(zmq.SUB)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.SUBSCRIBE, b"sh_market")
    sock.connect(endpoint)
    received = []
    failure = []
    loop = GLib.MainLoop()

    def subscriber():
        # on a thread of its own: the producer needs the main loop running
        try:
            end = time.monotonic() + DEADLINE_S
            while len(received) < 6 and time.monotonic() < end:
                if sock.poll(100):
                    received.append(sock.recv_multipart())
        except Exception as e:  # noqa: BLE001 - reported by the test
            failure.append(e)
        finally:
            GLib.idle_add(loop.quit)

    assert pipeline.set_state(Pulse.State.PLAYING)
    worker = threading.Thread(target=subscriber)
    worker.start()
    deadline = GLib.timeout_add_seconds(DEADLINE_S + 5, loop.quit)
    loop.run()
    GLib.source_remove(deadline)
    worker.join(DEADLINE_S)
    sock.close()
    # SIGINT's path: the producer stops and end-of-stream reaches the sink
    pipeline.send_eos()
    run_until(pipeline, Pulse.MessageType.EOS | Pulse.MessageType.ERROR, start=False)
    pipeline.set_state(Pulse.State.NULL)

    assert not failure, failure
    assert len(received) == 6, f"received {len(received)} messages"
    seqs = []
    for frames in received:
        assert len(frames) == 4, frames
        topic, meta, stamp, payload = frames
        assert topic == b"sh_market"
        msg_type, flags, count = struct.unpack(">BBI", meta)
        assert msg_type == 1 and flags == 0, (msg_type, flags)  # DATA, msgpack, no compression
        assert 0 < time.time_ns() - struct.unpack(">q", stamp)[0] < 60 * 10**9
        value = msgpack.unpackb(payload, raw=False)
        if isinstance(value, list):
            assert count == 2 and [r["side"] for r in value] == ["bid", "ask"], value
            seqs.append(value[0]["seq"])
        else:
            assert count == 1 and value["symbol"] == "600000", value
            seqs.append(value["seq"])
    # the subscriber joins late (ZeroMQ's slow joiner), then misses nothing
    assert seqs == list(range(seqs[0], seqs[0] + 6)), seqs


if __name__ == "__main__":
    taplib.run([
        test_signal_producer_every_interval,
        test_every_value_type,
        test_str_and_bytes_serializers,
        test_burst_from_python_ends_with_eos,
        test_errors_are_warnings_and_the_producer_goes_on,
        test_push_from_python,
        test_zmqpub_to_a_python_subscriber,
    ])
