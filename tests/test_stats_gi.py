#!/usr/bin/python3
"""Traffic statistics read through GObject Introspection (Pulse.Stats).

What the admin server or a Python operator script does: count in a
Stats of its own with an injected clock, roll minutes, read the current
minute, history rows and totals, persist to SQLite and read the history
back after a "restart"; and read what a running zmqpub counted in the
default instance.
"""
import os
import sqlite3
import sys
import tempfile

import gi

gi.require_version("Pulse", "1.0")
from gi.repository import Pulse  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taplib  # noqa: E402

T0 = 1795529640  # a minute boundary
DEADLINE_US = 30 * 1000 * 1000


class Clock:
    def __init__(self, seconds):
        self.us = seconds * 1000000

    def __call__(self, *args):
        return self.us

    def set(self, seconds):
        self.us = seconds * 1000000


def make_stats(clock):
    stats = Pulse.Stats.new()
    stats.set_clock(clock)
    return stats


def test_minutes_and_history():
    clock = Clock(T0 + 1)
    stats = make_stats(clock)
    topic = stats.get_topic("sh_market")
    assert topic.get_name() == "sh_market"
    for _ in range(77):
        topic.add_frame(1, 40, 120, 5000)
    topic.add_drops(2)
    ok, current = stats.get_current("sh_market")
    assert ok
    assert current.timestamp == T0
    assert (current.msg_count, current.record_count, current.bytes_total) == (77, 77, 3080)
    assert current.raw_bytes == 77 * 120
    assert current.drops == 2
    assert stats.roll() is False

    clock.set(T0 + 60)
    assert stats.roll() is True
    assert stats.get_msg_rate_1min("sh_market") == 1.28
    assert stats.get_history_length("sh_market") == 1
    history = stats.get_history("sh_market", 60)
    assert len(history) == 1
    row = history[0]
    assert (row.timestamp, row.msg_count, row.bytes_total) == (T0, 77, 3080)
    assert row.get_msg_rate() == 1.28
    assert row.latency_count == 77
    assert abs(row.latency_p50_ns - 5000) <= 5000 / 16
    assert row.latency_max_ns == 5000
    assert stats.list_topics() == ["sh_market"]
    assert stats.get_history("unknown", 60) == []
    ok, totals = stats.get_totals("sh_market")
    assert ok and totals.msg_count == 77
    assert stats.get_uptime() == 59.0
    assert stats.props.retention_minutes == 480


def test_connection_events():
    stats = Pulse.Stats.new()
    stats.add_connection_event(Pulse.StatsEvent.CONNECTED)
    stats.add_connection_event(Pulse.StatsEvent.AUTH_FAILED)
    assert stats.get_event_count(Pulse.StatsEvent.CONNECTED) == 1
    assert stats.get_event_count(Pulse.StatsEvent.AUTH_FAILED) == 1
    assert stats.get_subscriber_count() == 1


def test_sqlite_restart():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "stats.sqlite")
        uri = "sqlite://" + path
        clock = Clock(T0)
        stats = make_stats(clock)
        assert stats.open_db(uri)
        topic = stats.get_topic("ticks")
        for minute in range(3):
            for _ in range(minute + 1):
                topic.add_frame(5, 35, 35, -1)
            clock.set(T0 + 60 * (minute + 1))
            assert stats.roll()
        topic.add_frame(5, 35, 35, -1)  # the unfinished minute
        stats.close()
        assert stats.props.db_uri is None

        with sqlite3.connect(path) as db:
            rows = db.execute(
                "SELECT timestamp, msg_count, record_count, bytes_total FROM minute_stats "
                "WHERE topic = 'ticks' ORDER BY timestamp").fetchall()
        assert rows == [(T0, 1, 5, 35), (T0 + 60, 2, 10, 70), (T0 + 120, 3, 15, 105),
                        (T0 + 180, 1, 5, 35)], rows

        restarted = make_stats(Clock(T0 + 200))
        assert restarted.open_db(uri)
        assert restarted.props.db_uri == uri
        history = restarted.get_history("ticks", 0)
        assert [(r.timestamp, r.msg_count) for r in history] == [
            (T0, 1), (T0 + 60, 2), (T0 + 120, 3), (T0 + 180, 1)]
        restarted.close()


def test_bad_database():
    from gi.repository import GLib
    stats = Pulse.Stats.new()
    try:
        stats.open_db("postgres://nope")
    except GLib.Error as e:
        assert e.matches(Pulse.resource_error_quark(), Pulse.ResourceError.SETTINGS)
    else:
        raise AssertionError("accepted a bad URI")


def test_zmqpub_counts_in_default():
    pipeline = Pulse.parse_launch(
        "ticksrc rate=0 batch=10 count=100 ! msgpack ! zstd ! "
        "zmqpub name=pub topic=gi_stats bind=tcp://127.0.0.1:*")
    assert pipeline.set_state(Pulse.State.PLAYING)
    try:
        eos = pipeline.get_bus().timed_pop_filtered(DEADLINE_US, Pulse.MessageType.EOS)
        assert eos is not None
    finally:
        pipeline.set_state(Pulse.State.NULL)
    stats = Pulse.Stats.get_default()
    assert "gi_stats" in stats.list_topics()
    ok, totals = stats.get_totals("gi_stats")
    assert ok
    assert totals.msg_count == 10
    assert totals.record_count == 100
    assert totals.raw_bytes > totals.bytes_total  # zstd frames say their size
    assert totals.latency_count == 10


taplib.run([test_minutes_and_history, test_connection_events, test_sqlite_restart,
            test_bad_database, test_zmqpub_counts_in_default])
