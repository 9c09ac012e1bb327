#!/usr/bin/python3
"""The admin HTTP server of a running pulse-launch, from outside.

Single requests are made with curl (a client that is not ours); the 200
concurrent event stream clients are raw sockets in one selector loop. The
server's URL is read from pulse-launch's stderr ("admin UI on URL"); it
listens on 127.0.0.1 on a port the kernel picked. Every check waits for a
condition with a generous deadline; nothing sleeps and then asserts.

Fields and types are compared with ../shared/ADMIN-API.md: the original's
names and types, then ours.
"""
import json
import os
import re
import selectors
import socket
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taplib  # noqa: E402
from subpeer import Subscriber, burst_pipeline, free_port  # noqa: E402
from test_launch import DEADLINE, Launch, child_env  # noqa: E402

URL_RE = re.compile(r"admin UI on (http://[^\s]+/)")
SANITIZED = bool(os.environ.get("PULSE_PY_PRELOAD"))
SECRET = "sk_Secret_42"
SLASH_TOPIC = "sh.market/1"
CJK_TOPIC = "行情"


def curl(url, *args, timeout=DEADLINE):
    """(status, headers as a lower-case dict, body bytes)."""
    out = subprocess.run(["curl", "-s", "-S", "-i", "--max-time", str(timeout), *args, url],
                         capture_output=True, timeout=timeout + 10)
    assert out.returncode == 0, f"curl {url} {args}: {out.returncode} {out.stderr!r}"
    head, _, body = out.stdout.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def get_json(url, *args, status=200):
    code, headers, body = curl(url, *args)
    assert code == status, f"{url}: {code} {body!r}"
    assert headers.get("content-type") == "application/json; charset=utf-8", headers
    return json.loads(body)


def start(description, *args, env=None):
    env = dict(env if env is not None else child_env())
    if SANITIZED:
        # full stacks, so that tests/lsan.supp can match libsoup 3.2's leak of
        # the sockets of closed event streams (fixed in libsoup 3.3)
        env["LSAN_OPTIONS"] = env.get("LSAN_OPTIONS", "") + ":fast_unwind_on_malloc=0"
    launch = Launch(["--admin", "127.0.0.1:0", *args, description], env=env)
    launch.wait_for(lambda: URL_RE.search("".join(launch.err)), "the admin URL")
    url = URL_RE.search(launch.stderr()).group(1)
    return launch, url


def feed_pipeline():
    bind = "bind=tcp://127.0.0.1:*"
    return (f'ticksrc rate=20 batch=2 ! msgpack ! zmqpub topic="{SLASH_TOPIC}" {bind}  '
            f'ticksrc rate=20 ! msgpack ! plainauth keys=alice:{SECRET},bob:{SECRET}x ! '
            f'zmqpub topic={CJK_TOPIC} {bind}')


def wait_until(predicate, what, timeout=DEADLINE):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.1)


def check_types(obj, spec, where):
    for key, types in spec.items():
        assert key in obj, f"{where}: no {key!r} in {obj!r}"
        assert isinstance(obj[key], types) and not (
            isinstance(obj[key], bool) and bool not in (types if isinstance(types, tuple) else (types,))
        ), f"{where}: {key!r} is {obj[key]!r}, expected {types}"


ORIGINAL_TOPIC = {"msg_count_current": int, "record_count_current": int,
                  "bytes_total_current": int, "msg_rate_1min": float, "history_minutes": int}
OUR_TOPIC = {"record_rate_1min": float, "bytes_rate_1min": float, "raw_bytes_current": int,
             "drops_current": int, "malformed_current": int,
             "latency_p50_ms": (float, type(None)), "latency_p99_ms": (float, type(None)),
             "drops_total": int, "malformed_total": int}


def check_snapshot(snap, where):
    keys = list(snap)
    # the original's keys first, in its order, then ours
    assert keys[:5] == ["topics", "cache_sizes", "start_time", "producer_count", "server_time"], keys
    assert keys[5:8] == ["uptime_seconds", "version", "subscribers"], keys
    check_types(snap, {"topics": dict, "cache_sizes": dict, "start_time": float,
                       "producer_count": int, "server_time": float, "uptime_seconds": float,
                       "version": str, "subscribers": dict}, where)
    check_types(snap["subscribers"], {"connected": int, "accepted": int, "rejected": int}, where)
    for topic, t in snap["topics"].items():
        assert list(t)[:5] == list(ORIGINAL_TOPIC), t
        check_types(t, {**ORIGINAL_TOPIC, **OUR_TOPIC}, f"{where} topic {topic}")
    for topic, n in snap["cache_sizes"].items():
        assert isinstance(n, int), snap["cache_sizes"]


