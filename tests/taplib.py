"""Minimal TAP producer for PulseMQ's Python tests.

Each test is a function; run() calls them in order, prints "ok N - name"
or "not ok N - name" with the failure indented as a TAP diagnostic, then
exits 1 if any failed. meson reads the TAP stream (protocol: 'tap') and
scripts/run-tests counts the lines across the whole suite.
"""
import sys
import traceback


def run(tests):
    """tests: a list of callables (their __name__ is the test name)."""
    print(f"1..{len(tests)}", flush=True)
    failed = 0
    for i, test in enumerate(tests, 1):
        name = test.__name__
        try:
            test()
        except Exception:  # noqa: BLE001 - every failure is reported, none hides
            failed += 1
            print(f"not ok {i} - {name}", flush=True)
            for line in traceback.format_exc().rstrip().splitlines():
                print(f"# {line}", flush=True)
        else:
            print(f"ok {i} - {name}", flush=True)
    sys.exit(1 if failed else 0)
