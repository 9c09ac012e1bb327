#!/usr/bin/python3
"""End-to-end tests of pulse-inspect: the built program as a real process.

pulse-inspect reads everything it shows from the registry, the pad
templates and the GParamSpecs. These tests check what it prints against
the facts of the built-in elements, check that its text and --json forms
agree, and run every element's usage line through pulse-launch so the
documentation cannot drift from the parser.
"""
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import taplib  # noqa: E402

INSPECT = os.environ["PULSE_INSPECT"]
LAUNCH = os.environ["PULSE_LAUNCH"]
DEADLINE = 30.0

BUILTINS = {
    # name: klass
    "fakesink": "Sink",
    "print": "Sink/Debug",
    "queue": "Generic",
    "tee": "Generic",
    "timer": "Source/Timer",
}


PLUGIN_DIR = os.environ.get("PULSE_TEST_PLUGIN_DIR", "")
CODEC_MODULE = os.path.join(PLUGIN_DIR, "pulsetestcodec.so") if PLUGIN_DIR else ""


def child_env(**extra):
    env = dict(os.environ)
    env["LC_ALL"] = "C.UTF-8"
    for name in ("LANGUAGE", "LANG", "PULSE_PLUGIN_PATH"):
        env.pop(name, None)
    env.update(extra)
    return env


def inspect(*args, env=None):
    """Runs pulse-inspect: (exit status, stdout, stderr)."""
    p = subprocess.run([INSPECT, *args], stdin=subprocess.DEVNULL, capture_output=True,
                       env=env or child_env(), timeout=DEADLINE)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def inspect_json(*args, env=None):
    rc, out, err = inspect("--json", *args, env=env)
    assert rc == 0, (args, rc, err)
    try:
        return json.loads(out)
    except ValueError as e:
        raise AssertionError(f"--json {' '.join(args)} is not JSON: {e}\n{out}") from None


def text_properties(text):
    """Reads the "Element Properties:" section into {name: {blurb, flags, type, range, default}}."""
    section = text.split("Element Properties:\n", 1)[1]
    props = {}
    current = None
    for line in section.splitlines():
        m = re.fullmatch(r"  (\S+)\s*: (.*)", line)
        if m:
            current = props.setdefault(m.group(1), {"blurb": m.group(2)})
            continue
        m = re.fullmatch(r"\s+flags: (.*)", line)
        if m and current is not None:
            current["flags"] = m.group(1).split(", ")
            continue
        m = re.fullmatch(r"\s+type: (\S+)(?:  range: (.*?))?  default: (.*)", line)
        if m and current is not None:
            current["type"], current["range"], current["default"] = m.groups()
            continue
        assert not line.strip(), f"unexpected line in properties: {line!r}"
    return props


def test_list_all():
    rc, out, err = inspect()
    assert rc == 0, err
    assert err == "", err
    rows = {}
    for line in out.splitlines():
        m = re.fullmatch(r"(\S+)\s+(\S+)\s+(.+)", line)
        if m:
            rows[m.group(1)] = (m.group(2), m.group(3))
    for name, klass in BUILTINS.items():
        assert name in rows, f"{name} not listed:\n{out}"
        assert rows[name][0] == klass, (name, rows[name])
        assert len(rows[name][1]) > 10, f"{name} has no description: {rows[name]}"
    m = re.search(r"^(\d+) elements$", out, re.M)
    assert m and int(m.group(1)) == len(rows), out
    # the same facts in JSON
    listed = {e["name"]: e for e in inspect_json()}
    assert set(listed) == set(rows), (sorted(listed), sorted(rows))
    for name, (klass, description) in rows.items():
        assert listed[name]["klass"] == klass, listed[name]
        assert listed[name]["description"] == description, listed[name]
        assert listed[name]["plugin"], listed[name]


def test_timer_text():
    rc, out, err = inspect("timer")
    assert rc == 0, err
    details = dict(re.findall(r"^  (Name|Long name|Klass|Description|Plugin)\s+(.+)$", out, re.M))
    assert details["Name"] == "timer", details
    assert details["Klass"] == "Source/Timer", details
    assert details["Long name"] and details["Description"] and details["Plugin"], details
    usage = re.search(r"^Usage:\n  (pulse-launch .+)$", out, re.M)
    assert usage and "timer" in usage.group(1) and "count=" in usage.group(1), out
    pads = out.split("Pad Templates:\n", 1)[1].split("\n\n", 1)[0]
    assert pads.splitlines() == ["  src 'src' (always)", "    formats: records"], pads

    props = text_properties(out)
    assert {"interval", "count", "fields"} <= set(props), props
    interval = props["interval"]
    assert interval["type"] == "duration", interval
    assert interval["range"] == "[0.001, 86400] seconds", interval
    assert interval["default"] == "1", interval
    assert interval["flags"] == ["readable", "writable"], interval
    count = props["count"]
    assert count["type"] == "uint", count
    assert count["range"] == "[0, 4294967295]", count
    assert count["default"] == "0", count
    assert count["flags"] == ["readable", "writable"], count
    fields = props["fields"]
    assert fields["type"] == "string" and fields["default"] == "null", fields
    for name, prop in props.items():
        assert prop.get("blurb") and prop.get("flags") and prop.get("type"), (name, prop)


