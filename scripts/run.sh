#!/usr/bin/env bash
# Run the whole portal locally: one process per entry in PROCESSES below (Celery worker
# and beat, the MQTT broker, ingest and sensor simulator, web). Ctrl-C, or any of them stopping, stops them all within
# a few seconds: each runs in its own process group and gets SIGTERM, then SIGKILL.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
# Links in emails name the address this portal really runs at.
export DUALSOURCE_SITE_URL=${DUALSOURCE_SITE_URL:-http://$HOST:$PORT}
STOP_SECONDS=${STOP_SECONDS:-4}

# name|command: add a process by adding a line.
PROCESSES=(
    "worker|$BIN/celery -A dualsource worker --loglevel=INFO --concurrency=2 --hostname=worker@%h"
    "scheduler|$BIN/celery -A dualsource beat --loglevel=INFO"
)
# Stock over MQTT: an embedded broker on a free port (unless MQTT_URL names one), the
# ingest and a few simulated bin sensors (docs/inventory.md).
if [ -z "${MQTT_URL:-}" ]; then
    MQTT_PORT=$($BIN/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    export MQTT_URL="mqtt://127.0.0.1:$MQTT_PORT" MQTT_PROTOCOL=3.1.1
    PROCESSES+=("mqtt-broker|$BIN/python manage.py mqtt_broker --port $MQTT_PORT")
fi
PROCESSES+=(
    "mqtt-ingest|$BIN/python manage.py mqtt_ingest"
    "sensor-simulator|$BIN/python manage.py stock_simulator"
    "web|$BIN/gunicorn dualsource.wsgi --bind $HOST:$PORT --workers 2 --threads 4 --access-logfile - --graceful-timeout 3"
)

echo "Collecting static files (fingerprinted, cached by browsers)..."
$BIN/python manage.py collectstatic --noinput --verbosity 0

# Every background job gets its own process group, so the terminal's Ctrl-C reaches this
# script only, and the script stops each process (and its children) in order.
set -m
pids=()
names=()
for entry in "${PROCESSES[@]}"; do
    name=${entry%%|*}
    echo "Starting $name: ${entry#*|}"
    # shellcheck disable=SC2086  # the command is split into words on purpose
    ${entry#*|} &
    pids+=($!)
    names+=("$name")
done

stopping=0
stop_all() {
    [ "$stopping" = 1 ] && return
    stopping=1
    trap '' INT TERM  # a second Ctrl-C must not cut the stopping short
    echo
    running=()
    for i in "${!pids[@]}"; do kill -0 -- "-${pids[$i]}" 2>/dev/null && running+=("${names[$i]}"); done
    echo "Stopping ${running[*]+"${running[*]}"} (at most ${STOP_SECONDS}s)..."
    for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
    for _ in $(seq $((STOP_SECONDS * 5))); do
        alive=0
        for pid in "${pids[@]}"; do kill -0 -- "-$pid" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && break
        sleep 0.2
    done
    for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    echo "Stopped."
}
trap 'stop_all; exit 130' INT TERM
trap stop_all EXIT

# The URL and demo logins, printed by a job of its own: the shell runs a trap (Ctrl-C)
# during `wait` at once, but only after a command in the foreground has ended.
sleep 2 &
wait $!
$BIN/python manage.py demo_logins --url "$DUALSOURCE_SITE_URL" &
pids+=($!)
names+=("logins")
# A process that fails stops everything; one that ends cleanly (nothing to do, like the
# sensor simulator on an empty database) leaves the others running.
live=("${pids[@]}")
while [ "${#live[@]}" -gt 0 ]; do
    status=0
    wait -n "${live[@]}" || status=$?
    if [ "$status" -ne 0 ]; then
        echo "A process stopped with status $status; stopping the others."
        break
    fi
    still=()
    for pid in "${live[@]}"; do kill -0 "$pid" 2>/dev/null && still+=("$pid"); done
    live=("${still[@]+"${still[@]}"}")
done
