#!/usr/bin/python3
"""The introspected API from Python (PyGObject): Pulse-1.0.

What a Python user does with PulseMQ: parse a description, make elements
and set their properties, build a pipeline by hand, run it on a GLib main
loop with a bus watch, read the records handed out by fakesink, and get
errors as GLib.Error with the right domain and code.
"""
import gc
import json
import os
import sys

import gi

gi.require_version("Pulse", "1.0")
from gi.repository import GLib, Pulse  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taplib  # noqa: E402

DEADLINE_S = 20


def run_until(pipeline, stop_types, on_message=None):
    """Plays pipeline on a main loop with a bus watch until a message of
    stop_types; fails after DEADLINE_S. Returns the messages seen as
    (type, src_path, message) tuples, valid during the call only for message."""
    loop = GLib.MainLoop()
    seen = []
    timed_out = []

    def watch(bus, message):
        mtype = message.get_message_type()
        seen.append((mtype, message.get_src_path()))
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
        assert pipeline.set_state(Pulse.State.PLAYING)
        loop.run()
    finally:
        if not timed_out:
            GLib.source_remove(timeout_id)
        pipeline.set_state(Pulse.State.NULL)
        bus.remove_watch()
    assert not timed_out, f"no {stop_types} within {DEADLINE_S} s; saw {seen}"
    return seen


def test_version():
    version = Pulse.get_version()
    assert version == Pulse.VERSION_STRING, (version, Pulse.VERSION_STRING)
    assert version == f"{Pulse.MAJOR_VERSION}.{Pulse.MINOR_VERSION}.{Pulse.MICRO_VERSION}", version


def test_state_enums():
    assert (int(Pulse.State.NULL), int(Pulse.State.READY), int(Pulse.State.PLAYING)) == (0, 1, 2)
    assert Pulse.state_get_name(Pulse.State.PLAYING) == "PLAYING"
    assert Pulse.state_get_name(Pulse.State.NULL) == "NULL"
    assert Pulse.MessageType.ANY & Pulse.MessageType.EOS
    assert int(Pulse.ParseError.SYNTAX) == 0 and int(Pulse.ParseError.NO_ELEMENT) == 1
    assert Pulse.format_to_string(Pulse.Format.RECORDS) == "records"
    assert Pulse.flow_get_name(Pulse.FlowReturn.OK).lower() == "ok"


def test_parse_launch():
    pipeline = Pulse.parse_launch("timer interval=0.05 count=3 ! fakesink name=sink")
    assert isinstance(pipeline, Pulse.Pipeline)
    assert pipeline.get_state() == Pulse.State.NULL
    sink = pipeline.get_by_name("sink")
    assert isinstance(sink, Pulse.Element) and sink.get_factory().get_name() == "fakesink"
    names = [e.get_factory().get_name() for e in pipeline.get_elements()]
    assert names == ["timer", "fakesink"], names
    assert pipeline.get_by_name("nothing") is None
    assert "sink" in pipeline.describe()
    # a description given as separate words
    words = Pulse.parse_launchv(["timer", 'fields={"symbol": "600 000"}', "!", "fakesink"], None)
    assert [e.get_factory().get_name() for e in words.get_elements()] == ["timer", "fakesink"]
    timer = words.get_elements()[0]
    assert json.loads(timer.props.fields) == {"symbol": "600 000"}


def test_factory_make_and_properties():
    timer = Pulse.ElementFactory.make("timer")
    assert isinstance(timer, Pulse.Element)
    assert timer.props.interval == 1.0 and timer.props.count == 0
    assert timer.props.fields is None
    timer.props.interval = 0.25
    timer.set_property("count", 7)
    timer.props.fields = '{"symbol": "600000"}'
    assert timer.get_property("interval") == 0.25 and timer.props.count == 7
    assert timer.props.fields == '{"symbol": "600000"}'
    timer.set_name("clock")
    assert timer.get_name() == "clock" and timer.props.name == "clock"
    assert timer.get_state() == Pulse.State.NULL
    pad = timer.get_static_pad("src")
    assert pad.get_direction() == Pulse.PadDirection.SRC
    assert pad.get_formats() == Pulse.Format.RECORDS
    assert not pad.is_linked()

    # the GParamSpecs are what pulse-inspect shows
    interval = timer.find_property("interval")
    assert (interval.minimum, interval.maximum, interval.default_value) == (0.001, 86400.0, 1.0)
    count = timer.find_property("count")
    assert (count.minimum, count.maximum, count.default_value) == (0, 4294967295, 0)
    assert interval.blurb and count.blurb

    try:
        Pulse.ElementFactory.make("timr")
    except GLib.Error as e:
        assert e.matches(Pulse.parse_error_quark(), Pulse.ParseError.NO_ELEMENT), e
        assert 'did you mean "timer"' in e.message, e.message
    else:
        raise AssertionError("make('timr') did not raise")


