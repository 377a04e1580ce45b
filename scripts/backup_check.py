#!/usr/bin/env python
"""Prove a backup restores: build a small portal, back it up, restore it into an empty
database and media folder, and compare the pages both serve (docs/operations.md).

    python scripts/backup_check.py                       # SQLite, in a temporary folder
    python scripts/backup_check.py --postgres postgres://postgres@127.0.0.1:5432/wt_x
        # uses databases <name>_orig and <name>_restored (dropped and created)
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/", "/suppliers/", "/suppliers/BKP1/", "/parts/", "/orders/", "/alerts/"]
SEED = """
import datetime as dt
from django.core.files.uploadedfile import SimpleUploadedFile
from accounts.roles import Role
from accounts.services import user_create
from suppliers.services import certificate_upload, supplier_create
user_create(username="bk-admin", password="backup-check-Pw-1", role=Role.ADMIN)
s = supplier_create(
    code="BKP1", name="Backup Castings", country="DE", region="EMEA", currency="EUR"
)
pdf = SimpleUploadedFile("c.pdf", b"%PDF-1.4 backup %%EOF", content_type="application/pdf")
certificate_upload(
    supplier=s, kind="iso_9001", number="C-1", valid_until=dt.date(2030, 1, 1), document=pdf
)
"""
READ = """
import hashlib, re
from django.contrib.auth import get_user_model
from django.test import Client
from suppliers.models import Certificate
c = Client()
c.force_login(get_user_model().objects.get(username="bk-admin"))
for path in PAGES:
    r = c.get(path)
    body = re.sub(rb'(csrfmiddlewaretoken" value="|nonce=")[^"]*', b"", r.content)
    print(path, r.status_code, hashlib.sha256(body).hexdigest()[:16])
cert = Certificate.objects.get()
print("certificate", hashlib.sha256(cert.document.read()).hexdigest()[:16])
"""


def run(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    if result.returncode:
        sys.exit(f"{' '.join(args[:3])} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def environment(var_dir: Path, database_url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({"DUALSOURCE_VAR_DIR": str(var_dir), "DUALSOURCE_LOGIN_THROTTLING": "false"})
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if re.match(r"^(/|certificate)", ln)]


def recreate(url: str) -> None:
    base, name = url.rsplit("/", 1)
    for sql in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", f"{base}/postgres", "-qc", sql], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL URL whose name prefixes the two databases")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        urls = (None, None)
        if args.postgres:
            urls = (f"{args.postgres}_orig", f"{args.postgres}_restored")
            for url in urls:
                recreate(url)
        original = environment(tmp / "original", urls[0])
        restored = environment(tmp / "restored", urls[1])
        run(original, "manage.py", "migrate", "--noinput")
        run(original, "manage.py", "shell", "-c", SEED)
        read = f"PAGES = {PAGES!r}\n{READ}"
        before = run(original, "manage.py", "shell", "-c", read)
        print(run(original, "scripts/backup.py", "backup", str(tmp / "backup")).strip())
        print(run(restored, "scripts/backup.py", "restore", str(tmp / "backup")).strip())
        after = run(restored, "manage.py", "shell", "-c", read)
        print("original:", *lines(before), sep="\n  ")
        print("restored:", *lines(after), sep="\n  ")
        same = lines(before) == lines(after) and all(" 200 " in ln for ln in lines(before)[:-1])
        print("SAME PAGES AND FILES" if same else "DIFFERENT")
        return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
