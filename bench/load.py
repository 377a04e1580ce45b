#!/usr/bin/env python
"""Load benchmark: signed-in page reads and bulk stock ingest at the same time, against
gunicorn on PostgreSQL, bounded in time, only ever against 127.0.0.1.

    python bench/load.py [--users 12] [--seconds 60] [--workers 2]
        [--database postgres://postgres@127.0.0.1:5432/wt_hardening_load] [--keep-db]

Creates (drops first) its own database, seeds it with the small demo, starts gunicorn on
a free local port, runs locust headless (page readers and ingest clients, 3 : 1), and
prints requests/s, p50/p95/p99 and the error rate per kind and overall. The throttles
are raised for the run (one user posting as fast as it can is the point here).
"""

import argparse
import csv
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "dualsource-demo"

if __name__ != "__main__":  # imported by locust: the users
    import datetime as dt
    import random

    from locust import HttpUser, between, task

    PAGES = ["/", "/suppliers/", "/parts/", "/orders/", "/alerts/", "/exceptions/"]

    class PageReader(HttpUser):
        weight = 3
        wait_time = between(0.2, 1.0)

        def on_start(self):
            self.client.get("/login/", name="login")
            token = self.client.cookies.get("csrftoken", "")
            self.client.post(
                "/login/",
                {"username": "buyer", "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token},
                headers={"Referer": self.host + "/login/"},
                name="login",
            )
            found = self.client.get("/api/v1/suppliers/?page_size=20", name="api: suppliers")
            codes = [s["code"] for s in found.json().get("results", [])] if found.ok else []
            self.details = [f"/suppliers/{c}/" for c in codes] or ["/suppliers/"]

        @task(5)
        def list_page(self):
            self.client.get(random.choice(PAGES), name="page: list/dashboard")

        @task(2)
        def supplier_detail(self):
            self.client.get(random.choice(self.details), name="page: supplier detail")

    class StockIngest(HttpUser):
        weight = 1
        wait_time = between(0.1, 0.5)

        def on_start(self):
            self.client.headers["Authorization"] = "Token " + os.environ["LOAD_TOKEN"]
            parts = self.client.get("/api/v1/parts/?page_size=100", name="api: parts").json()
            self.parts = [p["number"] for p in parts.get("results", [])]

        @task
        def post_readings(self):
            now = dt.datetime.now(dt.UTC)
            batch = [
                {
                    "part": random.choice(self.parts),
                    "site": f"LOAD-{random.randint(1, 5)}",
                    "on_hand": str(random.randint(0, 500)),
                    "safety_stock": "20",
                    "reorder_point": "40",
                    "read_at": (now - dt.timedelta(seconds=i)).isoformat(),
                    "source": "iot",
                }
                for i in range(200)
            ]
            self.client.post(
                "/api/v1/inventory-positions/", json=batch, name="api: bulk 200 readings"
            )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(env, *args, **kwargs):
    return subprocess.run(args, cwd=ROOT, env=env, check=True, **kwargs)


def prepare(env: dict, url: str, keep: bool) -> None:
    base, name = url.rsplit("/", 1)
    if not keep:
        for sql in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
            run(env, "psql", f"{base}/postgres", "-qc", sql)
        run(env, sys.executable, "manage.py", "migrate", "--noinput", stdout=subprocess.DEVNULL)
        run(
            env,
            sys.executable,
            "manage.py",
            "seed_demo",
            "--size",
            "small",
            "--seed",
            "1",
            stdout=subprocess.DEVNULL,
        )


def token(env: dict) -> str:
    code = (
        "from django.contrib.auth import get_user_model;"
        "from accounts.services import api_token_get_or_create;"
        "print(api_token_get_or_create(user=get_user_model().objects.get(username='buyer')))"
    )
    out = run(env, sys.executable, "manage.py", "shell", "-c", code, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def report(prefix: Path, seconds: int) -> None:
    with open(f"{prefix}_stats.csv") as handle:
        rows = list(csv.DictReader(handle))
    print(f"\n{'':32}{'req':>7}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>8}")
    for row in rows:
        n = int(row["Request Count"])
        if not n or row["Name"] == "login" or row["Name"].startswith("api: parts"):
            continue
        fails = int(row["Failure Count"])
        label = "ALL" if row["Name"] == "Aggregated" else row["Name"]
        print(
            f"{label[:32]:32}{n:7d}{float(row['Requests/s']):8.1f}{row['50%']:>8}"
            f"{row['95%']:>8}{row['99%']:>8}{100 * fails / n:7.2f}%"
        )
    print(f"(locust, {seconds} s, PostgreSQL, gunicorn on 127.0.0.1)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", default="postgres://postgres@127.0.0.1:5432/wt_hardening_load"
    )
    parser.add_argument("--users", type=int, default=12)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep-db", action="store_true", help="reuse the seeded database")
    args = parser.parse_args()
    if "@127.0.0.1" not in args.database and "@localhost" not in args.database:
        sys.exit("Only a local database (127.0.0.1).")
    var = Path(tempfile.mkdtemp(prefix="load-"))
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(
        {
            "DATABASE_URL": args.database,
            "DUALSOURCE_VAR_DIR": str(var),
            "DUALSOURCE_API_RATE_USER": "1000000/min",
            "DUALSOURCE_API_RATE_CLIENT": "1000000/min",
            "DUALSOURCE_LOGIN_THROTTLING": "false",
            "DJANGO_DEBUG": "false",
        }
    )
    prepare(env, args.database, args.keep_db)
    env["LOAD_TOKEN"] = token(env)
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "dualsource.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        prefix = var / "locust"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                __file__,
                "--headless",
                "--host",
                f"http://127.0.0.1:{port}",
                "-u",
                str(args.users),
                "-r",
                str(args.users),
                "-t",
                f"{args.seconds}s",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "ERROR",
                "--stop-timeout",
                "5",
            ],
            cwd=ROOT,
            env=env,
            timeout=args.seconds + 120,
            stdout=subprocess.DEVNULL,
        )
        with open("/proc/loadavg") as f:
            print(f"load average after the run: {f.read().split()[:3]}")
        report(prefix, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
