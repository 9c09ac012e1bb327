#!/usr/bin/python3
"""Graceful shutdown of a publisher: SIGTERM in the middle of a burst.

The original died on SIGTERM and lost what it had queued. pulse-launch
treats SIGTERM as SIGINT: the sources stop, end-of-stream travels the
graph, zmqpub waits until ZeroMQ has written out every frame it accepted,
and the process exits 0. Here a subscriber (subpeer.py) must then hold
every record the publisher counted (`pulse-launch -v` prints the counters
of zmqpub's sink pad at the end), with seq running from 0 without a gap.
A second signal during the drain exits at once with 130.
"""
import os
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taplib  # noqa: E402
from subpeer import Subscriber, burst_pipeline, free_port, zmqpub_drains_at_eos  # noqa: E402
from test_burst import FINISH, START_DELAY, check_subscriber, counters  # noqa: E402
from test_launch import DEADLINE, Launch, skip_unless, start_stuck_writer  # noqa: E402

# SIGTERM once the subscriber has this many records: the publisher is ahead by then
PROGRESS = 500_000


@skip_unless(zmqpub_drains_at_eos(), "zmqpub does not yet wait at EOS until ZeroMQ has sent "
             "everything: frames ZeroMQ holds at exit are lost")
def test_sigterm_mid_burst_sends_everything_counted():
    endpoint = f"tcp://127.0.0.1:{free_port()}"
    sub = Subscriber(endpoint, "burst", deadline=FINISH + DEADLINE, progress=PROGRESS)
    try:
        sub.wait_line("connecting", DEADLINE)
        # endless, back to back; the warm-up chain is endless too
        description = burst_pipeline(endpoint, "burst", 0, START_DELAY)
        with Launch(["-v", description]) as pub:
            sub.wait_line("ready", START_DELAY + DEADLINE)
            sub.wait_line("progress", START_DELAY + DEADLINE)   # the burst is flowing
            pub.proc.send_signal(signal.SIGTERM)
            rc = pub.finish(FINISH)
            sub.publisher_gone()
            context = pub.describe()
            assert rc == 0, f"exit status {rc}{context}"
            assert "interrupt: sending end-of-stream" in pub.stderr(), context
            assert "end of stream reached" in pub.stderr(), context
            sent = counters(pub.stderr()).get("burstpub.sink")
            assert sent is not None, f"no counters for burstpub.sink{context}"
            buffers, records, _ = sent
            assert records == buffers * 1000 and records > 0, f"{sent}{context}"
            sub.expect(records)
            result = sub.result(FINISH)
            check_subscriber(0, result, records, context + sub.describe())
    finally:
        sub.kill()
    print(f"# SIGTERM after the subscriber had {PROGRESS:,} records: the publisher had accepted "
          f"{records:,} records; all arrived, in order")


def test_second_sigterm_exits_130_while_draining():
    # print can never finish its first write (see test_launch.py), so the
    # drain that the first SIGTERM starts cannot end; the second exits at once
    p, r = start_stuck_writer("downstream")
    try:
        with p:
            p.proc.send_signal(signal.SIGTERM)
            p.wait_stderr("interrupt: sending end-of-stream")
            p.proc.send_signal(signal.SIGTERM)
            rc = p.finish(15)
            context = p.describe()
            assert rc == 130, f"exit status {rc}{context}"
            assert "second interrupt" in p.stderr(), context
            assert "end of stream reached" not in p.stderr(), context
    finally:
        os.close(r)


if __name__ == "__main__":
    taplib.run([
        test_sigterm_mid_burst_sends_everything_counted,
        test_second_sigterm_exits_130_while_draining,
    ])
