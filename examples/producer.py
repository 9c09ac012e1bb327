#!/usr/bin/python3
"""producer.py — a PulseMQ producer written in Python, published with zmqpub

    ./producer.py                                  every second, until Ctrl+C
    ./producer.py --interval 0.2 --count 5 --bind tcp://127.0.0.1:*

What the original's

    @pub.producer("sh_market", interval=1.0)
    async def sh_market():
        return [{"symbol": s, "price": ..., "volume": ...} for s in SYMBOLS]

does, as a pipeline: a "producer" element calls a Python function every
interval, and the list of dicts it returns goes out as msgpack on the topic
"sh_market":

    producer interval=1 ! msgpack ! zmqpub topic=sh_market bind=...

Each value is also printed as a JSON line. Watch the topic from another
terminal with

    pulse-launch "zmqsub endpoint=tcp://127.0.0.1:5555 topics=sh_market ! decode ! print"

Python values become GLib.Variant with to_variant() below: dict → a{sv},
list → av, str → s, bytes → ay, int → x, float → d, bool → b, None → null.
A dict of equal-length lists (a DataFrame's columns) is sent as a table,
one record per row. The function runs on this thread's main loop; Ctrl+C
ends the stream cleanly (the producer stops, zmqpub flushes) and exits 0.

Needs python3-gi and the Pulse-1.0 typelib (GI_TYPELIB_PATH for a build
tree that is not installed).
"""
import argparse
import json
import random
import signal
import sys

import gi

gi.require_version("Pulse", "1.0")
from gi.repository import GLib, Pulse  # noqa: E402

SYMBOLS = ["600000", "600036", "601318"]


def to_variant(value):
    """A Python value as the GLib.Variant a producer returns."""
    if isinstance(value, GLib.Variant):
        return value
    if value is None:
        return GLib.Variant("mv", None)
    if isinstance(value, bool):
        return GLib.Variant("b", value)
    if isinstance(value, int):
        return GLib.Variant("x", value)
    if isinstance(value, float):
        return GLib.Variant("d", value)
    if isinstance(value, str):
        return GLib.Variant("s", value)
    if isinstance(value, (bytes, bytearray)):
        return GLib.Variant("ay", bytes(value))
    if isinstance(value, dict):
        return GLib.Variant("a{sv}", {str(k): to_variant(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return GLib.Variant("av", [to_variant(v) for v in value])
    raise TypeError(f"cannot produce a {type(value).__name__}")


def main(argv):
    parser = argparse.ArgumentParser(description="Publish market ticks made in Python.")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between calls")
    parser.add_argument("--count", type=int, default=0, help="calls before the end (0 = endless)")
    parser.add_argument("--bind", default="tcp://127.0.0.1:5555", help="where zmqpub binds")
    args = parser.parse_args(argv[1:])

    pipeline = Pulse.Pipeline.new("publisher")
    producer = Pulse.ElementFactory.make("producer")
    producer.set_name("sh_market")
    producer.props.interval = args.interval
    producer.props.count = args.count
    serializer = Pulse.ElementFactory.make("msgpack")
    pub = Pulse.ElementFactory.make("zmqpub")
    pub.props.topic = "sh_market"
    pub.props.bind = args.bind
    for element in (producer, serializer, pub):
        pipeline.add(element)
    producer.link(serializer)
    serializer.link(pub)

    prices = {s: 10.0 + i for i, s in enumerate(SYMBOLS)}
    seq = [0]

    def produce(element):
        # on the main loop's thread, every interval; return None to skip a tick
        ticks = []
        for symbol in SYMBOLS:
            prices[symbol] = round(prices[symbol] * (1 + random.uniform(-0.002, 0.002)), 2)
            ticks.append({"seq": seq[0], "symbol": symbol, "price": prices[symbol],
                          "volume": random.randint(1, 100) * 100})
        seq[0] += 1
        print(json.dumps(ticks, ensure_ascii=False), flush=True)
        return to_variant(ticks)

    producer.connect("produce", produce)

    loop = GLib.MainLoop()
    status = {"code": 0}

    def on_message(bus, message):
        kind = message.get_message_type()
        if kind == Pulse.MessageType.INFO:
            error, _ = message.parse_info()
            print(f"producer.py: {error.message}", file=sys.stderr, flush=True)
        elif kind == Pulse.MessageType.WARNING:
            error, _ = message.parse_warning()
            print(f"WARNING from {message.get_src_path()}: {error.message}", file=sys.stderr)
        elif kind == Pulse.MessageType.EOS:
            loop.quit()
        elif kind == Pulse.MessageType.ERROR:
            error, _ = message.parse_error()
            print(f"ERROR from {message.get_src_path()}: {error.message}", file=sys.stderr)
            status["code"] = 2
            loop.quit()
        return True

    def on_interrupt():
        print("producer.py: interrupt: ending the stream", file=sys.stderr, flush=True)
        pipeline.send_eos()
        return GLib.SOURCE_CONTINUE

    bus = pipeline.get_bus()
    bus.add_watch(on_message)
    GLib.unix_signal_add(GLib.PRIORITY_HIGH, signal.SIGINT, on_interrupt)
    try:
        pipeline.set_state(Pulse.State.PLAYING)
    except GLib.Error as e:
        print(f"producer.py: could not start: {e.message}", file=sys.stderr)
        return 2
    loop.run()
    pipeline.set_state(Pulse.State.NULL)
    bus.remove_watch()
    print(f"zmqpub sent {pub.props.sent} messages, {pub.props.records} records",
          file=sys.stderr)
    return status["code"]


if __name__ == "__main__":
    sys.exit(main(sys.argv))
