#!/usr/bin/python3
"""msgpack and json payloads between our codecs and independent Python peers.

Our library is used the way a Python user uses it, through GObject
Introspection (Pulse.serialize / Pulse.deserialize); the peers are Debian's
python3-msgpack and the json module, standing in for the original's
msgspec (same bytes for msgpack, same text for compact json).
"""
import json
import os
import sys

import gi

gi.require_version("Pulse", "1.0")
from gi.repository import GLib, Pulse  # noqa: E402

import msgpack  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import taplib  # noqa: E402

MSGPACK = Pulse.Serializer.MSGPACK
JSON = Pulse.Serializer.JSON


def encode(serializer, buffer):
    return bytes(Pulse.serialize(serializer, buffer).get_data())


def decode(serializer, data):
    return Pulse.deserialize(serializer, GLib.Bytes.new(data))


def records_of(buffer):
    """What a Python subscriber of the original would hold, via our json."""
    return json.loads(buffer.to_json())


def bench_batch(n=1000):
    batch = Pulse.RecordBatch.new()
    batch.add_column("seq", Pulse.ColumnType.INT64)
    batch.add_column("data", Pulse.ColumnType.UTF8)
    batch.add_column("ts", Pulse.ColumnType.TIMESTAMP_NS)
    batch.add_column("px", Pulse.ColumnType.FLOAT64)
    batch.add_column("ok", Pulse.ColumnType.BOOL)
    batch.add_column("raw", Pulse.ColumnType.BINARY)
    for i in range(n):
        batch.append_int64(0, i - 500)
        batch.append_string(1, "价格" + "x" * 62, -1)
        batch.append_timestamp(2, 1_700_000_000_000_000_000 + i)
        if i % 3:
            batch.append_double(3, i / 3)
        else:
            batch.append_null(3)
        batch.append_boolean(4, i % 2 == 0)
        batch.append_binary(5, bytes([i % 256, 0]))
        batch.end_row()
    return batch


def expected_rows(n=1000):
    return [
        {
            "seq": i - 500,
            "data": "价格" + "x" * 62,
            "ts": 1_700_000_000_000_000_000 + i,
            "px": None if i % 3 == 0 else i / 3,
            "ok": i % 2 == 0,
            "raw": bytes([i % 256, 0]),
        }
        for i in range(n)
    ]


def test_golden_market_map():
    batch = Pulse.RecordBatch.new()
    batch.set_shape(Pulse.RecordShape.MAP)
    batch.add_column("symbol", Pulse.ColumnType.UTF8)
    batch.add_column("price", Pulse.ColumnType.FLOAT64)
    batch.add_column("volume", Pulse.ColumnType.INT64)
    batch.append_string(0, "600000", -1)
    batch.append_double(1, 10.5)
    batch.append_int64(2, 12345)
    batch.end_row()
    data = encode(MSGPACK, Pulse.Buffer.new_records(batch))
    want = {"symbol": "600000", "price": 10.5, "volume": 12345}
    assert data == msgpack.packb(want), data.hex()
    assert msgpack.unpackb(data) == want


def test_batch_to_python_msgpack():
    data = encode(MSGPACK, Pulse.Buffer.new_records(bench_batch()))
    assert msgpack.unpackb(data, raw=False) == expected_rows()
    # byte for byte what msgpack-python writes for the same rows
    assert data == msgpack.packb(expected_rows(), use_bin_type=True)


def test_batch_to_python_json():
    data = encode(JSON, Pulse.Buffer.new_records(bench_batch(10)))
    rows = expected_rows(10)
    import base64

    for r in rows:
        r["raw"] = base64.b64encode(r["raw"]).decode()
    assert json.loads(data) == rows
    assert data == json.dumps(rows, separators=(",", ":"), ensure_ascii=False).encode()