def test_factory_list_and_getters():
    factories = {f.get_name(): f for f in Pulse.ElementFactory.list()}
    assert {"fakesink", "print", "queue", "tee", "timer"} <= set(factories), sorted(factories)
    timer = Pulse.ElementFactory.find("timer")
    assert timer.get_name() == "timer"
    assert timer.get_classification() == "Source/Timer"
    assert timer.get_long_name() and timer.get_description()
    assert timer.get_usage().startswith("timer ")
    assert timer.get_plugin_name() == "core"
    assert timer.get_element_type().name == "PulseTimer"
    assert not timer.is_passthrough() and factories["queue"].is_passthrough()
    templates = [(t.get_name_template(), t.get_direction(), t.get_presence(), t.get_formats())
                 for t in timer.get_pad_templates()]
    assert templates == [("src", Pulse.PadDirection.SRC, Pulse.PadPresence.ALWAYS,
                          Pulse.Format.RECORDS)], templates
    tee = [t.get_name_template() for t in factories["tee"].get_pad_templates()]
    assert "src_%u" in tee, tee
    assert Pulse.ElementFactory.find("timr") is None
    assert Pulse.Registry.get_default().suggest("timr") == "timer"


def build_by_hand(signal_handoffs=False):
    pipeline = Pulse.Pipeline.new("by-hand")
    timer = Pulse.ElementFactory.make("timer")
    timer.props.interval = 0.05
    timer.props.count = 3
    sink = Pulse.ElementFactory.make("fakesink")
    sink.set_name("sink")
    sink.props.signal_handoffs = signal_handoffs
    assert pipeline.add(timer) and pipeline.add(sink)
    assert timer.link(sink)
    assert timer.get_static_pad("src").get_peer() == sink.get_static_pad("sink")
    return pipeline, timer, sink


def test_build_by_hand_and_run_with_bus_watch():
    pipeline, timer, sink = build_by_hand()
    assert pipeline.get_name() == "by-hand"
    states = []

    def on_message(message):
        if message.get_message_type() == Pulse.MessageType.STATE_CHANGED:
            old, new = message.parse_state_changed()
            states.append((message.get_src_path(), old, new))

    seen = run_until(pipeline, Pulse.MessageType.EOS | Pulse.MessageType.ERROR, on_message)
    types = [t for t, _ in seen]
    assert Pulse.MessageType.EOS in types and Pulse.MessageType.ERROR not in types, seen
    assert ("by-hand", Pulse.State.READY, Pulse.State.PLAYING) in states, states
    assert sink.props.buffers == 3 and sink.props.records == 3, (sink.props.buffers, sink.props.records)
    assert sink.props.bytes > 0
    assert timer.get_static_pad("src").get_buffer_count() == 3
    assert pipeline.get_state() == Pulse.State.NULL
    # a second run starts again from zero
    run_until(pipeline, Pulse.MessageType.EOS)
    assert sink.props.buffers == 3


def test_signal_watch_and_message_eos():
    pipeline = Pulse.parse_launch("timer interval=0.05 count=3 ! fakesink name=sink")
    bus = pipeline.get_bus()
    loop = GLib.MainLoop()
    got = {"eos": 0, "state-changed": 0, "timeout": False}

    def on_eos(bus, message):
        assert message.get_message_type() == Pulse.MessageType.EOS
        got["eos"] += 1
        loop.quit()

    def on_state(bus, message):
        got["state-changed"] += 1

    def deadline():
        got["timeout"] = True
        loop.quit()
        return GLib.SOURCE_REMOVE

    bus.add_signal_watch()
    ids = [bus.connect("message::eos", on_eos), bus.connect("message::state-changed", on_state)]
    timeout_id = GLib.timeout_add_seconds(DEADLINE_S, deadline)
    try:
        pipeline.set_state(Pulse.State.PLAYING)
        loop.run()
    finally:
        if not got["timeout"]:
            GLib.source_remove(timeout_id)
        pipeline.set_state(Pulse.State.NULL)
        for i in ids:
            bus.disconnect(i)
        bus.remove_signal_watch()
    assert not got["timeout"], f"no EOS within {DEADLINE_S} s"
    assert got["eos"] == 1 and got["state-changed"] >= 2, got
    sink = pipeline.get_by_name("sink")
    assert sink.props.buffers == 3 and sink.props.records == 3


