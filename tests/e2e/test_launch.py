#!/usr/bin/python3
"""End-to-end tests of pulse-launch: the built program as a real process.

Every test starts $PULSE_LAUNCH with subprocess, reads its output through
pipes and signals it. Nothing sleeps and then asserts: a test waits for a
condition (a line on stdout, a message on stderr, bytes in a pipe, the
process's exit) with a generous deadline, so a slow or busy machine makes a
test slower, not red.
"""
import array
import fcntl
import glob
import json
import os
import re
import select
import shlex
import signal
import subprocess
import sys
import termios
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import taplib  # noqa: E402

LAUNCH = os.environ["PULSE_LAUNCH"]
SOURCE_DIR = os.environ.get("PULSE_SOURCE_DIR", "")
PLUGIN_DIR = os.environ.get("PULSE_TEST_PLUGIN_DIR", "")
DEADLINE = 30.0
CJK = re.compile("[\u4e00-\u9fff]")


def child_env(**extra):
    """The environment of a child: C.UTF-8, English, no external modules."""
    env = dict(os.environ)
    env["LC_ALL"] = "C.UTF-8"
    for name in ("LANGUAGE", "LANG", "PULSE_PLUGIN_PATH"):
        env.pop(name, None)
    env.update(extra)
    return env


class Launch:
    """A running pulse-launch. Threads collect its stdout and stderr line by
    line so that a test can wait for what it needs while the process runs.
    Pass stdout=<fd> to give it a pipe that the test handles itself."""

    def __init__(self, args, env=None, stdout=subprocess.PIPE):
        self.args = list(args)
        self.out = []
        self.err = []
        self.cond = threading.Condition()
        self.open_streams = 0
        self.proc = subprocess.Popen([LAUNCH, *self.args], stdin=subprocess.DEVNULL,
                                     stdout=stdout, stderr=subprocess.PIPE,
                                     env=env if env is not None else child_env())
        self.threads = []
        if stdout == subprocess.PIPE:
            self._pump(self.proc.stdout, self.out)
        self._pump(self.proc.stderr, self.err)

    def _pump(self, stream, lines):
        def run():
            for raw in iter(stream.readline, b""):
                with self.cond:
                    lines.append(raw.decode("utf-8", "replace"))
                    self.cond.notify_all()
            with self.cond:
                self.open_streams -= 1
                self.cond.notify_all()

        self.open_streams += 1
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        self.threads.append(thread)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for thread in self.threads:
            thread.join(5)

    def describe(self):
        args = [a if len(a) < 100 else a[:60] + f"…({len(a)} characters)" for a in self.args]
        return (f"\n  args: {args!r}\n  stdout: {''.join(self.out)!r}"
                f"\n  stderr: {''.join(self.err)!r}")

    def stderr(self):
        with self.cond:
            return "".join(self.err)

    def wait_for(self, predicate, what, timeout=DEADLINE):
        """Waits until predicate() (called with the lock held) is true."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"timed out after {timeout} s waiting for {what}"
                                         + self.describe())
                if self.open_streams == 0:
                    raise AssertionError(f"pulse-launch closed its output before {what}"
                                         + self.describe())
                self.cond.wait(min(remaining, 0.5))

    def wait_stdout_lines(self, n, timeout=DEADLINE):
        self.wait_for(lambda: len(self.out) >= n, f"{n} line(s) on stdout", timeout)

    def wait_stderr(self, text, timeout=DEADLINE):
        self.wait_for(lambda: text in "".join(self.err), f"{text!r} on stderr", timeout)

    def finish(self, timeout=DEADLINE):
        """Waits for the exit and for all output; returns the exit status."""
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            for thread in self.threads:
                thread.join(5)
            raise AssertionError(f"pulse-launch did not exit within {timeout} s (killed)"
                                 + self.describe()) from None
        for thread in self.threads:
            thread.join(DEADLINE)
        return rc


def run(args, env=None, timeout=DEADLINE):
    """Runs pulse-launch to its end: (exit status, stdout, stderr)."""
    with Launch(args, env) as p:
        rc = p.finish(timeout)
        return rc, "".join(p.out), "".join(p.err)


def parse_json_lines(text, context=""):
    """Every line must be a whole JSON document ending in a newline."""
    assert text == "" or text.endswith("\n"), f"last line is cut: {text[-80:]!r}{context}"
    records = []
    for line in text.splitlines():
        try:
            records.append(json.loads(line))
        except ValueError as e:
            raise AssertionError(f"not a JSON line: {line!r} ({e}){context}") from None
    return records


def assert_consecutive(records, context=""):
    seqs = [r["seq"] for r in records]
    assert seqs == list(range(len(seqs))), f"seq not 0, 1, 2, … : {seqs}{context}"


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


def pipe_bytes_queued(fd):
    buf = array.array("i", [0])
    fcntl.ioctl(fd, termios.FIONREAD, buf)
    return buf[0]


# --- running pipelines ------------------------------------------------------

def check_four_records(args):
    rc, out, err = run(args)
    context = f"\n  args: {args!r}\n  stdout: {out!r}\n  stderr: {err!r}"
    assert rc == 0, f"exit status {rc}{context}"
    records = parse_json_lines(out, context)
    assert len(records) == 4, f"expected 4 lines, got {len(records)}{context}"
    assert_consecutive(records, context)
    stamps = [r["timestamp_ns"] for r in records]
    assert all(isinstance(t, int) for t in stamps), stamps
    assert stamps == sorted(stamps) and len(set(stamps)) == 4, f"not increasing: {stamps}"
    # ticks are never early: slots 0 and 3 are 1.5 s apart; allow a late first tick
    assert stamps[-1] - stamps[0] >= 0.9e9, f"4 ticks at 0.5 s took {stamps[-1] - stamps[0]} ns"
    assert set(records[0]) == {"seq", "timestamp_ns"}, records[0]
    assert "end of stream" in err, context


def test_bounded_run_prints_four_json_lines():
    check_four_records(["timer interval=0.5 count=4 ! print"])


def test_description_as_separate_words():
    check_four_records(["timer", "interval=0.5", "count=4", "!", "print"])


def test_json_word_with_space_stays_one_value():
    fields = '{"symbol": "600 000", "price": 10.5}'
    for args in (["timer", "interval=0.05", "count=2", f"fields={fields}", "!", "print"],
                 [f"timer interval=0.05 count=2 fields='{fields}' ! print"]):
        rc, out, err = run(args)
        context = f"\n  args: {args!r}\n  stdout: {out!r}\n  stderr: {err!r}"
        assert rc == 0, f"exit status {rc}{context}"
        records = parse_json_lines(out, context)
        assert len(records) == 2, context
        assert_consecutive(records, context)
        for r in records:
            assert r["symbol"] == "600 000" and r["price"] == 10.5, f"{r}{context}"


def test_help_examples_run():
    """The examples that --help shows work as printed, through a shell's word splitting."""
    rc, out, err = run(["--help"])
    assert rc == 0, err
    section = out.split("Examples:\n", 1)[1].split("\n\n", 1)[0]
    examples = [line.strip() for line in section.splitlines()
                if line.strip().startswith("pulse-launch ")]
    assert len(examples) >= 2, out
    for example in examples:
        args = shlex.split(example)[1:]
        rc, out2, err2 = run(args)
        context = f"\n  example: {example}\n  stdout: {out2!r}\n  stderr: {err2!r}"
        assert rc == 0, f"exit status {rc}{context}"
        records = parse_json_lines(out2, context)
        assert records, f"no output{context}"
        assert_consecutive(records, context)


