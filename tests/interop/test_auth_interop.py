#!/usr/bin/python3
"""Authentication against a real pulse-launch, with python3-zmq subscribers.

What the original's users do — PULSEMQ_API_KEYS and PLAIN credentials on
a SUB socket — and what we add: plainauth, key files re-read on SIGHUP or
when they change, CURVE. A refused subscriber is shown to receive nothing
by waiting for the publisher to report the refusal, while a subscriber
with a key keeps receiving — never by sleeping and looking.
"""
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time

import zmq

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import taplib  # noqa: E402

LAUNCH = os.environ.get("PULSE_LAUNCH", "pulse-launch")
DEADLINE = 30.0


class Publisher:
    def __init__(self, description, env=None):
        full_env = dict(os.environ, LC_ALL="C.UTF-8")
        full_env.pop("PULSEMQ_API_KEYS", None)
        full_env.update(env or {})
        self.proc = subprocess.Popen([LAUNCH, description], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, env=full_env)
        self.stderr = b""
        self.endpoint = self.wait_for(rb'publishing topic "[^"]*" on (tcp://[0-9.:]+)\n').decode()

    def wait_for(self, pattern, count=1):
        end = time.monotonic() + DEADLINE
        while True:
            found = re.findall(pattern, self.stderr)
            if len(found) >= count:
                return found[count - 1]
            left = end - time.monotonic()
            assert left > 0, f"never saw {pattern!r}: {self.stderr[-3000:]!r}"
            ready, _, _ = select.select([self.proc.stderr], [], [], min(left, 0.5))
            if ready:
                chunk = os.read(self.proc.stderr.fileno(), 65536)
                assert chunk, f"pulse-launch exited: {self.stderr[-3000:]!r}"
                self.stderr += chunk

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        rc = self.proc.wait(timeout=DEADLINE)
        self.stderr += self.proc.stderr.read()
        self.proc.stderr.close()
        return rc


def plain(endpoint, user=None, password=None, topic=b""):
    sock = zmq.Context.instance().socket(zmq.SUB)
    sock.linger = 0
    if user is not None:
        sock.plain_username = user.encode()
        sock.plain_password = password.encode()
    sock.setsockopt(zmq.SUBSCRIBE, topic)
    sock.connect(endpoint)
    return sock


def receives(sock):
    return bool(sock.poll(int(DEADLINE * 1000)))


def test_plain_users_and_strangers():
    pub = Publisher("ticksrc rate=100 ! msgpack ! plainauth keys=alice:sk_a,bob:sk_b ! "
                    "zmqpub topic=sh_market bind=tcp://127.0.0.1:*")
    try:
        alice = plain(pub.endpoint, "alice", "sk_a")
        assert receives(alice)
        wrong = plain(pub.endpoint, "bob", "sk_a")
        pub.wait_for(rb'refused subscriber "bob"')
        unknown = plain(pub.endpoint, "mallory", "sk_a")
        pub.wait_for(rb'refused subscriber "mallory"')
        anonymous = plain(pub.endpoint)
        pub.wait_for(rb"refused a subscriber without valid credentials")
        # the publisher kept publishing meanwhile: alice gets more
        while alice.poll(0):
            alice.recv_multipart()
        assert receives(alice)
        for sock in (wrong, unknown, anonymous):
            assert not sock.poll(0), "a refused subscriber received a message"
            sock.close()
        alice.close()
    finally:
        assert pub.stop() == 0, pub.stderr[-2000:]
    assert b'subscriber "alice" from 127.0.0.1 logged in' in pub.stderr
    assert b"sk_a" not in pub.stderr and b"sk_b" not in pub.stderr, "a password was shown"
    assert b"auth              enabled (2 users: alice, bob)" in pub.stderr


def test_env_keys_without_plainauth():
    """PULSEMQ_API_KEYS turns authentication on, as in the original."""
    pub = Publisher("ticksrc rate=100 ! msgpack ! zmqpub topic=t bind=tcp://127.0.0.1:*",
                    env={"PULSEMQ_API_KEYS": "user1:pass1, user2:pass2"})
    try:
        assert receives(plain(pub.endpoint, "user2", "pass2"))
        stranger = plain(pub.endpoint)
        # no plainauth to report it on the bus: prove it with a second good login
        assert receives(plain(pub.endpoint, "user1", "pass1"))
        assert not stranger.poll(0)
    finally:
        assert pub.stop() == 0, pub.stderr[-2000:]
    assert b"enabled (2 users: user1, user2)" in pub.stderr
    assert b"pass1" not in pub.stderr