def test_fakesink_handoff():
    pipeline, timer, sink = build_by_hand(signal_handoffs=True)
    seen = []

    def handoff(element, buffer):
        # the buffer is valid during the call: read it here
        assert isinstance(buffer, Pulse.Buffer), buffer
        batch = buffer.get_records()
        seq = batch.find_column("seq")
        ts = batch.find_column("timestamp_ns")
        seen.append({
            "element": element.get_name(),
            "format": buffer.get_format(),
            "records": buffer.get_record_count(),
            "rows": batch.get_n_rows(),
            "seq": batch.get_int64(seq, 0),
            "seq_type": batch.get_column_type(seq),
            "ts_type": batch.get_column_type(ts),
            "ts": buffer.get_timestamp_ns(),
            "json": json.loads(batch.to_json()),
        })

    sink.connect("handoff", handoff)
    run_until(pipeline, Pulse.MessageType.EOS | Pulse.MessageType.ERROR)
    assert [s["seq"] for s in seen] == [0, 1, 2], seen
    for s in seen:
        assert s["element"] == "sink" and s["format"] == Pulse.Format.RECORDS, s
        assert s["records"] == 1 and s["rows"] == 1, s
        assert s["seq_type"] == Pulse.ColumnType.INT64, s
        assert s["ts_type"] == Pulse.ColumnType.TIMESTAMP_NS, s
        assert s["json"]["seq"] == s["seq"] and s["json"]["timestamp_ns"] > 0, s
    stamps = [s["ts"] for s in seen]
    assert stamps == sorted(stamps) and stamps[0] > 0, stamps


PARSE_ERRORS = [
    ("timr ! print", Pulse.ParseError.NO_ELEMENT, 'did you mean "timer"'),
    ("timer intervall=1 ! print", Pulse.ParseError.NO_PROPERTY, 'did you mean "interval"'),
    ("timer interval=abc ! print", Pulse.ParseError.BAD_VALUE, "expected a duration"),
    ("timer interval=0 ! print", Pulse.ParseError.OUT_OF_RANGE, "[0.001, 86400]"),
    ("timer ! ! print", Pulse.ParseError.SYNTAX, "two '!' in a row"),
    ("timer ! timer", Pulse.ParseError.LINK, "has no input"),
    ("timer ! t.", Pulse.ParseError.NO_REFERENCE, 'no element named "t"'),
    ("timer ! print name=a  timer ! print name=a", Pulse.ParseError.DUPLICATE_NAME, '"a"'),
]


def test_parse_errors_raise_glib_error():
    for description, code, text in PARSE_ERRORS:
        try:
            Pulse.parse_launch(description)
        except GLib.Error as e:
            assert e.domain == "pulse-parse-error-quark", (description, e.domain)
            assert e.code == int(code), (description, e.code, code)
            assert e.matches(Pulse.parse_error_quark(), code), description
            assert text in e.message, (description, e.message)
            assert " at byte " in e.message, (description, e.message)
        else:
            raise AssertionError(f"{description!r} parsed")


def test_parse_context():
    context = Pulse.ParseContext.new()
    description = "timer intervall=1 ! print"
    try:
        Pulse.parse_launch_full(description, context)
    except GLib.Error as e:
        assert e.code == int(Pulse.ParseError.NO_PROPERTY), e
    else:
        raise AssertionError("parsed")
    assert context.get_description() == description
    assert context.get_error_offset() == description.index("intervall")
    assert context.get_error_length() == len("intervall")
    assert context.get_hint() == 'did you mean "interval"?', context.get_hint()
    assert 'no property "intervall"' in context.get_error_text(), context.get_error_text()
    caret = context.format_error().splitlines()
    assert caret[-1].strip() == "^" + "~" * (len("intervall") - 1), caret
    assert caret[-1].index("^") - caret[-2].index("timer") == description.index("intervall"), caret
    # success leaves no error
    ok = Pulse.ParseContext.new()
    assert Pulse.parse_launch_full("timer count=1 ! fakesink", ok) is not None
    assert ok.get_error_offset() < 0 and ok.get_hint() is None


