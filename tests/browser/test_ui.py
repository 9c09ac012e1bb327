#!/usr/bin/python3
"""The admin web UI in a real browser: headless Debian chromium driven by
playwright-core (ui.mjs) against a running `pulse-launch --admin`.

The publisher runs two ticksrc feeds on one zmqpub endpoint, with a stats
database seeded with half an hour of per-minute history so that the history
charts have something to draw from the first second. ui.mjs opens the page at
1366x768 and at 375x740, checks it and saves screenshots under the build
directory (tests/browser/ui-desktop.png, ui-phone.png); each of its checks is
one TAP line here.

Needs /usr/bin/chromium, fonts-noto-cjk and `npm ci --prefix tests/browser`
(scripts/setup does all three). Skipped only when pulse-launch has no --admin.
"""
import json
import math
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import taplib  # noqa: E402
from subpeer import free_port  # noqa: E402
from test_launch import LAUNCH, Launch, child_env, skip_unless  # noqa: E402

TOPICS = ["sh_market", "sz_market"]
SEEDED_MINUTES = 30
BUILD_DIR = os.environ.get("PULSE_BUILD_DIR", os.path.join(HERE, "..", "..", "build"))
OUT_DIR = os.path.join(BUILD_DIR, "tests", "browser")
ADMIN_URL = re.compile(r"admin UI on (http://[^\s]+/)")
STARTUP = 30.0
BROWSER = 150.0


def has_admin():
    out = subprocess.run([LAUNCH, "--help"], capture_output=True, text=True, env=child_env())
    return "--admin" in out.stdout + out.stderr


def seed_history(path):
    """The original's minute_stats table, as a publisher that ran for half
    an hour before would have left it; pulse-launch reloads it at start."""
    now = int(time.time()) // 60 * 60
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE minute_stats (topic TEXT NOT NULL, timestamp INTEGER NOT NULL, "
               "msg_count INTEGER DEFAULT 0, record_count INTEGER DEFAULT 0, "
               "bytes_total INTEGER DEFAULT 0, PRIMARY KEY (topic, timestamp))")
    for topic, per_minute in zip(TOPICS, (600, 300)):
        for i in range(SEEDED_MINUTES, 0, -1):
            msgs = round(per_minute * (1 + 0.2 * math.sin(i / 4)))
            db.execute("INSERT INTO minute_stats VALUES (?, ?, ?, ?, ?)",
                       (topic, now - 60 * i, msgs, 2 * msgs, 90 * msgs))
    db.commit()
    db.close()


def node():
    path = "/usr/bin/node" if os.access("/usr/bin/node", os.X_OK) else None
    assert path, "node is not installed: run scripts/setup (it installs nodejs and npm)"
    module = os.path.join(HERE, "node_modules", "playwright-core", "package.json")
    assert os.path.exists(module), (
        "playwright-core is not installed: run `npm ci --prefix tests/browser` (scripts/setup does)")
    assert os.access("/usr/bin/chromium", os.X_OK), (
        "/usr/bin/chromium is missing: apt-get install chromium fonts-noto-cjk (scripts/setup does)")
    return path


RESULT = {}


def run_browser():
    """Starts the publisher, runs ui.mjs once; the other tests read its checks."""
    with tempfile.TemporaryDirectory(prefix="pulsemq-ui-") as tmp:
        db = os.path.join(tmp, "stats.sqlite")
        seed_history(db)
        endpoint = f"tcp://127.0.0.1:{free_port()}"
        description = (
            f"ticksrc name=sh symbols=600000,600036,601318 rate=20 batch=2 ! msgpack ! "
            f"zmqpub name=pub_sh topic={TOPICS[0]} bind={endpoint}  "
            f"ticksrc name=sz symbols=000001,000002,300750 rate=10 batch=2 ! msgpack ! "
            f"zmqpub name=pub_sz topic={TOPICS[1]} bind={endpoint}")
        args = ["--admin", "127.0.0.1:0", "--stats-db", f"sqlite://{db}", description]
        with Launch(args) as pub:
            pub.wait_for(lambda: ADMIN_URL.search("".join(pub.err)), "the admin URL on stderr",
                         STARTUP)
            url = ADMIN_URL.search(pub.stderr()).group(1)
            p = subprocess.run([node(), os.path.join(HERE, "ui.mjs"), url, OUT_DIR, *TOPICS],
                               capture_output=True, text=True, timeout=BROWSER)
            assert p.returncode == 0 and p.stdout.strip(), (
                f"ui.mjs failed ({p.returncode}):\n{p.stdout}\n{p.stderr}\n"
                f"pulse-launch:\n{''.join(pub.err)}")
            RESULT.update(json.loads(p.stdout.strip().splitlines()[-1]))
            RESULT["launch_err"] = "".join(pub.err)
    for shot in RESULT["screenshots"]:
        print(f"# screenshot: {shot}", flush=True)


def browser_check(name):
    def test():
        assert RESULT, "the browser did not run (see the first test)"
        found = [c for c in RESULT["checks"] if c["name"] == name]
        assert found, f"ui.mjs did not get to {name}"
        assert found[0]["ok"], found[0]["detail"]
        if found[0]["detail"]:
            print(f"# {name}: {found[0]['detail']}", flush=True)
    test.__name__ = name
    return test


CHECKS = [
    "page_loads_and_connects",
    "numbers_change_as_data_flows",
    "history_chart_renders",
    "pipeline_graph_renders",
    "auth_table_renders",
    "language_switch",
    "desktop_screenshot",
    "phone_width_no_horizontal_overflow",
    "no_console_errors",
    "no_failed_requests",
]

ADMIN = has_admin()
REASON = "pulse-launch has no --admin option (the admin server is not built yet)"

if __name__ == "__main__":
    tests = [skip_unless(ADMIN, REASON)(run_browser)]
    tests += [skip_unless(ADMIN, REASON)(browser_check(c)) for c in CHECKS]
    taplib.run(tests)