def test_timer_json():
    timer = inspect_json("timer")
    assert timer["name"] == "timer", timer
    assert timer["klass"] == "Source/Timer", timer
    assert timer["long_name"] and timer["description"], timer
    assert timer["usage"].startswith("timer ") and "count=" in timer["usage"], timer["usage"]
    assert timer["passthrough"] is False, timer
    assert timer["pad_templates"] == [
        {"name": "src", "direction": "src", "presence": "always", "formats": ["records"]}
    ], timer["pad_templates"]
    props = {p["name"]: p for p in timer["properties"]}
    interval = props["interval"]
    assert interval["type"] == "duration" and interval.get("unit") == "seconds", interval
    assert float(interval["default"]) == 1.0, interval
    assert interval["minimum"] == 0.001 and interval["maximum"] == 86400, interval
    assert interval["flags"] == ["readable", "writable"], interval
    count = props["count"]
    assert count["type"] == "uint", count
    assert int(count["default"]) == 0, count
    assert count["minimum"] == 0 and count["maximum"] == 4294967295, count
    assert count["flags"] == ["readable", "writable"], count
    assert props["fields"]["type"] == "string", props["fields"]


def test_text_and_json_agree_for_every_element():
    for name in BUILTINS:
        rc, out, err = inspect(name)
        assert rc == 0, (name, err)
        element = inspect_json(name)
        assert re.search(rf"^Usage:\n  pulse-launch {re.escape(element['usage'])}$", out, re.M), name
        assert re.search(rf"^  Klass\s+{re.escape(element['klass'])}$", out, re.M), name
        text = text_properties(out)
        assert list(text) == [p["name"] for p in element["properties"]], (name, list(text))
        for prop in element["properties"]:
            t = text[prop["name"]]
            where = f"{name}.{prop['name']}: text {t} json {prop}"
            assert t["type"] == prop["type"], where
            assert t["default"] == prop["default"], where
            assert t["flags"] == prop["flags"], where
            assert t["blurb"] == prop["blurb"], where
            if "minimum" in prop:
                assert t["range"] and t["range"].startswith("["), where
                low, high = re.match(r"\[(\S+), (\S+)\]", t["range"]).groups()
                assert float(low) == float(prop["minimum"]), where
                assert float(high) == float(prop["maximum"]), where
        for templ in element["pad_templates"]:
            assert f"  {templ['direction']} '{templ['name']}' ({templ['presence']})" in out, (name, templ)


def test_queue_leaky_choices():
    rc, out, err = inspect("queue")
    assert rc == 0, err
    leaky = text_properties(out)["leaky"]
    assert leaky["type"] == "enum", leaky
    assert leaky["range"] == "one of: no, upstream, downstream", leaky
    assert leaky["default"] == "no", leaky
    props = {p["name"]: p for p in inspect_json("queue")["properties"]}
    assert props["leaky"]["choices"] == ["no", "upstream", "downstream"], props["leaky"]
    assert props["leaky"]["default"] == "no", props["leaky"]
    # read-only counters say so
    assert props["dropped"]["flags"] == ["readable"], props["dropped"]
    assert props["max-bytes"]["type"] == "uint64", props["max-bytes"]
    # 64-bit bounds travel as text: JSON numbers lose precision past 2^53
    assert props["max-bytes"]["maximum"] == "18446744073709551615", props["max-bytes"]


# a usage line whose source waits for the network (zmqsub) prints nothing
# by itself: once the pipeline plays, this long without output is enough to
# know it runs
QUIET_AFTER_PLAYING = 3.0