def test_endpoints_fields_and_types():
    p, url = start(feed_pipeline())
    with p:
        context = p.describe

        def both_counted():
            snap = get_json(url + "api/v1/stats/realtime")
            topics = snap["topics"]
            return snap if all(topics.get(t, {}).get("msg_count_current", 0) > 0
                               for t in (SLASH_TOPIC, CJK_TOPIC)) else None
        snap = wait_until(both_counted, "both topics counted")
        check_snapshot(snap, "realtime")
        assert snap["producer_count"] == 2, snap
        assert set(snap["cache_sizes"]) == {SLASH_TOPIC, CJK_TOPIC}, snap
        assert snap["version"] == snap["version"].strip() and snap["version"], snap
        t = snap["topics"][SLASH_TOPIC]
        assert t["latency_p50_ms"] is not None and t["latency_p50_ms"] >= 0, t

        topics = get_json(url + "api/v1/topics")
        check_types(topics, {"topic_count": int, "topics": list}, "topics")
        assert topics["topic_count"] == len(topics["topics"]) >= 2, topics
        for row in topics["topics"]:
            assert list(row) == ["topic", "msg_rate_1min", "msg_count_current",
                                 "record_count_current", "bytes_total_current", "cache_size"], row
            check_types(row, {"topic": str, "msg_rate_1min": float, "msg_count_current": int,
                              "record_count_current": int, "bytes_total_current": int,
                              "cache_size": int}, "topics row")

        status = get_json(url + "api/v1/system/status")
        assert list(status) == ["version", "start_time", "uptime_seconds"], status
        check_types(status, {"version": str, "start_time": float, "uptime_seconds": float}, "status")
        assert get_json(url + "healthz") == {"status": "ok"}

        # percent-encoded topic names: "/" inside a topic, and UTF-8
        for topic in (SLASH_TOPIC, CJK_TOPIC):
            quoted = urllib.parse.quote(topic, safe="")
            h = get_json(f"{url}api/v1/topics/{quoted}/history?minutes=5")
            assert list(h) == ["topic", "minutes", "history"], h
            assert h["topic"] == topic and h["minutes"] == 5, h
            assert isinstance(h["history"], list), h
            for row in h["history"]:
                check_types(row, {"timestamp": int, "msg_count": int, "record_count": int,
                                  "bytes_total": int, "msg_rate": float, "raw_bytes": int,
                                  "drops": int, "malformed": int}, "history row")
        h = get_json(url + "api/v1/topics/" + urllib.parse.quote(CJK_TOPIC) + "/history")
        assert h["minutes"] == 60, h

        code, headers, body = curl(url)
        assert code == 200 and headers["content-type"] == "text/html; charset=utf-8", headers
        assert b"<html" in body.lower(), body[:200]
        code, headers, _ = curl(url + "index.html")
        assert code == 200, code
        code, headers, body = curl(url + "static/app.js")
        assert code == 200 and "javascript" in headers["content-type"], headers
        assert headers["cache-control"] == "public, max-age=3600", headers
        code, headers, _ = curl(url + "static/app.css")
        assert code == 200 and headers["content-type"].startswith("text/css"), headers
        assert p.proc.poll() is None, context()