def test_state_change_error_raises():
    # the parser checks fields; a property set from code is only checked at READY
    pipeline, timer, sink = build_by_hand()
    timer.props.fields = "[1, 2]"
    try:
        pipeline.set_state(Pulse.State.READY)
    except GLib.Error as e:
        assert e.domain == "pulse-parse-error-quark" and e.code == int(Pulse.ParseError.BAD_VALUE), e
        assert "fields must be a JSON object" in e.message, e.message
    else:
        raise AssertionError("set_state(READY) accepted fields=[1, 2]")
    assert pipeline.get_state() == Pulse.State.NULL
    assert sink.get_state() == Pulse.State.NULL, "the sink's READY was not undone"
    timer.props.fields = '{"ok": true}'
    assert pipeline.set_state(Pulse.State.READY)
    pipeline.set_state(Pulse.State.NULL)


def test_unlinked_pipeline_refuses_ready():
    pipeline = Pulse.Pipeline.new(None)
    pipeline.add(Pulse.ElementFactory.make("timer"))
    try:
        pipeline.set_state(Pulse.State.PLAYING)
    except GLib.Error as e:
        assert "not linked" in e.message, e.message
    else:
        raise AssertionError("a lone timer went to PLAYING")


def test_bus_error_message_from_print():
    # A real element error: print writing to a pipe that nobody reads any
    # more. Python ignores SIGPIPE, so the write fails with EPIPE and print
    # posts an ERROR on the bus. Our own stdout (the TAP stream) is put back
    # afterwards.
    pipeline = Pulse.parse_launch("timer interval=0.01 count=50 ! print")
    errors = []

    def on_message(message):
        if message.get_message_type() == Pulse.MessageType.ERROR:
            error, debug = message.parse_error()
            errors.append((message.get_src_path(), error.domain, error.code, error.message, debug))

    sys.stdout.flush()
    saved = os.dup(1)
    r, w = os.pipe()
    os.close(r)
    os.dup2(w, 1)
    os.close(w)
    try:
        seen = run_until(pipeline, Pulse.MessageType.ERROR | Pulse.MessageType.EOS, on_message)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    assert len(errors) == 1, (errors, seen)
    src, domain, code, message, debug = errors[0]
    assert src.endswith("/print0") or src.endswith("print0"), src
    assert domain == "pulse-resource-error-quark" and code == int(Pulse.ResourceError.WRITE), errors
    assert message == "could not write to standard output", message
    assert debug, "no debug text"


def test_message_built_in_python():
    error = GLib.Error.new_literal(Pulse.stream_error_quark(), "bad frame", int(Pulse.StreamError.MALFORMED))
    message = Pulse.Message.new_error(None, error, "frame 7: 3 bytes short")
    assert message.get_message_type() == Pulse.MessageType.ERROR
    parsed, debug = message.parse_error()
    assert parsed.matches(Pulse.stream_error_quark(), Pulse.StreamError.MALFORMED), parsed
    assert parsed.message == "bad frame" and debug == "frame 7: 3 bytes short"
    eos = Pulse.Message.new_eos(None)
    assert eos.get_message_type() == Pulse.MessageType.EOS
    # posted on a bus, popped back
    bus = Pulse.Bus.new()
    bus.post(message)
    assert bus.have_pending()
    popped = bus.pop()
    assert popped.get_message_type() == Pulse.MessageType.ERROR
    assert bus.pop() is None


