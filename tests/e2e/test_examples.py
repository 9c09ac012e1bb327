#!/usr/bin/python3
"""Runs every example in examples/ and checks what it prints.

The C examples are built under $PULSE_BUILD_DIR/examples; the Python and
shell ones run from $PULSE_SOURCE_DIR/examples. An example that silently
printed nothing, or printed the wrong records, fails here.
"""
import json
import os
import re
import select
import signal
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import taplib  # noqa: E402

BUILD_EXAMPLES = os.path.join(os.environ["PULSE_BUILD_DIR"], "examples")
SOURCE_EXAMPLES = os.path.join(os.environ["PULSE_SOURCE_DIR"], "examples")
DEADLINE = 60.0


def child_env(python=False):
    env = dict(os.environ)
    env["LC_ALL"] = "C.UTF-8"
    for name in ("LANGUAGE", "LANG", "PULSE_PLUGIN_PATH"):
        env.pop(name, None)
    preload = os.environ.get("PULSE_PY_PRELOAD")
    if python and preload:
        # sanitizer build: the library is instrumented, the interpreter is not
        env["LD_PRELOAD"] = preload
        env["ASAN_OPTIONS"] = "detect_leaks=0"
    return env


def run(argv, python=False, stdout=subprocess.PIPE):
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.PIPE,
                       env=child_env(python), timeout=DEADLINE)
    out = p.stdout.decode("utf-8") if p.stdout is not None else ""
    return p.returncode, out, p.stderr.decode("utf-8")


def c_example(name):
    path = os.path.join(BUILD_EXAMPLES, name)
    assert os.access(path, os.X_OK), f"{path} is not built"
    return path


def json_lines(out):
    """The JSON lines of out, and the other lines."""
    records, other = [], []
    for line in out.splitlines():
        if line.startswith("{") or line.startswith("["):
            records.append(json.loads(line))
        else:
            other.append(line)
    return records, other


def check_ticks(records, n, context):
    assert [r["seq"] for r in records] == list(range(n)), f"seq{context}"
    stamps = [r["timestamp_ns"] for r in records]
    assert stamps == sorted(stamps), f"timestamps{context}"
    for r in records:
        assert r["symbol"] == "600000" and r["price"] == 10.5, f"{r}{context}"


def test_timer_print_default():
    rc, out, err = run([c_example("timer-print")])
    context = f"\n  stdout: {out!r}\n  stderr: {err!r}"
    assert rc == 0, f"exit {rc}{context}"
    records, other = json_lines(out)
    check_ticks(records, 5, context)
    assert "end of stream" in other and "counters:" in other, context
    counters = dict(re.findall(r"^  (\S+): (\d+) buffers, \d+ records", out, re.M))
    assert counters.get("timer0.src") == "5" and counters.get("sink.sink") == "5", context
    assert re.search(r"^fakesink sink: 5 buffers, 5 records, [1-9]\d* bytes$", out, re.M), context


def test_timer_print_with_description():
    rc, out, err = run([c_example("timer-print"), "timer interval=0.02 count=3 ! fakesink name=counted"])
    context = f"\n  stdout: {out!r}\n  stderr: {err!r}"
    assert rc == 0, f"exit {rc}{context}"
    records, _ = json_lines(out)
    assert records == [], context
    assert re.search(r"^fakesink counted: 3 buffers, 3 records", out, re.M), context


def test_timer_print_bad_description_exits_1():
    rc, out, err = run([c_example("timer-print"), "timr ! print"])
    assert rc == 1, (rc, out, err)
    assert 'no element "timr"' in err and 'did you mean "timer"' in err, err
    assert "  timr ! print\n  ^~~~\n" in err, err


def test_timer_print_runtime_error_exits_2():
    # print writing into a pipe whose reader has gone
    r, w = os.pipe()
    proc = subprocess.Popen([c_example("timer-print"), "timer interval=0.02 ! print"],
                            stdin=subprocess.DEVNULL, stdout=w, stderr=subprocess.PIPE,
                            env=child_env())
    os.close(w)
    try:
        first = b""
        deadline = time.monotonic() + DEADLINE
        while b"\n" not in first:
            assert time.monotonic() < deadline, "no first line"
            if select.select([r], [], [], 0.5)[0]:
                chunk = os.read(r, 4096)
                assert chunk, "stdout closed before a line"
                first += chunk
    finally:
        os.close(r)
    try:
        _, err = proc.communicate(timeout=DEADLINE)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = err.decode("utf-8")
    assert json.loads(first.split(b"\n")[0])["seq"] == 0, first
    assert proc.returncode == 2, (proc.returncode, err)
    assert "could not write to standard output" in err, err


def test_build_by_hand():
    rc, out, err = run([c_example("build-by-hand")])
    context = f"\n  stdout: {out!r}\n  stderr: {err!r}"
    assert rc == 0, f"exit {rc}{context}"
    records, other = json_lines(out)
    check_ticks(records, 5, context)
    errors = [line for line in other if line.startswith("expected error")]
    assert len(errors) == 2, context
    assert "pulse-parse-error-quark" in errors[0] and 'did you mean "timer"' in errors[0], context
    assert "pulse-core-error-quark" in errors[1] and "print" in errors[1], context
    # the graph it built: the tee feeds a queue and the fakesink
    assert re.search(r"^tee\d+\.src_\d+ ! queue\d+\.sink$", out, re.M), context
    assert re.search(r"^tee\d+\.src_\d+ ! sink\.sink$", out, re.M), context
    assert "end of stream" in other, context
    assert "fakesink sink: 5 buffers, 5 records" in other, context