def test_bad_keys_are_startup_errors():
    env = dict(os.environ, LC_ALL="C.UTF-8")
    r = subprocess.run([LAUNCH, "timer ! plainauth keys=alice:a,bob ! zmqpub topic=t "
                        "bind=tcp://127.0.0.1:*"], capture_output=True, env=env, timeout=DEADLINE)
    assert r.returncode == 1, r
    assert b"key entry 2 has no ':'" in r.stderr, r.stderr
    env["PULSEMQ_API_KEYS"] = "alice:a,,bob:b"
    r = subprocess.run([LAUNCH, "timer ! zmqpub topic=t bind=tcp://127.0.0.1:*"],
                       capture_output=True, env=env, timeout=DEADLINE)
    assert r.returncode != 0, r
    assert b"PULSEMQ_API_KEYS: key entry 2 is empty" in r.stderr, r.stderr
    env.pop("PULSEMQ_API_KEYS")
    r = subprocess.run([LAUNCH, "timer ! plainauth ! zmqpub topic=t bind=tcp://127.0.0.1:*"],
                       capture_output=True, env=env, timeout=DEADLINE)
    assert r.returncode != 0 and b"has no keys" in r.stderr, r.stderr


def test_key_file_reload():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "keys.txt")
        with open(path, "w") as f:
            f.write("alice:sk_a\n")
        pub = Publisher(f"ticksrc rate=100 ! msgpack ! plainauth keys-file={path} ! "
                        "zmqpub topic=t bind=tcp://127.0.0.1:*")
        try:
            assert receives(plain(pub.endpoint, "alice", "sk_a"))
            bob = plain(pub.endpoint, "bob", "sk_b")
            pub.wait_for(rb'refused subscriber "bob"')
            bob.close()
            # a changed file is re-read on its own ...
            with open(path + ".new", "w") as f:
                f.write("alice:sk_a\nbob:sk_b\n")
            os.rename(path + ".new", path)
            pub.wait_for(rb"reloaded the keys of [^\n]*: 2 users")
            assert receives(plain(pub.endpoint, "bob", "sk_b"))
            # ... and SIGHUP re-reads it too
            pub.proc.send_signal(signal.SIGHUP)
            pub.wait_for(rb"reloaded the keys of [^\n]*: 2 users", count=2)
        finally:
            assert pub.stop() == 0, pub.stderr[-2000:]


def test_curve():
    out = subprocess.run([LAUNCH, "--gen-curve-keys"], capture_output=True, text=True,
                         timeout=DEADLINE, check=True).stdout
    public = re.search(r"public (\S{40})", out).group(1)
    secret = re.search(r"secret (\S{40})", out).group(1)
    pub = Publisher(f"ticksrc rate=100 ! msgpack ! plainauth curve-secret-key='{secret}' ! "
                    "zmqpub topic=t bind=tcp://127.0.0.1:*")

    def curve(server_key):
        sock = zmq.Context.instance().socket(zmq.SUB)
        sock.linger = 0
        sock.curve_publickey, sock.curve_secretkey = zmq.curve_keypair()
        sock.curve_serverkey = server_key.encode()
        sock.setsockopt(zmq.SUBSCRIBE, b"")
        sock.connect(pub.endpoint)
        return sock

    try:
        good = curve(public)
        assert receives(good)
        bad = curve(zmq.curve_keypair()[0].decode())
        pub.wait_for(rb"refused a subscriber without valid credentials")
        assert receives(good)
        assert not bad.poll(0)
        plain_client = plain(pub.endpoint, "alice", "sk_a")
        pub.wait_for(rb"refused a subscriber without valid credentials", count=2)
        assert not plain_client.poll(0)
    finally:
        assert pub.stop() == 0, pub.stderr[-2000:]
    assert secret.encode() not in pub.stderr, "the secret key was shown"