def test_errors_are_json():
    p, url = start(feed_pipeline())
    with p:
        assert get_json(url + "nope", status=404) == {"error": "not found"}
        assert get_json(url + "api/v1/topics/x", status=404) == {"error": "not found"}
        assert get_json(url + "api/v1/topics/nosuch/history", status=404) == {
            "error": "unknown topic"}
        # the original never decoded the topic; we do (libsoup itself decodes
        # %2F), so a topic with a "/" is found however it is written
        wait_until(lambda: SLASH_TOPIC in get_json(url + "api/v1/stats/realtime")["topics"],
                   "the topic counted")
        assert get_json(url + "api/v1/topics/sh.market/1/history")["topic"] == SLASH_TOPIC
        wait_until(lambda: CJK_TOPIC in get_json(url + "api/v1/stats/realtime")["topics"],
                   "the topic counted")
        quoted = urllib.parse.quote(CJK_TOPIC)
        for bad in ("abc", "-1", "1.5", "100000", ""):
            err = get_json(f"{url}api/v1/topics/{quoted}/history?minutes={bad}", status=400)
            assert "minutes" in err["error"], err
        # static files: a backslash, a leading slash; dot segments never leave the tree
        for bad in ("static/a%5Cb.js", "static//etc/passwd", "static/%2Fetc%2Fpasswd"):
            assert get_json(url + bad, status=400) == {"error": "bad path"}, bad
        # (libsoup removes dot segments first: /static/../x arrives as /x)
        for path in ("static/%2e%2e/pulse-admin.gresource.xml", "static/../../../etc/passwd"):
            code, _, body = curl(url + path, "--path-as-is")
            assert code in (400, 404) and "error" in json.loads(body), (path, code, body)
        assert get_json(url + "static/nosuch.js", status=404) == {"error": "not found"}
        # read-only: any other method is 405
        for method in ("POST", "PUT", "DELETE"):
            err = get_json(url + "api/v1/topics", "-X", method, status=405)
            assert "error" in err, err
        # an oversized request: a 1 MiB body, then a 40 KB header (over the
        # 16 KiB default; past 64 KiB libsoup closes the connection itself)
        out = subprocess.run(["curl", "-s", "-i", "--max-time", str(DEADLINE), "-X", "GET",
                              "--data-binary", "@-", url + "api/v1/topics"],
                             input=b"x" * (1 << 20), capture_output=True, timeout=DEADLINE + 10)
        head, _, body = out.stdout.partition(b"\r\n\r\n")
        assert head.split()[1] == b"413", out.stdout[:300]
        assert "error" in json.loads(body), body
        err = get_json(url + "api/v1/topics", "-H", "X-Big: " + "y" * 40_000, status=413)
        assert err == {"error": "request too large"}, err
        # still serving
        assert get_json(url + "healthz") == {"status": "ok"}


def read_sse(url, frames, timeout=DEADLINE):
    """The first bytes, then (arrival time, JSON) of each data frame."""
    u = urllib.parse.urlsplit(url)
    sock = socket.create_connection((u.hostname, u.port), timeout=timeout)
    try:
        sock.sendall(f"GET /api/v1/stats/stream HTTP/1.1\r\nHost: {u.netloc}\r\n\r\n".encode())
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = sock.recv(65536)
            assert chunk, buf
            buf += chunk
        head, _, buf = buf.partition(b"\r\n\r\n")
        got = []
        deadline = time.monotonic() + timeout
        while len(got) < frames:
            while b"\n\n" in buf:
                event, _, buf = buf.partition(b"\n\n")
                got.append((time.monotonic(), event))
            if len(got) >= frames:
                break
            assert time.monotonic() < deadline, got
            chunk = sock.recv(65536)
            assert chunk, f"stream closed after {got!r}"
            buf += chunk
        return head.decode("latin-1"), got
    finally:
        sock.close()


def test_sse_cadence():
    p, url = start(feed_pipeline())
    with p:
        head, events = read_sse(url, 6)
        assert head.startswith("HTTP/1.1 200"), head
        lower = head.lower()
        assert "content-type: text/event-stream; charset=utf-8" in lower, head
        assert "cache-control: no-cache" in lower and "x-accel-buffering: no" in lower, head
        assert "content-length" not in lower and "chunked" not in lower, head
        assert events[0][1] == b": connected", events[0]
        stamps = []
        for t, event in events[1:]:
            assert event.startswith(b"data: ") and b"\n" not in event, event
            check_snapshot(json.loads(event[6:]), "SSE frame")
            stamps.append(t)
        gaps = [b - a for a, b in zip(stamps, stamps[1:])]
        mean = sum(gaps) / len(gaps)
        print(f"# SSE frame gaps: {', '.join(f'{g:.3f}' for g in gaps)} s")
        assert 0.5 < mean < 3.0, gaps