def test_verbose_shows_states_and_counters():
    rc, out, err = run(["-v", "timer interval=0.05 count=3 ! queue ! print"])
    context = f"\n  stdout: {out!r}\n  stderr: {err!r}"
    assert rc == 0, context
    assert len(parse_json_lines(out, context)) == 3, context
    for change in ("NULL -> READY", "READY -> PLAYING", "PLAYING -> READY", "READY -> NULL"):
        assert re.search(rf"^state of pipeline\d+: {change}$", err, re.M), f"{change}{context}"
        assert re.search(rf"^state of pipeline\d+/timer0: {change}$", err, re.M), context
    counters = dict(re.findall(r"^\s+(\w+\.\w+): (\d+ buffers, \d+ records, \d+ bytes)$", err, re.M))
    assert set(counters) == {"timer0.src", "queue0.sink", "queue0.src", "print0.sink"}, context
    assert counters["timer0.src"].startswith("3 buffers, 3 records, "), context
    # nothing is lost on the way: every pad saw the same bytes
    assert len(set(counters.values())) == 1, context


def test_version():
    rc, out, err = run(["--version"])
    assert rc == 0, err
    m = re.fullmatch(r"pulse-launch (\S+) \(libpulsemq (\S+)\)\n", out)
    assert m, repr(out)
    with open(os.path.join(SOURCE_DIR, "meson.build"), encoding="utf-8") as f:
        project_version = re.search(r"version:\s*'([^']+)'", f.read()).group(1)
    assert m.group(1) == project_version and m.group(2) == project_version, (out, project_version)


