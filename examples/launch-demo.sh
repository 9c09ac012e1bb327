#!/bin/sh
# launch-demo.sh — pulse-launch from a shell script
#
#   PULSE_LAUNCH=build/launcher/pulse-launch examples/launch-demo.sh
#
# Runs bounded pipelines (count= makes each end by itself), shows that a
# description works as one quoted argument or as separate words, that an
# interrupt drains the pipeline and still exits 0, and what a mistake
# looks like. Uses $PULSE_LAUNCH if set, else pulse-launch from PATH.
set -eu

launch=${PULSE_LAUNCH:-pulse-launch}

echo "== four records, then end-of-stream"
"$launch" "timer interval=0.2 count=4 fields='{\"symbol\":\"600000\",\"price\":10.5}' ! print"

echo "== the same tool, the description as separate words, with a tee"
"$launch" timer interval=0.1 count=3 ! tee name=t  t. ! print  t. ! fakesink

echo "== an endless pipeline, interrupted: it drains and exits 0"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$launch" "timer interval=0.25 ! queue ! print" > "$out" &
pid=$!
# the first record means the pipeline plays (and handles signals): interrupt it
tries=0
while [ ! -s "$out" ] && [ "$tries" -lt 300 ]; do
  sleep 0.1
  tries=$((tries + 1))
done
kill -INT "$pid"
status=0
wait "$pid" || status=$?
cat "$out"
echo "exit status $status"

echo "== a mistake: the error shows where, and the exit status is 1"
status=0
"$launch" "timer intervall=0.5 ! print" || status=$?
echo "exit status $status"
