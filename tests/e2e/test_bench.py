#!/usr/bin/python3
"""pulse-bench runs end to end and ends with RESULT lines that parse.

`pulse-bench burst --quick` (bare, pipeline and pre-built publishers, two
subscriber processes each) and `pulse-bench latency --quick` (one rate, a
subscriber process per arm). Only the shape of the output and the absence
of loss are checked: the figures depend on the machine and its load.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import taplib  # noqa: E402

BENCH = os.path.join(os.environ.get("PULSE_BUILD_DIR", "build"), "bench", "pulse-bench")
NUMBER = r"[0-9]+(?:\.[0-9]+)?"


def results(args):
    """Runs pulse-bench ARGS; returns its RESULT lines as dicts."""
    out = subprocess.run([BENCH] + args, capture_output=True, text=True, timeout=90)
    assert out.returncode == 0, f"exit {out.returncode}\n{out.stdout}\n{out.stderr}"
    found = []
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            found.append(dict(word.split("=", 1) for word in line.split()[1:]))
    assert found, f"no RESULT line in:\n{out.stdout}"
    return found


def check_numbers(result, keys):
    for key in keys:
        assert key in result, f"{key} missing from {result}"
        assert re.fullmatch(NUMBER, result[key]), f"{key}={result[key]} is not a number"


def test_burst_quick():
    (r,) = results(["burst", "--quick", "--records", "20000"])
    assert r["scenario"] == "burst"
    check_numbers(r, ["records_per_s", "raw_records_per_s", "prebuilt_records_per_s", "ratio",
                      "p50_ms", "p99_ms", "lost"])
    assert r["lost"] == "0", r
    assert float(r["records_per_s"]) > 0 and float(r["raw_records_per_s"]) > 0, r


def test_latency_quick():
    (r,) = results(["latency", "--quick", "--seconds", "0.3"])
    assert r["scenario"] == "latency" and r["rate"] == "10000", r
    check_numbers(r, ["p50_us", "p99_us", "p999_us", "raw_p50_us", "raw_p99_us", "ratio", "lost"])
    assert r["lost"] == "0", r


def test_one_arm_and_rounds():
    # --arm runs one arm alone (for a profiler); --rounds slices the records
    (r,) = results(["burst", "--quick", "--records", "20000", "--rounds", "3", "--arm", "pipeline"])
    assert r["arm"] == "pipeline" and r["lost"] == "0", r
    check_numbers(r, ["records_per_s", "sent_records_per_s", "p50_ms", "p99_ms"])
    assert float(r["records_per_s"]) > 0, r
    (r,) = results(["latency", "--quick", "--seconds", "0.2", "--arm", "bare"])
    check_numbers(r, ["raw_p50_us", "raw_p99_us"])
    assert float(r["raw_p99_us"]) > 0 and r["lost"] == "0", r
    for bad in (["burst", "--arm", "nope"], ["burst", "--rounds", "0"],
                ["burst", "--records", "2", "--rounds", "3"]):
        out = subprocess.run([BENCH] + bad, capture_output=True, text=True, timeout=60)
        assert out.returncode == 2 and "usage" in out.stderr + out.stdout, (bad, out)


taplib.run([test_burst_quick, test_latency_quick, test_one_arm_and_rounds])