def test_help_documents_exit_codes():
    rc, out, err = run(["--help"])
    assert rc == 0, err
    assert "Exit status:" in out, out
    for code, words in (("0", "end of stream"), ("1", "invalid pipeline description"),
                        ("2", "runtime error"), ("130", "interrupted twice")):
        assert re.search(rf"^\s+{code}\s+.*{words}", out, re.M), f"exit code {code}: {out}"
    assert "PULSE_PLUGIN_PATH" in out, out
    assert "--verbose" in out and "--plugin-path" in out, out


# --- signals ----------------------------------------------------------------

def check_interrupt_drains(signum):
    with Launch(["-v", "timer interval=0.1 ! queue ! print"]) as p:
        p.wait_stdout_lines(2)
        p.proc.send_signal(signum)
        rc = p.finish()
        context = p.describe()
        assert rc == 0, f"exit status {rc} after {signal.Signals(signum).name}{context}"
        assert "interrupt: sending end-of-stream" in p.stderr(), context
        assert "end of stream" in p.stderr(), context
        records = parse_json_lines("".join(p.out), context)
        assert len(records) >= 2, context
        assert_consecutive(records, context)
        # every buffer the timer made was printed: the drain lost nothing
        made = re.search(r"^\s+timer0\.src: (\d+) buffers", p.stderr(), re.M)
        printed = re.search(r"^\s+print0\.sink: (\d+) buffers", p.stderr(), re.M)
        assert made and printed, context
        assert int(made.group(1)) == int(printed.group(1)) == len(records), context


def test_sigint_drains_and_exits_0():
    check_interrupt_drains(signal.SIGINT)


def test_sigterm_drains_and_exits_0():
    check_interrupt_drains(signal.SIGTERM)


def start_stuck_writer(leaky):
    """Starts `timer ! queue max-buffers=1 ! print` whose print can never
    finish writing: its stdout is a pipe nobody reads, and each line is
    longer than the pipe can hold. Returns (Launch, read end) once print is
    stuck in that write, i.e. once the first bytes reached the pipe."""
    r, w = os.pipe()
    try:
        fcntl.fcntl(r, fcntl.F_SETPIPE_SZ, 4096)   # fills faster; not needed for correctness
    except OSError:
        pass
    capacity = fcntl.fcntl(r, fcntl.F_GETPIPE_SZ)
    pad = "x" * (capacity + 1024)
    args = ["timer", "interval=0.05", f'fields={{"pad":"{pad}"}}',
            "!", "queue", "max-buffers=1"] + ([f"leaky={leaky}"] if leaky else []) + ["!", "print"]
    p = Launch(args, stdout=w)
    os.close(w)
    deadline = time.monotonic() + DEADLINE
    while pipe_bytes_queued(r) == 0:
        if p.proc.poll() is not None or time.monotonic() > deadline:
            p.__exit__()
            os.close(r)
            raise AssertionError("print never wrote to its pipe" + p.describe())
        select.select([r], [], [], 0.05)
    return p, r