def test_record_batch_from_python():
    batch = Pulse.RecordBatch.new()
    seq = batch.add_column("seq", Pulse.ColumnType.INT64)
    price = batch.add_column("price", Pulse.ColumnType.FLOAT64)
    symbol = batch.add_column("symbol", Pulse.ColumnType.UTF8)
    assert (seq, price, symbol) == (0, 1, 2)
    batch.append_int64(seq, 1)
    batch.append_double(price, 10.5)
    batch.append_string(symbol, "600 000", -1)
    batch.end_row()
    batch.append_int64(seq, 2)
    batch.append_null(price)
    batch.append_string(symbol, "中文", -1)
    batch.end_row()
    assert batch.get_n_rows() == 2 and batch.get_n_columns() == 3
    assert batch.find_column("symbol") == symbol and batch.find_column("nope") < 0
    assert batch.get_column_name(price) == "price"
    assert batch.get_column_type(price) == Pulse.ColumnType.FLOAT64
    assert batch.get_int64(seq, 1) == 2 and batch.get_double(price, 0) == 10.5
    assert batch.is_null(price, 1) and not batch.is_null(price, 0)
    assert batch.dup_string(symbol, 1) == "中文"
    assert not batch.is_sealed() and batch.get_byte_size() > 0
    assert json.loads(batch.to_json()) == [
        {"seq": 1, "price": 10.5, "symbol": "600 000"},
        {"seq": 2, "price": None, "symbol": "中文"},
    ], batch.to_json()
    one = Pulse.RecordBatch.new()
    one.set_shape(Pulse.RecordShape.MAP)
    one.add_column("ok", Pulse.ColumnType.BOOL)
    one.append_boolean(0, True)
    one.end_row()
    assert json.loads(one.to_json()) == {"ok": True}, one.to_json()
    # a buffer made from it carries the records
    buffer = Pulse.Buffer.new_records(batch)
    assert buffer.get_format() == Pulse.Format.RECORDS
    assert buffer.get_record_count() == 2
    assert buffer.get_records().get_int64(seq, 0) == 1


def test_record_batch_runs_from_python():
    # whole columns at once: lists of numbers, and Arrow's data + offsets
    batch = Pulse.RecordBatch.new()
    batch.add_column("seq", Pulse.ColumnType.INT64)
    batch.add_column("px", Pulse.ColumnType.FLOAT64)
    batch.add_column("sym", Pulse.ColumnType.UTF8)
    batch.reserve(3, 16)
    batch.append_int64_values(0, [1, 2, 3])
    batch.append_double_values(1, [10.5, 11.0])
    text = "600000中文".encode()
    batch.append_string_values(2, text, [0, 6, 12, len(text)])
    assert batch.get_n_rows() == 0
    batch.end_rows(3)
    assert batch.get_n_rows() == 3
    assert json.loads(batch.to_json()) == [
        {"seq": 1, "px": 10.5, "sym": "600000"},
        {"seq": 2, "px": 11.0, "sym": "中文"},
        {"seq": 3, "px": None, "sym": ""},
    ], batch.to_json()


def test_pipeline_freed_with_messages_left_on_its_bus():
    # An application that stops a pipeline and drops it without popping the
    # bus must not leak it (GStreamer flushes the bus for the same reason).
    # Every message holds a reference to the object that posted it, the bus
    # holds its messages and the pipeline holds the bus: a pipeline's own
    # state-changed messages close that cycle.
    freed = []
    pipeline = Pulse.parse_launch("timer interval=0.01 count=2 ! fakesink")
    pipeline.weak_ref(lambda *args: freed.append("pipeline"))
    pipeline.get_elements()[0].weak_ref(lambda *args: freed.append("timer"))
    pipeline.set_state(Pulse.State.READY)
    pipeline.set_state(Pulse.State.NULL)
    pending = pipeline.get_bus().have_pending()
    del pipeline
    gc.collect()
    assert sorted(freed) == ["pipeline", "timer"], (
        f"freed: {freed}; messages were pending: {pending}. A pipeline that is dropped with "
        "messages on its bus is never finalized (pipeline -> bus -> message -> pipeline)")


def test_pipeline_freed_after_bus_drained():
    freed = []
    pipeline = Pulse.parse_launch("timer interval=0.01 count=2 ! fakesink")
    pipeline.weak_ref(lambda *args: freed.append("pipeline"))
    run_until(pipeline, Pulse.MessageType.EOS)
    bus = pipeline.get_bus()
    while bus.pop() is not None:
        pass
    del bus, pipeline
    gc.collect()
    assert freed == ["pipeline"], freed


if __name__ == "__main__":
    taplib.run([
        test_version,
        test_state_enums,
        test_parse_launch,
        test_factory_make_and_properties,
        test_factory_list_and_getters,
        test_build_by_hand_and_run_with_bus_watch,
        test_signal_watch_and_message_eos,
        test_fakesink_handoff,
        test_parse_errors_raise_glib_error,
        test_parse_context,
        test_state_change_error_raises,
        test_unlinked_pipeline_refuses_ready,
        test_bus_error_message_from_print,
        test_message_built_in_python,
        test_record_batch_from_python,
        test_record_batch_runs_from_python,
        test_pipeline_freed_after_bus_drained,
        test_pipeline_freed_with_messages_left_on_its_bus,
    ])