def test_values_to_python():
    cases = [
        (GLib.Variant("s", "hello"), "hello"),
        (GLib.Variant("ay", b"\x00\x01\x02"), b"\x00\x01\x02"),
        (GLib.Variant("av", [GLib.Variant("s", c) for c in "abc"]), ["a", "b", "c"]),
        (GLib.Variant("x", -1), -1),
        (GLib.Variant("t", 2**64 - 1), 2**64 - 1),
        (GLib.Variant("mv", None), None),
        (GLib.Variant("av", []), []),
        (
            GLib.Variant("a{sv}", {"a": GLib.Variant("av", [GLib.Variant("x", 1)]),
                                   "b": GLib.Variant("a{sv}", {"c": GLib.Variant("d", 0.5)})}),
            {"a": [1], "b": {"c": 0.5}},
        ),
    ]
    for value, want in cases:
        data = encode(MSGPACK, Pulse.Buffer.new_value(value))
        assert data == msgpack.packb(want), (value, data.hex())
        assert msgpack.unpackb(data) == want


def test_python_msgpack_to_us():
    rows = [{"seq": i, "data": "d" * 64, "ts": 1_700_000_000_000_000_000 + i} for i in range(100)]
    buffer = decode(MSGPACK, msgpack.packb(rows))
    batch = buffer.get_records()
    assert batch is not None and batch.get_n_rows() == 100
    assert batch.get_shape() == Pulse.RecordShape.ROWS
    assert [batch.get_column_name(i) for i in range(3)] == ["seq", "data", "ts"]
    assert batch.get_int64(0, 99) == 99 and batch.dup_string(1, 5) == "d" * 64
    assert buffer.get_record_count() == 100
    assert records_of(buffer) == rows
    # and back out identically
    assert encode(MSGPACK, buffer) == msgpack.packb(rows)

    one = decode(MSGPACK, msgpack.packb({"symbol": "600000", "price": 10.5}))
    assert one.get_records().get_shape() == Pulse.RecordShape.MAP
    assert records_of(one) == {"symbol": "600000", "price": 10.5}

    nested = {"a": [1, {"b": None}], "c": b"\x00"}
    tree = decode(MSGPACK, msgpack.packb(nested))
    assert tree.get_records() is None and tree.get_value() is not None
    assert msgpack.unpackb(encode(MSGPACK, tree)) == nested

    abc = decode(MSGPACK, msgpack.packb(["a", "b", "c"]))
    assert abc.get_value().unpack() == ["a", "b", "c"]
    assert abc.get_record_count() == 3


def test_python_json_to_us():
    rows = [{"i": 0, "v": 0.5, "s": "中文"}, {"i": 1, "v": 2, "s": None}]
    text = json.dumps(rows, separators=(",", ":"), ensure_ascii=False).encode()
    buffer = decode(JSON, text)
    batch = buffer.get_records()
    assert batch is not None and batch.get_n_rows() == 2
    assert batch.get_column_type(1) == Pulse.ColumnType.FLOAT64
    assert json.loads(encode(JSON, buffer)) == rows
    assert msgpack.unpackb(encode(MSGPACK, buffer)) == [
        {"i": 0, "v": 0.5, "s": "中文"}, {"i": 1, "v": 2.0, "s": None}]


def test_errors_are_glib_errors():
    for serializer, data in [(MSGPACK, b"\x93\xa1a"), (MSGPACK, b"\xc0\x00"),
                             (JSON, b"[NaN]"), (JSON, b'{"a":1'), (JSON, b"\xff")]:
        try:
            decode(serializer, data)
        except GLib.Error as e:
            assert e.matches(Pulse.stream_error_quark(), Pulse.StreamError.DECODE), e
        else:
            raise AssertionError(f"{data!r} decoded")
    try:
        encode(MSGPACK, Pulse.Buffer.new_value(GLib.Variant("i", 1)))
    except GLib.Error as e:
        assert e.matches(Pulse.stream_error_quark(), Pulse.StreamError.ENCODE), e
    else:
        raise AssertionError("int32 encoded")


taplib.run([
    test_golden_market_map,
    test_batch_to_python_msgpack,
    test_batch_to_python_json,
    test_values_to_python,
    test_python_msgpack_to_us,
    test_python_json_to_us,
    test_errors_are_glib_errors,
])