def main_thread_blocked_on_lock(pid):
    """Whether pulse-launch's main thread sleeps on a futex (a mutex or a
    condition) rather than in its main loop's poll()."""
    try:
        with open(f"/proc/{pid}/task/{pid}/wchan") as f:
            return "futex" in f.read()
    except OSError:
        return True   # no wchan here: assume it, the test then only checks the outcome


def test_second_sigint_exits_130_without_draining():
    # The drain must be impossible, or the second SIGINT would race with the
    # end of stream. Here it is: every line is longer than the stdout pipe
    # and nobody reads the pipe, so print is stuck inside its first write
    # for good. leaky=downstream keeps the main loop free (the timer never
    # blocks on the full queue), so both signals are handled. The second
    # SIGINT is sent only once stderr shows that the first was handled, so
    # that this case checks the drain-then-force path.
    p, r = start_stuck_writer("downstream")
    try:
        with p:
            p.proc.send_signal(signal.SIGINT)
            p.wait_stderr("interrupt: sending end-of-stream")
            p.proc.send_signal(signal.SIGINT)
            rc = p.finish()
            context = p.describe()
            assert rc == 130, f"exit status {rc}{context}"
            assert "second interrupt" in p.stderr(), context
            assert "end of stream reached" not in p.stderr(), context
    finally:
        os.close(r)


def test_second_sigint_exits_130_while_main_loop_is_blocked():
    # The pipeline of the first case with the default leaky=no: once print
    # is stuck, the queue fills and the timer's push blocks the main loop
    # thread in the queue, so the first SIGINT cannot start a drain; but
    # "interrupt again to exit at once" must still hold (pulse-launch exits
    # from the signal handler itself). We wait until the main thread sleeps
    # on the queue's lock, so the outcome does not depend on timing.
    p, r = start_stuck_writer(None)
    try:
        with p:
            # blocked in three looks in a row, 50 ms apart: not a passing mutex
            deadline = time.monotonic() + DEADLINE
            streak = 0
            while streak < 3:
                assert time.monotonic() < deadline, "main thread never blocked" + p.describe()
                streak = streak + 1 if main_thread_blocked_on_lock(p.proc.pid) else 0
                select.select([], [], [], 0.05)
            p.proc.send_signal(signal.SIGINT)
            try:
                p.wait_stderr("interrupt: sending end-of-stream", timeout=5)
            except AssertionError:
                pass   # the first signal may only be seen once the loop runs again
            p.proc.send_signal(signal.SIGINT)
            try:
                rc = p.finish(timeout=15)
            except AssertionError as e:
                raise AssertionError(
                    "pulse-launch ignored two SIGINTs while a full queue blocked its main loop: "
                    f"the second one must exit at once\n{e}") from None
            assert rc == 130, f"exit status {rc}" + p.describe()
    finally:
        os.close(r)


# --- errors -----------------------------------------------------------------

# description (one argument), what stderr must say, the text the caret must
# underline (its first occurrence after `after`), guidance that must appear
BAD_DESCRIPTIONS = [
    ("timr ! print", 'no element "timr"', "timr", 0, 'hint: did you mean "timer"?'),
    ("timer intervall=1 ! print", 'timer has no property "intervall"', "intervall", 0,
     'hint: did you mean "interval"?'),
    ("timer interval=abc ! print", '"abc" is not a valid value for "interval"', "abc", 0,
     "expected a duration"),
    ("timer interval=0 ! print", '0 is out of range for "interval"', "0", 15,
     "allowed [0.001, 86400]"),
    ("timer count=-1 ! print", '-1 is out of range for "count"', "-1", 0,
     "allowed [0, 4294967295]"),
    ("timer ! ! print", "two '!' in a row", "!", 7, "hint: remove one '!'"),
    ("timer fields='{ ! print", "unterminated quote", "'", 0, "hint: close it with '"),
    ("timer", "the output of timer0 is not linked", "timer", 0, "end the chain with a sink"),
    ("timer ! timer", "timer1 has no input", "!", 0, "must start a chain"),
    ("timer count=1 ! print name=a  timer count=1 ! print name=a", 'two elements are named "a"',
     "a", 57, "hint: give each element its own name"),
    ("timer count=1 ! print t. ! print", 'no element named "t"', "t.", 20,
     "hint: name an element with name=t"),
]


