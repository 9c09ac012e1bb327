#!/usr/bin/python3
"""zmqpub overflow=block with a stalled subscriber, driven through GI.

With max-queue-bytes and overflow=block, a subscriber that stops reading
slows the pipeline down instead of growing the publisher's memory: the
bytes zmqpub holds (its read-only queued-bytes) never pass the bound by
more than one frame, the source stops producing while the budget is
full, and once the subscriber reads again every record arrives, in
order. The pipeline runs on this process's threads; the subscriber is
python3-zmq, which never reads our decoder's output.
"""
import os
import struct
import sys
import time

import gi
import msgpack
import zmq

gi.require_version("Pulse", "1.0")
from gi.repository import Pulse  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taplib  # noqa: E402

DEADLINE = 60.0
BOUND = 2_000_000
COUNT = 1_000_000


def recv_seqs(sock):
    assert sock.poll(int(DEADLINE * 1000)), "no message"
    frames = sock.recv_multipart()
    assert len(frames) == 4, len(frames)
    _, _, count = struct.unpack(">BBI", frames[1])
    records = msgpack.unpackb(frames[3], raw=False)
    seqs = [r["seq"] for r in records]
    assert len(seqs) == count
    return seqs, len(frames[3])


def test_block_bounds_memory_and_loses_nothing():
    pipeline = Pulse.parse_launch(
        f"ticksrc name=src rate=0 batch=1000 count={COUNT} ! msgpack ! "
        "zmqpub name=pub topic=slow bind=tcp://127.0.0.1:* linger=-1 "
        f"max-queue-bytes={BOUND} overflow=block")
    src = pipeline.get_by_name("src")
    pub = pipeline.get_by_name("pub")
    assert pipeline.set_state(Pulse.State.PLAYING)
    try:
        sock = zmq.Context.instance().socket(zmq.SUB)
        sock.setsockopt(zmq.RCVHWM, 1)
        sock.setsockopt(zmq.RCVBUF, 4096)
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.SUBSCRIBE, b"slow")
        sock.connect(pub.props.endpoint)
        seqs, frame_size = recv_seqs(sock)

        # stalled: wait until the budget is full, i.e. the pipeline blocks
        end = time.monotonic() + DEADLINE
        peak = 0
        while pub.props.queued_bytes < BOUND - 2 * (frame_size + 512):
            assert time.monotonic() < end, (pub.props.queued_bytes, src.props.produced)
            peak = max(peak, pub.props.queued_bytes)
            time.sleep(0.01)
        produced_while_full = src.props.produced
        assert produced_while_full < COUNT, "the source ran ahead of the stalled subscriber"

        # read everything back: seq continues without a gap
        while seqs[-1] < COUNT - 1:
            peak = max(peak, pub.props.queued_bytes)
            more, _ = recv_seqs(sock)
            assert more[0] == seqs[-1] + 1, (seqs[-1], more[0])
            seqs.extend(more)
        assert seqs == list(range(seqs[0], COUNT))
        assert peak <= BOUND + frame_size + 512, (peak, BOUND)
        assert pub.props.dropped == 0
        print(f"# block: held at most {peak} bytes (bound {BOUND}); the source had made "
              f"{produced_while_full} of {COUNT} records when the budget filled; "
              f"{len(seqs)} delivered without a gap")
        sock.close()
    finally:
        pipeline.set_state(Pulse.State.NULL)


def test_block_gives_way_to_stop():
    """A pipeline blocked on a stalled subscriber still stops."""
    pipeline = Pulse.parse_launch(
        "ticksrc rate=0 batch=1000 ! msgpack ! "
        "zmqpub name=pub topic=slow bind=tcp://127.0.0.1:* "
        f"max-queue-bytes={BOUND} overflow=block")
    pub = pipeline.get_by_name("pub")
    assert pipeline.set_state(Pulse.State.PLAYING)
    sock = zmq.Context.instance().socket(zmq.SUB)
    sock.setsockopt(zmq.RCVHWM, 1)
    sock.setsockopt(zmq.RCVBUF, 4096)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.SUBSCRIBE, b"slow")
    sock.connect(pub.props.endpoint)
    try:
        recv_seqs(sock)
        end = time.monotonic() + DEADLINE
        while pub.props.queued_bytes < BOUND // 2:
            assert time.monotonic() < end, pub.props.queued_bytes
            time.sleep(0.01)
    finally:
        # returns only if the blocked chain function gave up
        assert pipeline.set_state(Pulse.State.NULL)
        sock.close()


taplib.run([test_block_bounds_memory_and_loses_nothing, test_block_gives_way_to_stop])
