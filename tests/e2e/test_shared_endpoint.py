#!/usr/bin/python3
"""Three streaming threads publish on one socket, and every message stays whole.

Three `ticksrc rate=0` chains (one through a `queue`, so a fourth thread
joins) send bursts on topics t0, t1 and t2 through zmqpubs that share one
bind, hence one PUB socket. The endpoint hands frames to the socket's
owner thread, or lends the socket to the sending thread while the owner
sleeps with nothing queued (core/pulse-endpoint.c); either way a message's
four frames must never mix with another's, and each topic's records must
arrive in order. Three python3-zmq subscribers, one per topic, check every
message's frames and every record's seq.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taplib  # noqa: E402
from subpeer import WARM_TOPIC, Subscriber, free_port  # noqa: E402
from test_burst import check_subscriber, counters, publish  # noqa: E402
from test_launch import DEADLINE  # noqa: E402

RECORDS = 300_000
START_DELAY = 3
SANITIZED = bool(os.environ.get("PULSE_PY_PRELOAD"))
FINISH = 120.0 if SANITIZED else 60.0
TOPICS = ["t0", "t1", "t2"]


def test_three_threads_one_socket():
    endpoint = f"tcp://127.0.0.1:{free_port()}"
    subs = [Subscriber(endpoint, t, deadline=FINISH + DEADLINE) for t in TOPICS]
    chains = [
        f"ticksrc rate=0 batch=1000 count={RECORDS} start-delay={START_DELAY} ! msgpack ! "
        f"zmqpub name=pub0 topic=t0 bind={endpoint}",
        f"ticksrc rate=0 batch=500 count={RECORDS} start-delay={START_DELAY} ! msgpack ! "
        f"zmqpub name=pub1 topic=t1 bind={endpoint}",
        f"ticksrc rate=0 batch=1000 count={RECORDS} start-delay={START_DELAY} ! queue ! msgpack ! "
        f"zmqpub name=pub2 topic=t2 bind={endpoint}",
        f"ticksrc rate=20 count={20 * START_DELAY} ! msgpack ! zmqpub topic={WARM_TOPIC} "
        f"bind={endpoint}",
    ]
    try:
        rc, stderr, results, context = publish(subs, ["-v", "  ".join(chains)], RECORDS,
                                               START_DELAY, FINISH)
        assert rc == 0, f"exit status {rc}{context}"
        sent = counters(stderr)
        for i in range(3):
            got = sent.get(f"pub{i}.sink")
            assert got is not None and got[1] == RECORDS, f"pub{i} counted {got}{context}"
        for i, result in enumerate(results):
            batch = 500 if i == 1 else 1000
            assert result["messages"] == RECORDS // batch, f"topic t{i}: {result}{context}"
            # check_subscriber counts messages of 1,000 records
            check_subscriber(i, dict(result, messages=RECORDS // 1000), RECORDS, context)
    finally:
        for sub in subs:
            sub.kill()


if __name__ == "__main__":
    taplib.run([test_three_threads_one_socket])