def check_parse_error(args, description, message, token, after, guidance):
    rc, out, err = run(args)
    context = f"\n  args: {args!r}\n  stdout: {out!r}\n  stderr: {err!r}"
    assert rc == 1, f"exit status {rc}{context}"
    assert out == "", f"nothing may run{context}"
    lines = err.splitlines()
    assert lines[0].startswith(f"pulse-launch: error: {message}"), context
    # the description is shown, then a caret line under the culprit
    assert lines[1] == "  " + description, context
    caret = lines[2]
    assert re.fullmatch(r" *\^~*", caret), f"no caret line{context}"
    offset = description.index(token, after)
    assert caret.index("^") == 2 + offset, f"caret at column {caret.index('^') - 2}, want {offset}{context}"
    if len(token) > 1:
        assert len(caret.strip()) == len(token), f"caret does not underline {token!r}{context}"
    assert guidance in err, f"no guidance {guidance!r}{context}"


def test_bad_descriptions_exit_1_with_caret():
    failures = []
    for description, message, token, after, guidance in BAD_DESCRIPTIONS:
        try:
            check_parse_error([description], description, message, token, after, guidance)
        except AssertionError as e:
            failures.append(str(e))
    assert not failures, "\n".join(failures)


def test_bad_words_exit_1_with_caret():
    """Separate words are joined with single spaces and the caret follows."""
    check_parse_error(["timr", "!", "print"], "timr ! print", 'no element "timr"', "timr", 0,
                      'did you mean "timer"?')
    fields = 'fields={"symbol": "600 000", "price": "x"'   # no closing brace
    rc, out, err = run(["timer", fields, "!", "print"])
    assert rc == 1 and out == "", (rc, out, err)
    assert "fields is not valid JSON" in err and "^" in err, err


def test_unknown_option_exits_1():
    rc, out, err = run(["--bogus", "timer ! print"])
    assert rc == 1, (rc, out, err)
    assert out == "", out
    assert "Unknown option --bogus" in err and "try pulse-launch --help" in err, err


def test_closed_stdout_is_a_runtime_error_exit_2():
    # print writing to a pipe whose reader went away: EPIPE. pulse-launch
    # documents exit 2 for an error posted by an element; a death by SIGPIPE
    # (-13, i.e. 141 in a shell) with no message would break that promise.
    r, w = os.pipe()
    with Launch(["timer interval=0.05 ! print"], stdout=w) as p:
        os.close(w)
        first = b""
        deadline = time.monotonic() + DEADLINE
        while not first.endswith(b"\n"):
            assert time.monotonic() < deadline, "no first line" + p.describe()
            ready, _, _ = select.select([r], [], [], 0.5)
            if ready:
                chunk = os.read(r, 4096)
                assert chunk, "stdout closed early" + p.describe()
                first += chunk
        os.close(r)
        rc = p.finish()
        context = f"\n  first line: {first!r}" + p.describe()
        assert json.loads(first.splitlines()[0])["seq"] == 0, context
        assert rc != -signal.SIGPIPE, f"killed by SIGPIPE instead of reporting the error{context}"
        assert rc == 2, f"exit status {rc}{context}"
        assert re.search(r"^ERROR from pipeline\d+/print0: could not write to standard output$",
                         p.stderr(), re.M), context


