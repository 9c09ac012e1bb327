#!/usr/bin/python3
"""Our compressors against the Python libraries the original PulseMQ uses.

Through GObject Introspection (Pulse.compress / Pulse.decompress), both
ways: what we compress must come back out of lz4.frame.decompress,
zstandard.decompress and snappy.decompress — the exact calls of the
original's subscriber — and what lz4.frame.compress, zstandard.compress
and snappy.compress write, with their defaults and the variations a peer
may use, must come back out of ours. Nothing here checks us against
ourselves only.
"""
import json
import os
import random
import sys

import gi

gi.require_version("Pulse", "1.0")
from gi.repository import GLib, Pulse  # noqa: E402

import lz4.frame  # noqa: E402
import snappy  # noqa: E402
import zstandard  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import taplib  # noqa: E402

LZ4 = Pulse.Compression.LZ4
ZSTD = Pulse.Compression.ZSTD
SNAPPY = Pulse.Compression.SNAPPY
MAX = 64 * 1024 * 1024


def ticks(size, seed=1):
    """JSON lines of market ticks: compressible, not trivially."""
    rng = random.Random(seed)
    out = []
    n = 0
    price = 10.5
    while n < size:
        price += rng.uniform(-0.05, 0.05)
        line = json.dumps({"symbol": "6%05d" % rng.randrange(40), "price": round(price, 2),
                           "volume": rng.randrange(1, 100000)}, separators=(",", ":")) + "\n"
        out.append(line)
        n += len(line)
    return "".join(out).encode()[:size]


def noise(size, seed=2):
    return random.Random(seed).randbytes(size)


# 0, 1, one LZ4 block ± 1, several blocks; text and incompressible data
PAYLOADS = [b"", b"x", b"\x93\xa1a\xa1b\xa1c"] + [
    make(n) for n in (64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 1024 * 1024 + 7)
    for make in (ticks, noise)]


def ours_compress(compression, data, level=-1):
    return Pulse.compress(compression, GLib.Bytes.new(data), level).get_data()


def ours_decompress(compression, data, max_size=MAX):
    return Pulse.decompress(compression, GLib.Bytes.new(data), max_size).get_data()


def test_golden_vectors_decode():
    abc = bytes.fromhex("93a161a162a163")
    assert ours_decompress(SNAPPY, bytes.fromhex("071893a161a162a163")) == abc
    assert ours_decompress(LZ4, bytes.fromhex(
        "04224d1868400700000000000000b00700008093a161a162a16300000000")) == abc
    assert ours_decompress(ZSTD, bytes.fromhex("28b52ffd200739000093a161a162a163")) == abc


def test_ours_lz4_to_python():
    for data in PAYLOADS:
        for level in (-1, 0, 3, 9, 12):
            frame = ours_compress(LZ4, data, level)
            assert frame[:4] == b"\x04\x22\x4d\x18", frame[:8]
            assert lz4.frame.decompress(frame) == data, (len(data), level)


def test_ours_lz4_stores_size_like_python():
    # the header carries the content size, as lz4.frame.compress writes it
    for data in PAYLOADS:
        if not data:
            continue
        info = lz4.frame.get_frame_info(ours_compress(LZ4, data))
        assert info["content_size"] == len(data), info
        assert info["block_size"] == 64 * 1024, info
        assert not info["content_checksum"], info


def test_ours_zstd_to_python():
    for data in PAYLOADS:
        for level in (-1, 1, 3, 19, 22):
            frame = ours_compress(ZSTD, data, level)
            # zstandard.decompress needs the content size in the header
            assert zstandard.get_frame_parameters(frame).content_size == len(data)
            assert zstandard.decompress(frame) == data, (len(data), level)


def test_ours_snappy_to_python():
    for data in PAYLOADS:
        frame = ours_compress(SNAPPY, data)
        assert snappy.decompress(frame) == data, len(data)


def test_python_lz4_to_ours():
    variations = [
        {},  # what the original calls: lz4.frame.compress(data)
        {"block_linked": False},
        {"store_size": False},
        {"block_linked": True, "store_size": False},
        {"content_checksum": True},
        {"block_checksum": True},
        {"block_size": lz4.frame.BLOCKSIZE_MAX4MB},
        {"compression_level": lz4.frame.COMPRESSIONLEVEL_MAX},
    ]
    for data in PAYLOADS:
        for kwargs in variations:
            frame = lz4.frame.compress(data, **kwargs)
            assert ours_decompress(LZ4, frame) == data, (len(data), kwargs)


def test_python_lz4_streaming_to_ours():
    # a streaming writer cannot know the size: several blocks, no size
    for data in PAYLOADS:
        with lz4.frame.LZ4FrameCompressor() as c:
            frame = c.begin() + c.compress(data[:1000]) + c.compress(data[1000:]) + c.flush()
        assert ours_decompress(LZ4, frame) == data, len(data)


def test_python_zstd_to_ours():
    for data in PAYLOADS:
        for level in (1, 3, 19):
            frame = zstandard.ZstdCompressor(level=level).compress(data)
            assert ours_decompress(ZSTD, frame) == data, (len(data), level)
        # the original's own call, level 3
        assert ours_decompress(ZSTD, zstandard.compress(data)) == data


def test_python_zstd_without_size_to_ours():
    for data in PAYLOADS:
        cobj = zstandard.ZstdCompressor(level=3).compressobj()
        frame = cobj.compress(data) + cobj.flush()
        assert ours_decompress(ZSTD, frame) == data, len(data)
        checked = zstandard.ZstdCompressor(write_checksum=True).compress(data)
        assert ours_decompress(ZSTD, checked) == data, len(data)


def test_python_snappy_to_ours():
    for data in PAYLOADS:
        assert ours_decompress(SNAPPY, snappy.compress(data)) == data, len(data)


def test_max_size_and_errors():
    data = ticks(100000)
    frames = {LZ4: lz4.frame.compress(data), ZSTD: zstandard.compress(data),
              SNAPPY: snappy.compress(data)}
    for compression, frame in frames.items():
        assert ours_decompress(compression, frame, len(data)) == data
        try:
            ours_decompress(compression, frame, len(data) - 1)
        except GLib.Error as e:
            assert e.matches(Pulse.stream_error_quark(), Pulse.StreamError.TOO_LARGE), e.message
        else:
            raise AssertionError(f"{compression}: no error one byte over the limit")
        try:
            ours_decompress(compression, frame + b"garbage")
        except GLib.Error as e:
            assert e.matches(Pulse.stream_error_quark(), Pulse.StreamError.DECODE), e.message
        else:
            raise AssertionError(f"{compression}: trailing garbage accepted")


taplib.run([
    test_golden_vectors_decode,
    test_ours_lz4_to_python,
    test_ours_lz4_stores_size_like_python,
    test_ours_zstd_to_python,
    test_ours_snappy_to_python,
    test_python_lz4_to_ours,
    test_python_lz4_streaming_to_ours,
    test_python_zstd_to_ours,
    test_python_zstd_without_size_to_ours,
    test_python_snappy_to_ours,
    test_max_size_and_errors,
])
