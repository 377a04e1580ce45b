#!/usr/bin/env bash
# Run the whole portal locally: web (gunicorn), Celery worker and Celery beat.
# Ctrl-C (or any of them dying) stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
export DUALSOURCE_SITE_URL=${DUALSOURCE_SITE_URL:-http://$HOST:$PORT}

$BIN/python manage.py collectstatic --noinput --verbosity 0

pids=()
cleanup() {
    trap - INT TERM EXIT
    echo
    echo "Stopping web, worker and scheduler..."
    kill "${pids[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

$BIN/celery -A dualsource worker --loglevel=INFO --concurrency=2 --hostname="worker@%h" &
pids+=($!)
$BIN/celery -A dualsource beat --loglevel=INFO &
pids+=($!)
# Stock over MQTT: an embedded broker on a free port (unless MQTT_URL names one), the
# ingest and a few simulated bin sensors (docs/inventory.md).
if [ -z "${MQTT_URL:-}" ]; then
    MQTT_PORT=$($BIN/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    export MQTT_URL="mqtt://127.0.0.1:$MQTT_PORT" MQTT_PROTOCOL=3.1.1
    $BIN/python manage.py mqtt_broker --port "$MQTT_PORT" &
    pids+=($!)
fi
$BIN/python manage.py mqtt_ingest &
pids+=($!)
$BIN/python manage.py stock_simulator &
pids+=($!)
$BIN/gunicorn dualsource.wsgi --bind "$HOST:$PORT" --workers 2 --threads 4 --access-logfile - &
pids+=($!)

sleep 2
$BIN/python manage.py demo_logins --url "$DUALSOURCE_SITE_URL"
# Stop everything as soon as one of the three exits.
wait -n "${pids[@]}"