def test_no_pipeline_runs_demo_feed():
    """With no description: synthetic ticks on sh_market and sz_market, the
    startup table, and a clean exit on SIGTERM. Port 5555 may be taken
    here, so PULSEMQ_BIND (zmqpub's default bind) picks a free port."""
    import msgpack
    import struct
    import zmq

    with Launch([], env=child_env(PULSEMQ_BIND="tcp://127.0.0.1:*")) as p:
        p.wait_stderr("subscribe from another terminal")
        err = p.stderr()
        context = p.describe()
        assert "running the demo feed" in err, context
        # the original's table: bars of 43 '=', labels padded to 18 columns
        bar = "=" * 43
        m = re.search(rf"^{bar}\n  PulseMQ Publisher v(\S+)\n{bar}\n((?:  .*\n)+){bar}\n", err, re.M)
        assert m, f"no startup table{context}"
        rows = {}
        for row in m.group(2).splitlines():
            assert re.fullmatch(r"  \S.{17}\S.*", row) and row[2:20].rstrip() == row[2:20].strip(), row
            rows[row[2:20].strip()] = row[20:]
        assert list(rows) == ["bind", "admin", "auth", "topics", "pipeline"], rows
        assert re.fullmatch(r"tcp://127\.0\.0\.1:\d+", rows["bind"]), rows
        assert rows["auth"] == "disabled", rows
        # the test environment binds the admin server to a port of its choosing
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", rows["admin"]), rows
        assert f'admin UI on {rows["admin"]}' in err, context
        assert rows["topics"] == "sh_market, sz_market", rows
        assert f'zmqsub endpoint={rows["bind"]} topics=sh_market' in err, context

        ctx = zmq.Context()
        sock = ctx.socket(zmq.SUB)
        sock.setsockopt(zmq.LINGER, 0)
        for topic in (b"sh_market", b"sz_market"):
            sock.setsockopt(zmq.SUBSCRIBE, topic)
        sock.connect(rows["bind"])
        seen = {}
        deadline = time.monotonic() + DEADLINE
        try:
            while len(seen) < 2 or min(len(v) for v in seen.values()) < 2:
                left = deadline - time.monotonic()
                assert left > 0, f"demo records seen: {seen}{context}"
                if not sock.poll(int(left * 1000)):
                    continue
                topic, meta, stamp, payload = sock.recv_multipart()
                msg_type, flags, count = struct.unpack(">BBI", meta)
                assert (msg_type, flags) == (1, 0), meta
                records = msgpack.unpackb(payload, raw=False)
                assert isinstance(records, list) and len(records) == count, records
                seen.setdefault(topic.decode(), []).extend(records)
        finally:
            sock.close()
            ctx.term()
        p.proc.send_signal(signal.SIGTERM)
        rc = p.finish()
        context = p.describe()
        assert rc == 0, f"exit status {rc}{context}"
        assert "end of stream reached" in p.stderr(), context
    for topic, records in seen.items():
        for r in records:
            assert set(r) == {"symbol", "price", "volume", "timestamp_ns", "seq"}, r
            assert r["symbol"][0] in ("6" if topic == "sh_market" else "03"), (topic, r)
            assert r["price"] > 0 and r["volume"] > 0, r
        seqs = [r["seq"] for r in records]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), (topic, seqs)


# --- environment ------------------------------------------------------------

FAILING_MODULES = {
    # file name part: what the warning must say about it
    "notamodule": "could not load module",
    "pulsetestnoinit": "no pulse_plugin_init",
    "pulsetestfailinit": "failed to initialise",
}
present_modules = sorted(glob.glob(os.path.join(PLUGIN_DIR, "*.so"))) if PLUGIN_DIR else []
present_failing = [m for m in present_modules if any(k in os.path.basename(m) for k in FAILING_MODULES)]


@skip_unless(present_failing, "no test modules in $PULSE_TEST_PLUGIN_DIR yet")
def test_plugin_path_with_a_broken_module_warns_and_runs():
    env = child_env(PULSE_PLUGIN_PATH=PLUGIN_DIR)
    rc, out, err = run(["timer interval=0.05 count=2 ! print"], env=env)
    context = f"\n  modules: {present_modules}\n  stdout: {out!r}\n  stderr: {err!r}"
    assert rc == 0, f"exit status {rc}{context}"
    assert len(parse_json_lines(out, context)) == 2, context
    warnings = [line for line in err.splitlines() if line.startswith("pulse-launch: warning: ")]
    for module in present_failing:
        name = os.path.basename(module)
        expected = next(v for k, v in FAILING_MODULES.items() if k in name)
        mine = [w for w in warnings if name in w]
        assert len(mine) == 1, f"one warning for {name}{context}"
        assert expected in mine[0], f"{name}: {mine[0]!r} lacks {expected!r}{context}"
        # the loader's reason follows the path: not an empty sentence
        reason = mine[0].split(f"{name}\"", 1)[-1]
        assert len(reason.strip(" :")) >= 5, f"no reason in {mine[0]!r}"
    loaded = [m for m in present_modules if m not in present_failing]
    for module in loaded:
        assert os.path.basename(module) not in err, f"{module} loads without a warning{context}"


