#!/usr/bin/python3
"""The Arrow IPC stream codec against an independent implementation.

Our writer's streams are read by the apache-arrow npm package (Arrow's
JavaScript implementation, through tests/arrow/check-arrow.mjs) and
checked type by type and value by value; streams that apache-arrow
writes — every type our reader takes, several record batches, large_utf8,
and the types it must refuse — are read by ours. Our library is used
through GObject Introspection, as a Python application would.

Needs node and `npm ci --prefix tests/arrow` (scripts/setup runs it).
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

# A sanitizer build: the library is instrumented and the interpreter is
# not, so the sanitizer runtime must be loaded first.
_preload = os.environ.get("PULSE_PY_PRELOAD")
if _preload and _preload not in os.environ.get("LD_PRELOAD", ""):
    env = dict(os.environ, LD_PRELOAD=_preload, ASAN_OPTIONS="detect_leaks=0")
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

import gi  # noqa: E402

gi.require_version("Pulse", "1.0")
from gi.repository import GLib, Pulse  # noqa: E402

sys.path.insert(0, os.path.join(HERE, ".."))
import taplib  # noqa: E402

ARROW_DIR = os.path.join(HERE, "..", "arrow")
CHECK = os.path.join(ARROW_DIR, "check-arrow.mjs")
T = Pulse.ColumnType
NS_PER = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}


def node():
    path = "/usr/bin/node" if os.access("/usr/bin/node", os.X_OK) else shutil.which("node")
    assert path, "node is not installed: run scripts/setup (it installs nodejs and npm)"
    module = os.path.join(ARROW_DIR, "node_modules", "apache-arrow", "package.json")
    assert os.path.exists(module), (
        "the apache-arrow npm package is missing: run `npm ci --prefix tests/arrow`")
    return path


def run_node(*args, stdin=None):
    p = subprocess.run([node(), CHECK, *args], input=stdin, capture_output=True, timeout=120)
    assert p.returncode == 0, f"check-arrow.mjs {' '.join(args)}: {p.stderr.decode()}"
    return p.stdout


def node_reads(data):
    return json.loads(run_node("read", "-", stdin=data))


def node_writes(case):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, case + ".arrows")
        table = json.loads(run_node("write", case, path))
        with open(path, "rb") as f:
            return f.read(), table


def serialize(buffer):
    return Pulse.serialize(Pulse.Serializer.ARROW, buffer).get_data()


def deserialize(data):
    return Pulse.deserialize(Pulse.Serializer.ARROW, GLib.Bytes.new(data)).get_records()


TYPE_NAMES = {T.INT64: "int64", T.FLOAT64: "float64", T.BOOL: "bool", T.UTF8: "utf8",
              T.BINARY: "binary", T.TIMESTAMP_NS: "timestamp[ns]"}


def our_value(batch, c, r):
    """A value of ours in check-arrow.mjs's JSON terms."""
    if batch.is_null(c, r):
        return None
    t = batch.get_column_type(c)
    if t in (T.INT64, T.TIMESTAMP_NS):
        return str(batch.get_int64(c, r))
    if t == T.FLOAT64:
        v = batch.get_double(c, r)
        return v if math.isfinite(v) else {math.inf: "Infinity", -math.inf: "-Infinity"}.get(v, "NaN")
    if t == T.BOOL:
        return batch.get_boolean(c, r)
    if t == T.UTF8:
        return batch.dup_string(c, r)
    return batch.get_binary(c, r).get_data().hex()


def our_table(batch):
    return [{"name": batch.get_column_name(c), "type": TYPE_NAMES[batch.get_column_type(c)],
             "values": [our_value(batch, c, r) for r in range(batch.get_n_rows())]}
            for c in range(batch.get_n_columns())]


def sample_batch(n, nulls=True):
    """n rows of our six types; with nulls, a null at every third row."""
    batch = Pulse.RecordBatch.new()
    cols = [("i", T.INT64), ("f", T.FLOAT64), ("b", T.BOOL), ("s", T.UTF8), ("y", T.BINARY),
            ("t", T.TIMESTAMP_NS)]
    for name, t in cols:
        batch.add_column(name, t)
    for r in range(n):
        for c, (_, t) in enumerate(cols):
            if nulls and (r + c) % 3 == 0:
                batch.append_null(c)
            elif t == T.INT64:
                batch.append_int64(c, -(2**63) + r if r % 2 else 2**63 - 1 - r)
            elif t == T.FLOAT64:
                batch.append_double(c, [r / 7, -0.0, math.inf, -math.inf][r % 4])
            elif t == T.BOOL:
                batch.append_boolean(c, r % 5 < 2)
            elif t == T.UTF8:
                # (no NUL inside: GI passes text as C strings)
                batch.append_string(c, ["", "600000", "é中文", "\"q\"\t\\"][r % 4], -1)
            elif t == T.BINARY:
                batch.append_binary(c, bytes([r & 255, 0, 255])[: r % 4])
            else:
                batch.append_timestamp(c, 1700000000123456789 + r)
        batch.end_row()
    return batch


def assert_node_reads_ours(batch):
    seen = node_reads(serialize(Pulse.Buffer.new_records(batch)))
    assert seen["rows"] == batch.get_n_rows(), seen["rows"]
    assert seen["batches"] == 1, seen["batches"]
    expected = our_table(batch)
    assert [c["name"] for c in seen["columns"]] == [c["name"] for c in expected]
    for got, want in zip(seen["columns"], expected):
        assert got["type"] == want["type"], (got["name"], got["type"], want["type"])
        assert got["values"] == want["values"], (got["name"], got["values"][:20], want["values"][:20])