def test_pipeline_and_auth():
    p, url = start(feed_pipeline())
    with p:
        pipe = wait_until(lambda: (lambda j: j if j["state"] == "PLAYING" else None)(
            get_json(url + "api/v1/pipeline")), "PLAYING")
        text = json.dumps(pipe, ensure_ascii=False)
        assert SECRET not in text, "a key leaked"
        assert "keys=***" in pipe["description"], pipe["description"]
        assert list(pipe) == ["description", "state", "elements", "links"], list(pipe)
        names = {e["name"]: e for e in pipe["elements"]}
        factories = sorted(e["factory"] for e in pipe["elements"])
        assert factories == ["msgpack", "msgpack", "plainauth", "ticksrc", "ticksrc", "zmqpub",
                             "zmqpub"], factories
        for e in pipe["elements"]:
            check_types(e, {"name": str, "factory": str, "klass": str, "state": str,
                            "properties": dict, "pads": list}, "element")
            assert e["state"] == "PLAYING", e
            for value in e["properties"].values():
                assert isinstance(value, (str, int, float, bool, type(None))), e["properties"]
            assert "keys" not in e["properties"], e["properties"]
            for pad in e["pads"]:
                assert pad["direction"] in ("src", "sink"), pad
                assert isinstance(pad["format"], str) and pad["format"], pad
                assert pad["peer"] is None or re.fullmatch(r"[^.]+\.\w+", pad["peer"]), pad
        pubs = [e for e in pipe["elements"] if e["factory"] == "zmqpub"]
        assert sorted(e["properties"]["topic"] for e in pubs) == sorted([SLASH_TOPIC, CJK_TOPIC])
        assert all(isinstance(e["properties"]["sent"], int) for e in pubs), pubs
        assert len(pipe["links"]) == 5, pipe["links"]
        for link in pipe["links"]:
            src, dst = link["from"].split("."), link["to"].split(".")
            assert src[0] in names and dst[0] in names, link
            peers = [pd["peer"] for pd in names[src[0]]["pads"] if pd["name"] == src[1]]
            assert peers == [link["to"]], (link, names[src[0]]["pads"])

        auth = get_json(url + "api/v1/auth")
        assert list(auth) == ["enabled", "users", "rejected_unknown"], auth
        assert auth["enabled"] is True, auth
        assert [u["user"] for u in auth["users"]] == ["alice", "bob"], auth
        for u in auth["users"]:
            assert list(u) == ["user", "accepted", "rejected"], u
            assert isinstance(u["accepted"], int) and isinstance(u["rejected"], int), u
        assert SECRET not in json.dumps(auth), auth


METRIC_LINE = re.compile(
    r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? '
    r'(-?[0-9.eE+-]+|NaN|[+-]Inf)$')


