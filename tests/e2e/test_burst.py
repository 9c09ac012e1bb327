#!/usr/bin/python3
"""A burst of two million records reaches two subscribers whole.

pulse-launch publishes `ticksrc rate=0 batch=1000 count=2000000 ! msgpack !
zmqpub` while two independent subscribers (subpeer.py: python3-zmq and
python3-msgpack, each in a process of its own) receive at once. Each must
get every record exactly once and in order: the record counts of the meta
frames add up, and every payload is decoded to check that `seq` runs from 0
without a gap.

ZeroMQ PUB drops what it sends before a subscription has arrived, so the
start is arranged, not timed: the subscribers connect first to a port the
test picked (ZeroMQ retries until the bind appears), the burst waits
`start-delay` after PLAYING, and a slow warm-up chain on the same socket
tells each subscriber that its subscriptions are in place. A subscriber
that saw burst data before its first warm-up message, or missed seq 0,
fails the test with that reason.

The rates measured are printed as TAP comments: sent, from the publisher's
send timestamps (frame 3) of the first and last message; received, from
each subscriber's clock.
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taplib  # noqa: E402
from subpeer import Subscriber, burst_pipeline, free_port, zmqpub_drains_at_eos  # noqa: E402
from test_launch import DEADLINE, Launch, skip_unless  # noqa: E402

RECORDS = 2_000_000
BATCH = 1000
# Long enough for a subscriber to connect and subscribe on a loaded machine
# (it takes milliseconds); the warm-up messages prove it did.
START_DELAY = 3
# under ASan the publisher is several times slower; the subscribers are not
SANITIZED = bool(os.environ.get("PULSE_PY_PRELOAD"))
FINISH = 120.0 if SANITIZED else 60.0


def counters(stderr):
    """pulse-launch -v's "name.pad: N buffers, M records, B bytes" lines."""
    return {name: (int(b), int(r), int(n)) for name, b, r, n in re.findall(
        r"^\s+(\S+\.\w+): (\d+) buffers, (\d+) records, (\d+) bytes$", stderr, re.M)}


def check_subscriber(i, result, records, context):
    where = f"subscriber {i}: {result!r}{context}"
    assert result["ready"], f"never saw a warm-up message{where}"
    assert not result["warm_after_data"], (
        f"burst data came before the subscription was confirmed: start-delay={START_DELAY} "
        f"was too short on this machine{where}")
    assert not result["errors"], f"errors{where}"
    assert result["first_seq"] == 0, f"missed the start of the burst{where}"
    assert result["messages"] == (records + BATCH - 1) // BATCH, f"messages{where}"
    assert result["meta_records"] == records, f"record counts of the meta frames{where}"
    assert result["decoded"] == records, f"records decoded{where}"
    assert result["last_seq"] == records - 1, f"last seq{where}"


def publish(subs, args, records, start_delay, finish):
    """Runs pulse-launch ARGS for subscribers that are connecting and expect
    RECORDS each: waits until every one is ready, lets the publisher finish.
    Returns (exit status, its stderr, the subscribers' results, a context
    for failure messages)."""
    for sub in subs:
        sub.wait_line("connecting", DEADLINE)
        sub.expect(records)
    with Launch(args) as pub:
        for sub in subs:
            sub.wait_line("ready", start_delay + DEADLINE)
        rc = pub.finish(finish)
        for sub in subs:
            sub.publisher_gone()
        context = pub.describe()
        results = [sub.result(finish) for sub in subs]
        context += "".join(sub.describe() for sub in subs)
        return rc, pub.stderr(), results, context


@skip_unless(zmqpub_drains_at_eos(), "zmqpub does not yet wait at EOS until ZeroMQ has sent "
             "everything: frames ZeroMQ holds at exit are lost")
def test_burst_reaches_two_subscribers_whole():
    port = free_port()
    endpoint = f"tcp://127.0.0.1:{port}"
    subs = [Subscriber(endpoint, "burst", deadline=FINISH + DEADLINE) for _ in range(2)]
    try:
        description = burst_pipeline(endpoint, "burst", RECORDS, START_DELAY,
                                     warm_count=20 * START_DELAY)
        rc, stderr, results, context = publish(subs, ["-v", description], RECORDS, START_DELAY,
                                               FINISH)
        assert rc == 0, f"exit status {rc}{context}"
        sent = counters(stderr).get("burstpub.sink")
        assert sent is not None and sent[1] == RECORDS, f"publisher counted {sent}{context}"
        for i, result in enumerate(results):
            check_subscriber(i, result, RECORDS, context)
    finally:
        for sub in subs:
            sub.kill()

    # the first message's stamp starts the clock: the records after it count
    timed = RECORDS - BATCH
    send_s = max(r["send_s"] for r in results)
    print(f"# {RECORDS} records in {RECORDS // BATCH} messages of {BATCH}"
          + (" (AddressSanitizer build)" if SANITIZED else ""))
    print(f"# sent: {timed / send_s:,.0f} records/s (publisher's send timestamps, "
          f"{send_s:.3f} s)")
    for i, r in enumerate(results):
        print(f"# received by subscriber {i}: {timed / r['receive_s']:,.0f} records/s "
              f"({r['receive_s']:.3f} s)")


if __name__ == "__main__":
    taplib.run([
        test_burst_reaches_two_subscribers_whole,
    ])