def test_per_topic_access():
    """allow= limits a topic to some users; "" and prefixes give only what they may read."""
    probe = __import__("socket").socket()
    probe.bind(("127.0.0.1", 0))
    bind = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    probe.close()
    keys = "keys=alice:sk_a,bob:sk_b,carol:sk_c"
    pub = Publisher(
        f"ticksrc rate=50 ! msgpack ! plainauth {keys} allow=alice ! "
        f"zmqpub topic=sh_market bind={bind}  "
        f"ticksrc rate=50 ! msgpack ! plainauth {keys} allow=bob,alice ! "
        f"zmqpub topic=sz_market bind={bind}  "
        f"ticksrc rate=50 ! msgpack ! zmqpub topic=public bind={bind}")
    cases = [("alice", "sk_a", b"", {"sh_market", "sz_market", "public"}),
             ("bob", "sk_b", b"", {"sz_market", "public"}),
             ("carol", "sk_c", b"", {"public"}),
             ("alice", "sk_a", b"s", {"sh_market", "sz_market"}),
             ("bob", "sk_b", b"sh", set()),
             ("bob", "sk_b", b"sz_", {"sz_market"})]
    try:
        socks = [(plain(bind, user, pw, prefix), user, prefix, want)
                 for user, pw, prefix, want in cases]
        # "" and "sh" by bob see nothing: carol's public feed is the clock
        for sock, user, prefix, want in socks:
            seen = {}
            end = time.monotonic() + DEADLINE
            # every topic it may read, five times; anything else shows up by then
            while not (want and all(seen.get(t, 0) >= 5 for t in want)):
                if not want:
                    break
                assert time.monotonic() < end, (user, prefix, seen)
                if sock.poll(100):
                    topic = sock.recv_multipart()[0].decode()
                    seen[topic] = seen.get(topic, 0) + 1
            assert set(seen) <= want, (user, prefix, seen)
        # bob's "sh" subscription: public went on meanwhile, and bob got none of sh_market
        assert not socks[4][0].poll(0)
        for sock, *_ in socks:
            sock.close()
    finally:
        assert pub.stop() == 0, pub.stderr[-2000:]


def test_prefix_topics_with_other_readers_are_refused():
    env = dict(os.environ, LC_ALL="C.UTF-8")
    r = subprocess.run([LAUNCH, "timer ! plainauth keys=a:b allow=a ! zmqpub topic=sh "
                        "bind=tcp://127.0.0.1:*  timer ! zmqpub topic=sh_market "
                        "bind=tcp://127.0.0.1:*"], capture_output=True, env=env, timeout=DEADLINE)
    assert r.returncode != 0, r
    assert b"neither starts with the other" in r.stderr, r.stderr


def test_our_subscriber_reports_a_refused_login():
    """zmqsub ends with an error instead of hanging like the original."""
    pub = Publisher("ticksrc rate=50 ! msgpack ! plainauth keys=alice:sk_a ! "
                    "zmqpub topic=t bind=tcp://127.0.0.1:*")
    env = dict(os.environ, LC_ALL="C.UTF-8")
    try:
        for creds, text in [("username=alice password=wrong", b"refused the credentials"),
                            ("", b"does it expect a user name and password")]:
            r = subprocess.run([LAUNCH, f"zmqsub endpoint={pub.endpoint} topics=t {creds} ! "
                                "decode ! fakesink"], capture_output=True, env=env,
                               timeout=DEADLINE)
            assert r.returncode == 2, r
            assert text in r.stderr, r.stderr
    finally:
        assert pub.stop() == 0, pub.stderr[-2000:]


def test_curve_key_file():
    out = subprocess.run([LAUNCH, "--gen-curve-keys"], capture_output=True, text=True,
                         timeout=DEADLINE, check=True).stdout
    public = re.search(r"public (\S{40})", out).group(1)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "server.key")
        with open(path, "w") as f:
            f.write(out)  # as printed: the public line is skipped, the secret line read
        pub = Publisher(f"ticksrc rate=100 ! msgpack ! plainauth curve-secret-key-file={path} ! "
                        "zmqpub topic=t bind=tcp://127.0.0.1:*")
        try:
            sock = zmq.Context.instance().socket(zmq.SUB)
            sock.linger = 0
            sock.curve_publickey, sock.curve_secretkey = zmq.curve_keypair()
            sock.curve_serverkey = public.encode()
            sock.setsockopt(zmq.SUBSCRIBE, b"")
            sock.connect(pub.endpoint)
            assert receives(sock)
            sock.close()
        finally:
            assert pub.stop() == 0, pub.stderr[-2000:]
        with open(path, "w") as f:
            f.write("not a key\n")
        env = dict(os.environ, LC_ALL="C.UTF-8")
        r = subprocess.run([LAUNCH, f"timer ! plainauth curve-secret-key-file={path} ! zmqpub "
                            "topic=t bind=tcp://127.0.0.1:*"], capture_output=True, env=env,
                           timeout=DEADLINE)
        assert r.returncode != 0 and b"40 Z85 characters" in r.stderr, r.stderr


taplib.run([test_curve_key_file, test_our_subscriber_reports_a_refused_login, test_per_topic_access, test_prefix_topics_with_other_readers_are_refused, test_plain_users_and_strangers, test_env_keys_without_plainauth,
            test_bad_keys_are_startup_errors, test_key_file_reload, test_curve])
