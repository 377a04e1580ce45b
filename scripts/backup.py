#!/usr/bin/env python
"""Back up and restore the database and the media folder (docs/operations.md).

    python scripts/backup.py backup  BACKUP_DIR    # db + media into a new folder
    python scripts/backup.py restore BACKUP_DIR    # into an EMPTY database and media folder

PostgreSQL (DATABASE_URL set): `pg_dump --format=custom` and `pg_restore --no-owner`.
SQLite (the default): SQLite's online backup API, consistent while web and worker write.
The media folder (certificate documents) is copied as a tar archive. Both steps read the
same settings as the portal, so run them with the portal's environment.
"""

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _settings():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dualsource.settings")
    import django

    django.setup()
    from django.conf import settings

    return settings


def _pg_env(db: dict) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": str(db.get("HOST") or "127.0.0.1"),
            "PGPORT": str(db.get("PORT") or 5432),
            "PGUSER": str(db.get("USER") or ""),
            "PGPASSWORD": str(db.get("PASSWORD") or ""),
        }
    )
    return env


def backup(target: Path) -> None:
    settings = _settings()
    target.mkdir(parents=True, exist_ok=False)
    db = settings.DATABASES["default"]
    if "postgresql" in db["ENGINE"]:
        subprocess.run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--file",
                str(target / "db.dump"),
                db["NAME"],
            ],
            env=_pg_env(db),
            check=True,
        )
    else:
        source = sqlite3.connect(str(db["NAME"]))
        copy = sqlite3.connect(str(target / "db.sqlite3"))
        with copy:
            source.backup(copy)  # online backup: a consistent copy while others write
        copy.close()
        source.close()
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(target / "media.tar.gz", "w:gz") as archive:
        if media.exists():
            archive.add(media, arcname=".")
    print(f"Backed up {db['ENGINE'].rsplit('.', 1)[-1]} database and {media} to {target}")


def restore(source: Path) -> None:
    settings = _settings()
    db = settings.DATABASES["default"]
    if "postgresql" in db["ENGINE"]:
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                "--dbname",
                db["NAME"],
                str(source / "db.dump"),
            ],
            env=_pg_env(db),
            check=True,
        )
    else:
        name = Path(db["NAME"])
        if name.exists() and name.stat().st_size:
            sys.exit(f"{name} exists: restore into an empty database (move it away first).")
        name.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / "db.sqlite3", name)
    media = Path(settings.MEDIA_ROOT)
    if media.exists() and any(media.iterdir()):
        sys.exit(f"{media} is not empty: restore into an empty media folder.")
    with tarfile.open(source / "media.tar.gz") as archive:
        archive.extractall(media, filter="data")
    print(f"Restored {source} into the database and {media}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Back up or restore database and media.")
    parser.add_argument("action", choices=["backup", "restore"])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    (backup if args.action == "backup" else restore)(args.folder)
