#!/usr/bin/python3
"""Subscriber authentication from Python (PyGObject): Pulse.Auth and plainauth.

The key store's API — keys from strings and files, run-time changes,
counters, CURVE key pairs — and then a real publisher in this process with
python3-zmq subscribers: a key added at run time lets its user in, a key
removed keeps its user out of new connections while a connected one keeps
receiving. Every wait is for a condition, with a deadline.
"""
import os
import sys
import tempfile
import time

import gi
import zmq

gi.require_version("Pulse", "1.0")
from gi.repository import GLib, Pulse  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taplib  # noqa: E402

DEADLINE = 20.0


def expect_error(code, text, func, *args):
    try:
        func(*args)
    except GLib.Error as e:
        assert e.domain == "pulse-auth-error-quark", e.domain
        assert e.code == int(code), (e.code, e.message)
        assert text in e.message, e.message
        return e.message
    raise AssertionError("no error")


def test_keys_from_strings():
    auth = Pulse.Auth.new()
    assert auth.add_keys(" bob:sk_b , alice:pa:ss ")
    assert auth.get_users() == ["alice", "bob"]
    assert auth.check_plain("alice", "pa:ss"), "a password may contain ':'"
    assert not auth.check_plain("alice", "pa")
    assert not auth.check_plain("mallory", "x")
    assert auth.get_accepted("alice") == 1 and auth.get_rejected("alice") == 1
    assert auth.get_rejected("") == 1 and auth.get_rejected("mallory") == 0
    counters = auth.get_counters().unpack()
    assert counters["alice"] == (1, 1) and counters[""] == (0, 1), counters
    assert auth.remove_key("bob") and not auth.remove_key("bob")
    assert not auth.check_plain("bob", "sk_b")
    assert auth.add_key("carol", "sk_c") and auth.has_user("carol")


def test_bad_key_strings_say_which_entry():
    code = Pulse.AuthError.INVALID_KEY
    auth = Pulse.Auth.new()
    expect_error(code, "empty", auth.add_keys, "")
    expect_error(code, "entry 2", auth.add_keys, "alice:a,,bob:b")
    msg = expect_error(code, "entry 2", auth.add_keys, "alice:a,bob")
    assert "':'" in msg
    expect_error(code, "entry 1", auth.add_keys, ":secret")
    expect_error(code, "password is empty", auth.add_keys, "alice:")
    expect_error(code, "twice", auth.add_keys, "alice:a,alice:b")
    expect_error(code, "user name", auth.add_key, "a b", "x")
    # nothing of a bad string is kept, and no password is ever in a message
    assert auth.get_n_users() == 0
    msg = expect_error(code, "entry 3", auth.add_keys, "alice:topsecret,bob:hunter2,x")
    assert "topsecret" not in msg and "hunter2" not in msg


def test_key_file_reload():
    auth = Pulse.Auth.new()
    assert auth.add_key("api", "k")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "keys")
        with open(path, "w") as f:
            f.write("# subscribers\nalice:sk_a\n\nbob:sk_b\n")
        assert auth.load_keys_file(path)
        assert auth.get_users() == ["alice", "api", "bob"]
        with open(path, "w") as f:
            f.write("carol:sk_c\n")
        assert auth.load_keys_file(path)
        # the file's old keys go, the API's stay
        assert auth.get_users() == ["api", "carol"]
        with open(path, "w") as f:
            f.write("dave:sk_d\nbroken line\n")
        expect_error(Pulse.AuthError.INVALID_KEY, "line 2", auth.load_keys_file, path)
        assert auth.get_users() == ["api", "carol"], "a bad file changes nothing"
        expect_error(Pulse.AuthError.KEY_FILE, "", auth.load_keys_file,
                     os.path.join(tmp, "missing"))


def test_curve_keys():
    ok, public, secret = Pulse.Auth.generate_curve_keys()
    assert ok and len(public) == 40 and len(secret) == 40 and public != secret


def wait_for(cond, what):
    end = time.monotonic() + DEADLINE
    while not cond():
        assert time.monotonic() < end, what
        time.sleep(0.01)


def connect(endpoint, user, password):
    sock = zmq.Context.instance().socket(zmq.SUB)
    sock.linger = 0
    sock.plain_username = user.encode()
    sock.plain_password = password.encode()
    sock.setsockopt(zmq.SUBSCRIBE, b"")
    sock.connect(endpoint)
    return sock


def test_keys_at_run_time():
    pipeline = Pulse.parse_launch(
        "ticksrc rate=200 ! msgpack ! plainauth name=a keys=alice:sk_a ! "
        "zmqpub name=pub topic=t bind=tcp://127.0.0.1:*")
    assert pipeline.set_state(Pulse.State.PLAYING)
    try:
        element = pipeline.get_by_name("a")
        auth = element.props.auth
        endpoint = pipeline.get_by_name("pub").props.endpoint
        assert element.props.users == ["alice"]

        alice = connect(endpoint, "alice", "sk_a")
        assert alice.poll(int(DEADLINE * 1000)), "alice receives"

        carol = connect(endpoint, "carol", "sk_c")
        wait_for(lambda: auth.get_rejected("") >= 1, "carol refused")
        assert not carol.poll(0)
        carol.close()

        assert auth.add_key("carol", "sk_c")
        carol = connect(endpoint, "carol", "sk_c")
        assert carol.poll(int(DEADLINE * 1000)), "a key added at run time works at once"
        assert auth.get_accepted("carol") == 1

        assert auth.remove_key("alice")
        again = connect(endpoint, "alice", "sk_a")
        wait_for(lambda: auth.get_rejected("alice") >= 1, "alice refused once removed")
        assert not again.poll(0)
        # the connection made before the removal stays
        while alice.poll(0):
            alice.recv_multipart()
        assert alice.poll(int(DEADLINE * 1000)), "a connected subscriber keeps receiving"
        for s in (alice, carol, again):
            s.close()
    finally:
        pipeline.set_state(Pulse.State.NULL)


taplib.run([test_keys_from_strings, test_bad_key_strings_say_which_entry, test_key_file_reload,
            test_curve_keys, test_keys_at_run_time])