def parse_metrics(text):
    """{(name, labels): value}, checking every line against the text format."""
    samples, types = {}, {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            assert kind in ("counter", "gauge", "summary", "histogram", "untyped"), line
            types[name] = kind
            continue
        m = METRIC_LINE.match(line)
        assert m, f"not Prometheus text: {line!r}"
        labels = tuple(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        base = re.sub(r"_(count|sum)$", "", m.group(1))
        assert m.group(1) in types or base in types, f"no TYPE for {line!r}"
        samples[(m.group(1), labels)] = float(m.group(3))
    return samples, types


def test_metrics():
    p, url = start(feed_pipeline())
    with p:
        wait_until(lambda: SLASH_TOPIC in get_json(url + "api/v1/stats/realtime")["topics"],
                   "a topic counted")
        code, headers, body = curl(url + "metrics")
        assert code == 200, code
        assert headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8", headers
        samples, types = parse_metrics(body.decode("utf-8"))
        for name in ("pulsemq_messages_total", "pulsemq_records_total", "pulsemq_bytes_total",
                     "pulsemq_drops_total", "pulsemq_malformed_total",
                     "pulsemq_auth_handshakes_total"):
            assert types.get(name) == "counter", (name, types)
        assert types["pulsemq_send_latency_seconds"] == "summary", types
        assert types["pulsemq_subscribers"] == "gauge", types
        assert samples[("pulsemq_messages_total", (("topic", SLASH_TOPIC),))] > 0, samples
        assert ("pulsemq_messages_total", (("topic", CJK_TOPIC),)) in samples, samples
        assert samples[("pulsemq_uptime_seconds", ())] >= 0
        assert samples[("pulsemq_producers", ())] == 2


def test_token():
    env = child_env(PULSEMQ_ADMIN_TOKEN="t0ken")
    p, url = start(feed_pipeline(), env=env)
    with p:
        assert get_json(url + "healthz") == {"status": "ok"}
        for path in ("", "api/v1/stats/realtime", "api/v1/pipeline", "metrics", "static/app.js"):
            err = get_json(url + path, status=401)
            assert err == {"error": "unauthorized"}, err
            get_json(url + path, "-H", "Authorization: Bearer wrong", status=401)
        assert get_json(url + "api/v1/topics", "-H", "Authorization: Bearer t0ken")["topics"]
        code, _, _ = curl(url + "metrics", "-H", "Authorization: Bearer t0ken")
        assert code == 200
        snap = get_json(url + "api/v1/stats/realtime?token=t0ken")
        check_snapshot(snap, "with ?token")
        assert "t0ken" not in p.stderr(), "the token was printed"


def test_no_admin_and_warning():
    description = "ticksrc rate=20 count=2 ! msgpack ! zmqpub topic=x bind=tcp://127.0.0.1:*"
    p = Launch(["--no-admin", description])
    with p:
        assert p.finish() == 0, p.describe()
        assert "admin UI on" not in p.stderr(), p.describe()
        assert re.search(r"^  admin             off$", p.stderr(), re.M), p.describe()
    # a wildcard bind without a token is allowed, with a warning
    port = free_port()
    p = Launch([description], env=child_env(PULSEMQ_ADMIN_BIND=f"0.0.0.0:{port}"))
    with p:
        assert p.finish() == 0, p.describe()
        err = p.stderr()
        assert f"admin UI on http://0.0.0.0:{port}/" in err, p.describe()
        assert "without PULSEMQ_ADMIN_TOKEN" in err, p.describe()


class SseSwarm:
    """n raw event stream clients in one selector loop: counts the data
    frames each gets and checks that every frame is a snapshot."""

    def __init__(self, url, n):
        u = urllib.parse.urlsplit(url)
        self.sel = selectors.DefaultSelector()
        self.clients = []
        request = f"GET /api/v1/stats/stream HTTP/1.1\r\nHost: {u.netloc}\r\n\r\n".encode()
        for _ in range(n):
            s = socket.create_connection((u.hostname, u.port), timeout=DEADLINE)
            s.sendall(request)
            s.setblocking(False)
            c = {"sock": s, "buf": b"", "head": None, "connected": False, "frames": 0,
                 "closed": False, "bad": []}
            self.clients.append(c)
            self.sel.register(s, selectors.EVENT_READ, c)

    def pump(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for key, _ in self.sel.select(timeout=min(0.2, max(0, end - time.monotonic()))):
                c = key.data
                try:
                    chunk = c["sock"].recv(65536)
                except BlockingIOError:
                    continue
                if not chunk:
                    c["closed"] = True
                    self.sel.unregister(c["sock"])
                    continue
                c["buf"] += chunk
                if c["head"] is None and b"\r\n\r\n" in c["buf"]:
                    c["head"], _, c["buf"] = c["buf"].partition(b"\r\n\r\n")
                while c["head"] is not None and b"\n\n" in c["buf"]:
                    event, _, c["buf"] = c["buf"].partition(b"\n\n")
                    if event == b": connected":
                        c["connected"] = True
                    elif event.startswith(b"data: "):
                        try:
                            snap = json.loads(event[6:])
                            assert "topics" in snap and "server_time" in snap
                        except Exception as e:  # noqa: BLE001 - kept for the report
                            c["bad"].append(repr(e))
                        c["frames"] += 1
                    else:
                        c["bad"].append(event[:80])

    def all(self, predicate):
        return all(predicate(c) for c in self.clients)

    def close(self):
        for c in self.clients:
            c["sock"].close()
        self.sel.close()


def run_burst(n_clients, records):
    """One burst through pulse-launch with n_clients on the event stream;
    returns the subscriber's result and how many frames the clients got."""
    port = free_port()
    endpoint = f"tcp://127.0.0.1:{port}"
    start_delay = 4
    finish = 180.0 if SANITIZED else 90.0
    sub = Subscriber(endpoint, "burst", deadline=finish + DEADLINE)
    swarm = None
    try:
        sub.wait_line("connecting", DEADLINE)
        sub.expect(records)
        description = burst_pipeline(endpoint, "burst", records, start_delay,
                                     warm_count=20 * start_delay)
        p, url = start(description, "-v")
        with p:
            if n_clients:
                swarm = SseSwarm(url, n_clients)
                deadline = time.monotonic() + DEADLINE
                while not swarm.all(lambda c: c["connected"]):
                    assert time.monotonic() < deadline, "not every client got ': connected'"
                    swarm.pump(0.2)
            sub.wait_line("ready", start_delay + DEADLINE)
            # the clients keep reading while the burst runs, until it has ended
            end = time.monotonic() + finish
            while p.proc.poll() is None:
                if swarm:
                    swarm.pump(0.5)
                else:
                    try:
                        p.proc.wait(0.5)
                    except subprocess.TimeoutExpired:
                        pass
                assert time.monotonic() < end, "the burst did not end"
            rc = p.finish(DEADLINE)
            try:
                sub.publisher_gone()
            except BrokenPipeError:
                pass  # it had every record already and has exited
            result = sub.result(finish)
            assert rc == 0, f"exit status {rc}{p.describe()}"
            frames = None
            if swarm:
                bad = [c["bad"] for c in swarm.clients if c["bad"]]
                assert not bad, bad[:3]
                frames = sorted(c["frames"] for c in swarm.clients)
            return result, frames
    finally:
        if swarm:
            swarm.close()
        sub.kill()


def test_200_sse_clients_during_a_burst():
    records = 500_000 if SANITIZED else 1_000_000
    rates = {}
    for n in (0, 200):
        result, frames = run_burst(n, records)
        assert not result["errors"], result
        assert result["first_seq"] == 0 and result["last_seq"] == records - 1, result
        assert result["decoded"] == records and result["meta_records"] == records, result
        if n:
            assert frames[0] >= 1, f"a client got no data frame: {frames[:10]}"
        timed = records - 1000
        rates[n] = timed / result["send_s"] if result["send_s"] > 0 else float("inf")
        print(f"# {n} SSE clients: {records} records, no loss; sent {rates[n]:,.0f} records/s"
              + (f"; data frames per client {frames[0]}..{frames[-1]}" if frames else "")
              + (" (AddressSanitizer build)" if SANITIZED else ""), flush=True)


def test_handshakes_are_visible():
    """Who connected and who was refused: /api/v1/auth, the snapshot, /metrics."""
    import zmq

    p, url = start(feed_pipeline())
    socks = []
    with p:
        pipe = wait_until(lambda: (lambda j: j if j["state"] == "PLAYING" else None)(
            get_json(url + "api/v1/pipeline")), "PLAYING")
        endpoint = [e for e in pipe["elements"]
                    if e["factory"] == "zmqpub"][0]["properties"]["endpoint"]
        for user, password in (("alice", SECRET), ("bob", "wrong"), (None, None)):
            sock = zmq.Context.instance().socket(zmq.SUB)
            sock.linger = 0
            if user is not None:
                sock.plain_username, sock.plain_password = user.encode(), password.encode()
            sock.setsockopt(zmq.SUBSCRIBE, b"")
            sock.connect(endpoint)
            socks.append(sock)
        assert socks[0].poll(int(DEADLINE * 1000)), "alice receives"

        def seen():
            auth = get_json(url + "api/v1/auth")
            users = {u["user"]: u for u in auth["users"]}
            ok = (users["alice"]["accepted"] >= 1 and users["bob"]["rejected"] >= 1
                  and auth["rejected_unknown"] >= 1)
            return auth if ok else None

        auth = wait_until(seen, "the handshakes counted")
        alice = [u for u in auth["users"] if u["user"] == "alice"][0]
        assert alice["rejected"] == 0, auth
        subs = get_json(url + "api/v1/stats/realtime")["subscribers"]
        assert subs["connected"] >= 1 and subs["accepted"] >= 1 and subs["rejected"] >= 2, subs
        samples, _ = parse_metrics(curl(url + "metrics")[2].decode())
        assert samples[("pulsemq_auth_handshakes_total",
                        (("user", "alice"), ("result", "accepted")))] >= 1, samples
        assert samples[("pulsemq_auth_handshakes_total",
                        (("user", "bob"), ("result", "rejected")))] >= 1, samples
        for sock in socks:
            sock.close()


if __name__ == "__main__":
    taplib.run([
        test_handshakes_are_visible,
        test_endpoints_fields_and_types,
        test_errors_are_json,
        test_sse_cadence,
        test_pipeline_and_auth,
        test_metrics,
        test_token,
        test_no_admin_and_warning,
        test_200_sse_clients_during_a_burst,
    ])
