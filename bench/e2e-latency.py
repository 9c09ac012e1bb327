#!/usr/bin/python3
"""End-to-end latency through two pulse-launch processes (a measurement, not a test).

    bench/e2e-latency.py [BUILD_DIR] [MESSAGES] [INTERVAL]

A publisher `timer interval=INTERVAL ! msgpack ! lz4 ! zmqpub` and a subscriber
`zmqsub ! decode ! print` on loopback; the subscriber's print computes each
message's latency (its receive time minus the timestamp frame, which the
publisher writes just before the send). Prints p50/p90/p99/max in ms.
Both processes share the machine's clock, so the figure is honest to about
a microsecond; issue 7's bench will add a bare-libzmq baseline beside it.
"""
import json
import os
import re
import select
import signal
import subprocess
import sys
import time

build = sys.argv[1] if len(sys.argv) > 1 else "build"
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
interval = sys.argv[3] if len(sys.argv) > 3 else "5ms"
launch = os.path.join(build, "launcher", "pulse-launch")

pub = subprocess.Popen([launch, f"timer interval={interval} fields='{{\"symbol\":\"600000\",\"price\":10.5}}'"
                        " ! msgpack ! lz4 ! zmqpub topic=sh_market bind=tcp://127.0.0.1:*"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
err = b""
while b"publishing topic" not in err:
    select.select([pub.stderr], [], [], 10)
    err += os.read(pub.stderr.fileno(), 4096)
endpoint = re.search(rb"on (tcp://[0-9.:]+)", err).group(1).decode()
sub = subprocess.Popen([launch, f"zmqsub endpoint={endpoint} topics=sh_market ! decode ! print"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
lat = []
deadline = time.monotonic() + 120
while len(lat) < n and time.monotonic() < deadline:
    line = sub.stdout.readline()
    if not line:
        break
    lat.append(json.loads(line)["latency_ms"])
for p in (sub, pub):
    p.send_signal(signal.SIGINT)
    p.wait(30)
lat = sorted(lat[10:])  # the first few include the connection being set up
pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
print(f"messages={len(lat)} interval={interval} p50={pct(0.5):.3f}ms p90={pct(0.9):.3f}ms "
      f"p99={pct(0.99):.3f}ms max={lat[-1]:.3f}ms")
print(f"RESULT scenario=e2e-latency p50_ms={pct(0.5):.3f} p99_ms={pct(0.99):.3f} max_ms={lat[-1]:.3f}")
