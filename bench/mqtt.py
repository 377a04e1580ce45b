#!/usr/bin/env python
"""Benchmark of stock readings over MQTT against the budgets in docs/inventory.md.

`throughput` (default): the real Mosquitto at MQTT_URL (mqtt://127.0.0.1:1883), the ingest
(`manage.py mqtt_ingest`) as its own process on the embedded default database (SQLite in a
fresh var/ folder, or DATABASE_URL when set). Readings are published at a steady rate;
the bench polls the readings table and prints readings/s stored (sustained) and the
publish → stored latency (p50, p95, max). Budgets: ≥ 2,000 readings/s, p95 ≤ 2 s.

    python bench/mqtt.py throughput --rate 3000 --seconds 10

`alert` (the embedded default, as `make run`: SQLite, the filesystem Celery broker, one
worker, the embedded amqtt broker and the ingest): one reading below the reorder point is
published; the bench waits for its open `low_stock` alert. Budget 10 s.

    python bench/mqtt.py alert --runs 3
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _fresh_environment(prefix: str) -> Path:
    var_dir = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.pop("REDIS_URL", None)
    os.environ["DUALSOURCE_VAR_DIR"] = str(var_dir)
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
    os.environ["EMAIL_FILE_PATH"] = str(var_dir / "emails")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dualsource.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return var_dir


def _stock(parts: int):
    from django.utils import timezone

    from inventory.models import InventoryPosition
    from parts.models import Part
    from sites.models import Site

    site = Site.objects.create(code="BENCH", name="Bench plant")
    made = Part.objects.bulk_create(
        [Part(number=f"BP-{n:04d}", name=f"Bench part {n}") for n in range(parts)]
    )
    InventoryPosition.objects.bulk_create(
        [
            InventoryPosition(
                part=p,
                site=site,
                on_hand=500,
                safety_stock=20,
                reorder_point=100,
                read_at=timezone.now(),
            )
            for p in made
        ]
    )
    return site, [p.number for p in made]


def _process(args: list[str], name: str) -> subprocess.Popen:
    log = open(Path(os.environ["DUALSOURCE_VAR_DIR"]) / f"{name}.log", "w")  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=dict(os.environ), stdout=log, stderr=log
    )


def _publisher(url: str, protocol):
    import paho.mqtt.client as mqtt

    from inventory.mqtt import broker_from_url

    broker = broker_from_url(url)
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2,
        client_id=f"bench-pub-{uuid.uuid4().hex[:8]}",
        protocol=protocol,
        clean_session=True if protocol != mqtt.MQTTv5 else None,
    )
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect(broker.host, broker.port)
    client.loop_start()
    return client


def _wait_connected(log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and "connected to" in log.read_text():
            time.sleep(0.5)
            return
        time.sleep(0.2)
    raise SystemExit(f"The ingest did not connect; see {log}")


def throughput(rate: int, seconds: float, parts: int) -> None:
    import paho.mqtt.client as mqtt

    var_dir = _fresh_environment("dualsource-mqtt-bench-")
    from inventory.models import InventoryPosition

    url = os.environ.get("MQTT_URL", "mqtt://127.0.0.1:1883")
    _, numbers = _stock(parts)
    prefix = f"bench/{uuid.uuid4().hex[:8]}"
    ingest = _process(
        ["mqtt_ingest", "--url", url, "--prefix", prefix, "--client-id", f"bench-{prefix[6:]}"],
        "ingest",
    )
    try:
        _wait_connected(var_dir / "ingest.log")
        base = InventoryPosition.objects.count()
        client = _publisher(url, mqtt.MQTTv5)
        total = int(rate * seconds)
        published: list[float] = []
        start = time.monotonic()
        now_iso = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
        stored_at: list[tuple[float, int]] = []
        for i in range(total):
            due = start + i / rate
            while time.monotonic() < due:
                time.sleep(0.0005)
            payload = {
                "on_hand": 400 - i % 300,
                "read_at": f"{now_iso}.{i:06d}Z",
                "sensor": f"s{i}",
            }
            client.publish(
                f"{prefix}/BENCH/{numbers[i % len(numbers)]}", json.dumps(payload), qos=1
            )
            published.append(time.monotonic())
            if i % 200 == 0:
                stored_at.append((time.monotonic(), InventoryPosition.objects.count() - base))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            count = InventoryPosition.objects.count() - base
            stored_at.append((time.monotonic(), count))
            if count >= total:
                break
            time.sleep(0.02)
        client.disconnect()
        client.loop_stop()
    finally:
        ingest.terminate()
        ingest.wait(timeout=30)
    stored = stored_at[-1][1]
    # The i-th reading counts as stored when the row count first reached i + 1.
    latencies, k = [], 0
    for i, sent in enumerate(published[:stored]):
        while stored_at[k][1] < i + 1:
            k += 1
        latencies.append(max(stored_at[k][0] - sent, 0))
    latencies.sort()
    elapsed = stored_at[-1][0] - published[0]
    print(f"MQTT ingest: {url} → {os.environ.get('DATABASE_URL') or 'SQLite'} ({var_dir})")
    print(f"Published {total} readings at {rate}/s over {seconds:.0f} s; stored {stored}")
    print(f"Sustained, publish → stored: {stored / elapsed:,.0f} readings/s (budget ≥ 2,000)")
    if latencies:
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        print(
            f"Publish → stored latency: p50 {statistics.median(latencies):.3f} s, "
            f"p95 {p95:.3f} s, max {latencies[-1]:.3f} s (budget p95 ≤ 2 s)"
        )


def alert(runs: int) -> None:
    import paho.mqtt.client as mqtt

    var_dir = _fresh_environment("dualsource-mqtt-alert-bench-")
    from alerts.models import Alert

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"mqtt://127.0.0.1:{port}"
    os.environ.update(MQTT_URL=url, MQTT_PROTOCOL="3.1.1")
    site, numbers = _stock(runs)
    celery = Path(sys.executable).with_name("celery")
    worker = subprocess.Popen(
        [str(celery), "-A", "dualsource", "worker", "--pool=solo", "--loglevel=WARNING"],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    broker = _process(["mqtt_broker", "--port", str(port)], "broker")
    time.sleep(6)
    ingest = _process(["mqtt_ingest"], "ingest")
    times = []
    try:
        _wait_connected(var_dir / "ingest.log")
        time.sleep(6)  # the worker starts and drains the setup's queue
        client = _publisher(url, mqtt.MQTTv311)
        for number in numbers:
            start = time.monotonic()
            payload = {"on_hand": 3, "read_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
            client.publish(f"dualsource/stock/{site.code}/{number}", json.dumps(payload), qos=1)
            while time.monotonic() - start < 60:
                if Alert.objects.filter(
                    kind="low_stock", part__number=number, state="open"
                ).exists():
                    break
                time.sleep(0.05)
            times.append(time.monotonic() - start)
        client.disconnect()
        client.loop_stop()
    finally:
        for process in (ingest, broker, worker):
            process.terminate()
            process.wait(timeout=30)
    runs_text = ", ".join(f"{t:.2f}" for t in times)
    print(f"Embedded default: SQLite + filesystem broker + worker + amqtt, under {var_dir}")
    print(
        f"Low reading published → low_stock alert open: median "
        f"{statistics.median(times):.2f} s ({runs_text})"
    )
    print(f"Budget 10 s: worst {max(times):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", nargs="?", default="throughput", choices=["throughput", "alert"])
    parser.add_argument("--rate", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--parts", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.mode == "alert":
        alert(args.runs)
    else:
        throughput(args.rate, args.seconds, args.parts)


if __name__ == "__main__":
    main()