def test_node_reads_every_type_with_nulls():
    for n in (1, 2, 7, 8, 9, 100):
        assert_node_reads_ours(sample_batch(n))


def test_node_reads_every_type_without_nulls():
    for n in (1, 8, 65):
        assert_node_reads_ours(sample_batch(n, nulls=False))


def test_node_reads_empty_batch():
    assert_node_reads_ours(sample_batch(0))


def test_node_reads_100000_ticks():
    batch = Pulse.RecordBatch.new()
    for name, t in (("symbol", T.UTF8), ("price", T.FLOAT64), ("volume", T.INT64),
                    ("ts", T.TIMESTAMP_NS)):
        batch.add_column(name, t)
    for r in range(100000):
        batch.append_string(0, f"60{r % 1000:04d}", -1)
        batch.append_double(1, 10 + r / 100)
        batch.append_int64(2, r * 100)
        batch.append_timestamp(3, 1700000000000000000 + r * 1000)
        batch.end_row()
    assert_node_reads_ours(batch)


def test_node_reads_a_map_value():
    value = GLib.Variant("a{sv}", {"symbol": GLib.Variant("s", "600000"),
                                   "price": GLib.Variant("d", 10.5),
                                   "volume": GLib.Variant("x", 12345),
                                   "halted": GLib.Variant("b", False),
                                   "raw": GLib.Variant("ay", b"\x00\x01")})
    seen = node_reads(serialize(Pulse.Buffer.new_value(value)))
    got = {c["name"]: (c["type"], c["values"]) for c in seen["columns"]}
    assert seen["rows"] == 1
    assert got == {"symbol": ("utf8", ["600000"]), "price": ("float64", [10.5]),
                   "volume": ("int64", ["12345"]), "halted": ("bool", [False]),
                   "raw": ("binary", ["0001"])}, got


def test_node_reads_a_list_of_maps():
    rows = GLib.Variant("av", [
        GLib.Variant("a{sv}", {"a": GLib.Variant("x", 1), "b": GLib.Variant("s", "x")}),
        GLib.Variant("a{sv}", {"a": GLib.Variant("d", 2.5), "c": GLib.Variant("b", True)}),
    ])
    seen = node_reads(serialize(Pulse.Buffer.new_value(rows)))
    got = {c["name"]: (c["type"], c["values"]) for c in seen["columns"]}
    # the union of the keys in first-seen order; ints with floats make floats
    assert [c["name"] for c in seen["columns"]] == ["a", "b", "c"]
    assert got == {"a": ("float64", [1, 2.5]), "b": ("utf8", ["x", None]),
                   "c": ("bool", [None, True])}, got


def expected_from_node(table):
    """What our reader must make of a table node wrote."""
    out = []
    for col in table["columns"]:
        t, values = col["type"], col["values"]
        if t.startswith("int") or t.startswith("uint"):
            t = "int64"
        elif t in ("float32", "float64"):
            t = "float64"
        elif t in ("utf8", "large_utf8"):
            t = "utf8"
        elif t in ("binary", "large_binary"):
            t = "binary"
        elif t.startswith("timestamp["):
            factor = NS_PER[t[len("timestamp["):].split("]")[0].split(",")[0]]
            values = [None if v is None else str(int(v) * factor) for v in values]
            t = "timestamp[ns]"
        elif t == "null":
            t = "bool"  # a column of nulls: we have no null type
        out.append({"name": col["name"], "type": t, "values": values})
    return out


def assert_we_read_node(case, batches):
    data, table = node_writes(case)
    assert table["batches"] == batches, table["batches"]
    batch = deserialize(data)
    assert batch.get_shape() == Pulse.RecordShape.TABLE
    assert batch.get_n_rows() == table["rows"], (batch.get_n_rows(), table["rows"])
    ours = our_table(batch)
    for got, want in zip(ours, expected_from_node(table), strict=True):
        assert got == want, (got, want)


def test_we_read_every_type_node_writes():
    assert_we_read_node("all", 1)


def test_we_read_and_join_several_record_batches():
    assert_we_read_node("multi", 4)


def test_we_read_an_empty_table():
    assert_we_read_node("empty", 1)


def test_we_refuse_what_we_cannot_represent():
    for case, words in (("date", "date"), ("dict", "dictionary"), ("uint64-big", "int64")):
        data, _ = node_writes(case)
        try:
            deserialize(data)
        except GLib.Error as e:
            assert e.matches(Pulse.stream_error_quark(), Pulse.StreamError.DECODE), e
            assert words in e.message and e.message.startswith("arrow: "), e.message
        else:
            raise AssertionError(f"{case}: decoded")


def test_node_reads_what_we_reencode():
    # node → ours → node: the values survive both implementations
    data, table = node_writes("multi")
    batch = deserialize(data)
    seen = node_reads(serialize(Pulse.Buffer.new_records(batch)))
    assert seen["columns"] == expected_from_node(table), "re-encoded stream differs"


if __name__ == "__main__":
    taplib.run([
        test_node_reads_every_type_with_nulls,
        test_node_reads_every_type_without_nulls,
        test_node_reads_empty_batch,
        test_node_reads_100000_ticks,
        test_node_reads_a_map_value,
        test_node_reads_a_list_of_maps,
        test_we_read_every_type_node_writes,
        test_we_read_and_join_several_record_batches,
        test_we_read_an_empty_table,
        test_we_refuse_what_we_cannot_represent,
        test_node_reads_what_we_reencode,
    ])