def test_timer_py():
    script = os.path.join(SOURCE_EXAMPLES, "timer.py")
    with open(script, encoding="utf-8") as f:
        assert f.readline() == "#!/usr/bin/python3\n", "shebang"
    rc, out, err = run([sys.executable, script], python=True)
    context = f"\n  stdout: {out!r}\n  stderr: {err!r}"
    assert rc == 0, f"exit {rc}{context}"
    records, other = json_lines(out)
    assert other == [], context
    check_ticks(records, 5, context)
    assert "fakesink counted 5 buffers, 5 records" in err, context

    rc, out, err = run([sys.executable, script,
                        "timer interval=0.02 count=2 ! queue ! fakesink name=sink"], python=True)
    context = f"\n  stdout: {out!r}\n  stderr: {err!r}"
    assert rc == 0, f"exit {rc}{context}"
    records, _ = json_lines(out)
    assert [r["seq"] for r in records] == [0, 1], context

    rc, out, err = run([sys.executable, script, "timer ! fakesnk name=sink"], python=True)
    assert rc == 1 and 'did you mean "fakesink"' in err, (rc, out, err)


def test_producer_py():
    script = os.path.join(SOURCE_EXAMPLES, "producer.py")
    with open(script, encoding="utf-8") as f:
        assert f.readline() == "#!/usr/bin/python3\n", "shebang"
    bind = ["--bind", "tcp://127.0.0.1:*"]

    # bounded: four calls, each a list of three ticks, published
    rc, out, err = run([sys.executable, script, "--interval", "0.05", "--count", "4", *bind],
                       python=True)
    context = f"\n  stdout: {out!r}\n  stderr: {err!r}"
    assert rc == 0, f"exit {rc}{context}"
    records, other = json_lines(out)
    assert other == [], context
    assert [[t["seq"] for t in r] for r in records] == [[i] * 3 for i in range(4)], context
    assert re.search(r'publishing topic "sh_market" on tcp://127\.0\.0\.1:\d+', err), context
    assert "zmqpub sent 4 messages, 12 records" in err, context

    # endless, read by a subscriber, then interrupted: it drains and exits 0
    import msgpack
    import zmq

    proc = subprocess.Popen([sys.executable, script, "--interval", "0.05", *bind],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=child_env(python=True))
    sock = None
    try:
        err_head = b""
        deadline = time.monotonic() + DEADLINE
        while not (m := re.search(rb"on (tcp://127\.0\.0\.1:\d+)\n", err_head)):
            assert time.monotonic() < deadline and proc.poll() is None, err_head
            if select.select([proc.stderr], [], [], 0.5)[0]:
                err_head += os.read(proc.stderr.fileno(), 4096)
        sock = zmq.Context.instance().socket(zmq.SUB)
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.SUBSCRIBE, b"sh_market")
        sock.connect(m.group(1).decode())
        received = []
        while len(received) < 3:
            assert time.monotonic() < deadline, f"received {len(received)} messages"
            if sock.poll(500):
                received.append(sock.recv_multipart())
        proc.send_signal(signal.SIGINT)
        out, err_tail = proc.communicate(timeout=DEADLINE)
    finally:
        if sock is not None:
            sock.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = (err_head + err_tail).decode("utf-8")
    context = f"\n  stderr: {err!r}"
    assert proc.returncode == 0, f"exit {proc.returncode}{context}"
    assert "interrupt: ending the stream" in err, context
    printed, _ = json_lines(out.decode("utf-8"))
    for topic, meta, _, payload in received:
        assert topic == b"sh_market"
        assert struct.unpack(">BBI", meta) == (1, 0, 3), meta  # DATA, msgpack, 3 records
        # what the subscriber got is what the producer function made
        assert msgpack.unpackb(payload, raw=False) in printed, payload


def test_launch_demo_sh():
    script = os.path.join(SOURCE_EXAMPLES, "launch-demo.sh")
    rc, out, err = run(["/bin/sh", script])
    context = f"\n  stdout: {out!r}\n  stderr: {err!r}"
    assert rc == 0, f"exit {rc}{context}"
    sections = re.split(r"^== .*$", out, flags=re.M)[1:]
    assert len(sections) == 4, context
    first, _ = json_lines(sections[0])
    check_ticks(first, 4, context)
    second, _ = json_lines(sections[1])
    assert [r["seq"] for r in second] == [0, 1, 2], context
    third, rest = json_lines(sections[2])
    assert third and [r["seq"] for r in third] == list(range(len(third))), context
    assert "exit status 0" in rest, context
    assert "interrupt: sending end-of-stream" in err, context
    assert sections[3].strip() == "exit status 1", context
    assert 'timer has no property "intervall"' in err and "^~~~~~~~~" in err, context


if __name__ == "__main__":
    taplib.run([
        test_timer_print_default,
        test_timer_print_with_description,
        test_timer_print_bad_description_exits_1,
        test_timer_print_runtime_error_exits_2,
        test_build_by_hand,
        test_timer_py,
        test_producer_py,
        test_launch_demo_sh,
    ])