CODEC_MODULE = os.path.join(PLUGIN_DIR, "pulsetestcodec.so") if PLUGIN_DIR else ""


@skip_unless(os.path.exists(CODEC_MODULE), "pulsetestcodec.so not built yet")
def test_format_link_error_says_what_goes_between():
    # a module file (not a directory) in PULSE_PLUGIN_PATH: only it is loaded
    env = child_env(PULSE_PLUGIN_PATH=CODEC_MODULE)
    description = "timer interval=0.01 count=2 ! testcomp ! fakesink"
    rc, out, err = run([description], env=env)
    context = f"\n  stdout: {out!r}\n  stderr: {err!r}"
    assert rc == 1 and out == "", f"exit status {rc}{context}"
    assert "warning" not in err, context
    first = err.splitlines()[0]
    # both elements, both formats
    for word in ("timer0", "testcomp0", "records", "serialized"):
        assert word in first, f"{word!r} missing from {first!r}"
    caret = err.splitlines()[2]
    assert caret.index("^") - 2 == description.index("!"), context
    assert re.search(r"^hint: .*testser", err, re.M), f"no element suggested in between{context}"
    # and with it in between, data flows
    rc, out, err = run(["timer interval=0.01 count=2 ! testser ! testcomp ! print"], env=env)
    context = f"\n  stdout: {out!r}\n  stderr: {err!r}"
    assert rc == 0, f"exit status {rc}{context}"
    lines = parse_json_lines(out, context)
    assert [line["format"] for line in lines] == ["compressed", "compressed"], context


@skip_unless(os.path.exists(os.path.join(SOURCE_DIR, "po", "zh_CN.po")), "po/zh_CN.po not written yet")
def test_zh_cn_translation_of_parse_error():
    assert os.environ.get("PULSEMQ_LOCALEDIR"), "meson sets PULSEMQ_LOCALEDIR"
    env = child_env(LANGUAGE="zh_CN")
    rc, out, err = run(["timr ! print"], env=env)
    context = f"\n  stderr: {err!r}"
    assert rc == 1, f"exit status {rc}{context}"
    first = err.splitlines()[0]
    assert CJK.search(first), f"not translated: {first!r}{context}"
    assert "timr" in first, context
    assert "  timr ! print" in err.splitlines() and "^~~~" in err, context
    # and the English stays English
    rc, out, err = run(["timr ! print"])
    assert not CJK.search(err), err


if __name__ == "__main__":
    taplib.run([
        test_bounded_run_prints_four_json_lines,
        test_description_as_separate_words,
        test_json_word_with_space_stays_one_value,
        test_help_examples_run,
        test_verbose_shows_states_and_counters,
        test_version,
        test_help_documents_exit_codes,
        test_sigint_drains_and_exits_0,
        test_sigterm_drains_and_exits_0,
        test_second_sigint_exits_130_without_draining,
        test_second_sigint_exits_130_while_main_loop_is_blocked,
        test_bad_descriptions_exit_1_with_caret,
        test_bad_words_exit_1_with_caret,
        test_unknown_option_exits_1,
        test_closed_stdout_is_a_runtime_error_exit_2,
        test_no_pipeline_runs_demo_feed,
        test_plugin_path_with_a_broken_module_warns_and_runs,
        test_format_link_error_says_what_goes_between,
        test_zh_cn_translation_of_parse_error,
    ])
