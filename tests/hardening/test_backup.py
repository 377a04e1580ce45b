"""A backup restores into an empty database and media folder and serves the same pages
(scripts/backup_check.py drives scripts/backup.py end to end on SQLite)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_backup_restores_into_an_empty_portal_that_serves_the_same_pages():
    result = subprocess.run(
        [sys.executable, "scripts/backup_check.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SAME PAGES AND FILES" in result.stdout
