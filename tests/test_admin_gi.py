#!/usr/bin/python3
"""The admin server through GObject Introspection (Pulse.AdminServer).

A Python application embeds the server next to its pipeline: it starts it
on a free loopback port, runs the GLib main loop (the server has no thread
of its own) while a worker thread makes requests, reads the bound URL and
the snapshot, and stops it. The requests use urllib, in a thread, because
the main loop must keep turning to answer them.
"""
import json
import os
import sys
import threading
import urllib.error
import urllib.request

import gi

gi.require_version("Pulse", "1.0")
from gi.repository import GLib, Pulse  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taplib  # noqa: E402

DEADLINE_S = 30


def serve_while(server, work):
    """Runs the main loop until work() (in a thread) returns; re-raises."""
    loop = GLib.MainLoop()
    outcome = {}

    def run():
        try:
            outcome["value"] = work()
        except BaseException as e:  # noqa: BLE001 - re-raised on the main thread
            outcome["error"] = e
        GLib.idle_add(loop.quit)

    threading.Thread(target=run, daemon=True).start()
    GLib.timeout_add_seconds(DEADLINE_S, loop.quit)
    loop.run()
    if "error" in outcome:
        raise outcome["error"]
    assert "value" in outcome, "timed out"
    return outcome["value"]


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=DEADLINE_S) as r:
            return r.status, r.headers.get("Content-Type"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read()


def test_serves_a_pipeline():
    pipeline = Pulse.parse_launch(
        "timer interval=0.05 ! msgpack ! zmqpub topic=gi_admin bind=tcp://127.0.0.1:*")
    server = Pulse.AdminServer.new("127.0.0.1:0", pipeline)
    assert server.get_uri() is None
    assert server.props.sse_interval == 1.0 and server.props.max_sse_clients == 1000
    server.start()
    uri = server.get_uri()
    assert uri.startswith("http://127.0.0.1:") and uri.endswith("/"), uri
    assert server.props.uri == uri
    assert int(uri.rsplit(":", 1)[1].rstrip("/")) > 0, uri
    pipeline.set_state(Pulse.State.PLAYING)
    try:
        def work():
            out = {"health": fetch(uri + "healthz")}
            # wait for the topic to be counted; the loop answers meanwhile
            deadline = GLib.get_monotonic_time() + DEADLINE_S * 1000000
            while GLib.get_monotonic_time() < deadline:
                status, ctype, body = fetch(uri + "api/v1/stats/realtime")
                snap = json.loads(body)
                if snap["topics"].get("gi_admin", {}).get("msg_count_current", 0) > 0:
                    break
            out["snap"] = (status, ctype, snap)
            out["pipeline"] = json.loads(fetch(uri + "api/v1/pipeline")[2])
            out["missing"] = fetch(uri + "nope")
            return out

        out = serve_while(server, work)
    finally:
        pipeline.set_state(Pulse.State.NULL)

    assert out["health"][0] == 200 and json.loads(out["health"][2]) == {"status": "ok"}, out
    status, ctype, snap = out["snap"]
    assert status == 200 and ctype == "application/json; charset=utf-8", (status, ctype)
    assert snap["topics"]["gi_admin"]["msg_count_current"] > 0, snap
    assert snap["cache_sizes"] == {"gi_admin": snap["cache_sizes"]["gi_admin"]}, snap
    assert snap["producer_count"] == 1, snap
    assert [e["factory"] for e in out["pipeline"]["elements"]] == ["timer", "msgpack", "zmqpub"]
    assert out["missing"][0] == 404 and json.loads(out["missing"][2]) == {"error": "not found"}

    # the snapshot without HTTP
    direct = json.loads(server.build_snapshot())
    assert list(direct)[:5] == ["topics", "cache_sizes", "start_time", "producer_count",
                                "server_time"], direct
    server.stop()
    assert server.get_uri() is None
    server.stop()  # twice is harmless


def test_token_and_bad_address():
    server = Pulse.AdminServer.new("127.0.0.1:0", None)
    server.props.token = "s3cret"
    server.start()
    uri = server.get_uri()

    def work():
        return (fetch(uri + "api/v1/topics"),
                fetch(uri + "api/v1/topics", {"Authorization": "Bearer s3cret"}),
                fetch(uri + "healthz"))

    denied, allowed, health = serve_while(server, work)
    server.stop()
    assert denied[0] == 401 and json.loads(denied[2]) == {"error": "unauthorized"}, denied
    assert allowed[0] == 200 and "topic_count" in json.loads(allowed[2]), allowed
    assert health[0] == 200, health

    for bad in ("nonsense", "127.0.0.1:99999", "example.com:80"):
        try:
            Pulse.AdminServer.new(bad, None).start()
        except GLib.Error as e:
            assert e.matches(Pulse.resource_error_quark(), Pulse.ResourceError.SETTINGS), e
        else:
            raise AssertionError(f"{bad!r} was accepted")


if __name__ == "__main__":
    taplib.run([
        test_serves_a_pipeline,
        test_token_and_bad_address,
    ])