def run_usage(args, env=None):
    """Runs pulse-launch -v on a usage line until it ends by itself, or sends
    SIGINT once the first line is out (or the pipeline has played quietly for
    a while). Returns (exit status, stdout, stderr)."""
    proc = subprocess.Popen([LAUNCH, "-v", *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env or child_env())
    out, err = [], []
    got_line = threading.Event()
    playing = threading.Event()

    def pump(stream, lines, event):
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace")
            lines.append(line)
            if event is not None:
                event.set()
            if "-> PLAYING" in line and ": " in line and "/" not in line.split(":")[0]:
                playing.set()

    threads = [threading.Thread(target=pump, args=(proc.stdout, out, got_line), daemon=True),
               threading.Thread(target=pump, args=(proc.stderr, err, None), daemon=True)]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + DEADLINE
        played_at = None
        while proc.poll() is None and not got_line.is_set() and time.monotonic() < deadline:
            got_line.wait(0.1)
            if playing.is_set() and played_at is None:
                played_at = time.monotonic()
            if played_at is not None and time.monotonic() - played_at > QUIET_AFTER_PLAYING:
                break
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        rc = proc.wait(DEADLINE)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    for t in threads:
        t.join(DEADLINE)
    return rc, "".join(out), "".join(err)


def test_every_usage_line_runs():
    failures = []
    for element in inspect_json():
        usage = inspect_json(element["name"])["usage"]
        assert element["name"] in usage, usage
        # as one argument (the parser reads the quotes) and as a shell would split it
        for args in ([usage], shlex.split(usage)):
            rc, out, err = run_usage(args)
            if rc != 0 or "error" in err.lower():
                failures.append(f"{element['name']}: {args!r} -> exit {rc}\n{err}")
                continue
            for line in out.splitlines():
                try:
                    json.loads(line)
                except ValueError:
                    failures.append(f"{element['name']}: {args!r} printed {line!r}")
    assert not failures, "\n".join(failures)


def skip_unless(condition, reason):
    """Reports the test as "ok N - name # SKIP reason" when condition is false."""
    def wrap(fn):
        if condition:
            return fn

        def skipped():
            pass
        skipped.__name__ = f"{fn.__name__} # SKIP {reason}"
        return skipped
    return wrap


@skip_unless(os.path.exists(CODEC_MODULE), "pulsetestcodec.so not built yet")
def test_external_module_elements():
    """Elements of a module on PULSE_PLUGIN_PATH are listed and described
    like built-in ones, with the module as their plugin, and their usage
    lines run; modules that fail to load are warnings, not failures."""
    env = child_env(PULSE_PLUGIN_PATH=PLUGIN_DIR)
    rc, out, err = inspect("--json", env=env)
    assert rc == 0, (rc, err)
    external = [e for e in json.loads(out) if e["plugin"] == "pulsetestcodec"]
    assert external, f"no element of pulsetestcodec listed:\n{out}"
    for line in err.splitlines():
        assert line.startswith("pulse-inspect: warning: "), err
    names = {e["name"] for e in json.loads(out)}
    assert set(BUILTINS) <= names, names
    for element in external:
        described = inspect_json(element["name"], env=env)
        assert described["plugin"] == "pulsetestcodec", described
        assert described["klass"] == element["klass"], (described, element)
        rc, out2, err2 = run_usage([described["usage"]], env=env)
        assert rc == 0, (element["name"], described["usage"], rc, err2)
    # without the path they are unknown
    rc, out, err = inspect(external[0]["name"])
    assert rc == 1 and "no element" in err, (rc, err)


def test_unknown_element_suggests():
    rc, out, err = inspect("tmer")
    assert rc == 1, (rc, out, err)
    assert out == "", out
    assert 'no element "tmer"' in err and 'did you mean "timer"' in err, err


def test_unknown_element_lz5():
    names = {e["name"] for e in inspect_json()}
    rc, out, err = inspect("lz5")
    assert rc == 1, (rc, out, err)
    assert out == "", out
    assert 'no element "lz5"' in err, err
    if "lz4" in names:
        assert 'did you mean "lz4"' in err, err
    else:
        assert "did you mean" not in err and "pulse-inspect" in err, err
    rc, out, err = inspect("--json", "lz5")
    assert rc == 1 and out == "", (rc, out, err)


def test_usage_errors():
    rc, out, err = inspect("timer", "queue")
    assert rc == 1 and "one element at a time" in err, (rc, err)
    rc, out, err = inspect("--bogus")
    assert rc == 1 and "Unknown option --bogus" in err, (rc, err)
    rc, out, err = inspect("--help")
    assert rc == 0 and "--json" in out and "Exit status:" in out, (rc, out)


if __name__ == "__main__":
    taplib.run([
        test_list_all,
        test_timer_text,
        test_timer_json,
        test_text_and_json_agree_for_every_element,
        test_queue_leaky_choices,
        test_every_usage_line_runs,
        test_external_module_elements,
        test_unknown_element_suggests,
        test_unknown_element_lz5,
        test_usage_errors,
    ])
