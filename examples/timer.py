#!/usr/bin/python3
"""timer.py — PulseMQ from Python through GObject Introspection

    ./timer.py
    ./timer.py "timer interval=0.2 count=3 ! fakesink name=sink"

Parses a pipeline description whose sink is a fakesink named "sink" (the
first argument, or a bounded default), asks the fakesink to hand every
buffer to Python, and prints each buffer's records as a JSON line. Runs on
a GLib main loop with a bus watch until end-of-stream (exit 0) or an error
(exit 2); a bad description exits 1.

Needs python3-gi and the Pulse-1.0 typelib (GI_TYPELIB_PATH for a build
tree that is not installed).
"""
import sys

import gi

gi.require_version("Pulse", "1.0")
from gi.repository import GLib, Pulse  # noqa: E402

DEFAULT = ("timer interval=0.1 count=5 fields='{\"symbol\":\"600000\",\"price\":10.5}' "
           "! fakesink name=sink signal-handoffs=true")


def on_handoff(sink, buffer):
    # Called on the streaming thread for each buffer, which is valid only
    # during the call: turn it into text here.
    records = buffer.get_records()
    if records is not None:
        print(records.to_json(), flush=True)


def main(argv):
    description = argv[1] if len(argv) > 1 else DEFAULT
    try:
        pipeline = Pulse.parse_launch(description)
    except GLib.Error as e:
        print(f"timer.py: {e.message}", file=sys.stderr)
        return 1
    sink = pipeline.get_by_name("sink")
    if sink is None or sink.get_factory().get_name() != "fakesink":
        print('timer.py: the description needs a "fakesink name=sink"', file=sys.stderr)
        return 1
    sink.props.signal_handoffs = True
    sink.connect("handoff", on_handoff)

    loop = GLib.MainLoop()
    status = {"code": 0}

    def on_message(bus, message):
        kind = message.get_message_type()
        if kind == Pulse.MessageType.EOS:
            loop.quit()
        elif kind == Pulse.MessageType.ERROR:
            error, debug = message.parse_error()
            print(f"ERROR from {message.get_src_path()}: {error.message}", file=sys.stderr)
            status["code"] = 2
            loop.quit()
        return True

    bus = pipeline.get_bus()
    bus.add_watch(on_message)
    try:
        pipeline.set_state(Pulse.State.PLAYING)
    except GLib.Error as e:
        print(f"timer.py: could not start: {e.message}", file=sys.stderr)
        return 2
    loop.run()
    pipeline.set_state(Pulse.State.NULL)
    bus.remove_watch()
    print(f"fakesink counted {sink.props.buffers} buffers, {sink.props.records} records",
          file=sys.stderr)
    return status["code"]


if __name__ == "__main__":
    sys.exit(main(sys.argv))
