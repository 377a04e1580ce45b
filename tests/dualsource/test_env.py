"""Settings come from the environment; a malformed value stops start-up with a clear message."""

import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core.env import env_bool, env_int, env_list, env_str


def test_values_are_read_and_defaults_apply(monkeypatch):
    monkeypatch.setenv("DS_FLAG", "yes")
    monkeypatch.setenv("DS_COUNT", "42")
    monkeypatch.setenv("DS_HOSTS", "a.example, b.example ,")
    assert env_bool("DS_FLAG") is True
    assert env_int("DS_COUNT", 1) == 42
    assert env_list("DS_HOSTS", []) == ["a.example", "b.example"]
    assert env_str("DS_MISSING", "fallback") == "fallback"
    assert env_bool("DS_MISSING", default=True) is True


@pytest.mark.parametrize(
    ("reader", "value"), [(env_bool, "maybe"), (lambda name: env_int(name, 1), "ten")]
)
def test_malformed_values_fail_loudly(monkeypatch, reader, value):
    monkeypatch.setenv("DS_BAD", value)
    with pytest.raises(ImproperlyConfigured, match="DS_BAD"):
        reader("DS_BAD")


def test_a_required_value_that_is_missing_fails_loudly(monkeypatch):
    monkeypatch.delenv("DS_REQUIRED", raising=False)
    with pytest.raises(ImproperlyConfigured, match="DS_REQUIRED"):
        env_str("DS_REQUIRED")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("REDIS_URL", "localhost:6379", "REDIS_URL must start with redis://"),
        ("DJANGO_DEBUG", "sometimes", "DJANGO_DEBUG must be true or false"),
        ("DUALSOURCE_BASE_CURRENCY", "euro", "ISO 4217"),
    ],
)
def test_the_portal_refuses_to_start_with_a_malformed_setting(variable, value, message):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env={"PATH": "/usr/bin:/bin", variable: value},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_sqlite_lets_the_web_server_and_a_worker_write_at_the_same_time(
    tmp_path, django_db_blocker
):
    """Two read-then-write transactions overlap without "database is locked"
    (docs/performance.md)."""
    import threading
    import time

    from django.db.backends.sqlite3.base import DatabaseWrapper

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("PostgreSQL configured")
    django_db_blocker.unblock()  # a private database file, not the test database
    config = {**settings.DATABASES["default"], "NAME": str(tmp_path / "shared.sqlite3")}
    setup = DatabaseWrapper(config, alias="setup")
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE receipt (id INTEGER PRIMARY KEY, writer TEXT)")
    setup.close()
    errors = []

    def writer(name):
        connection = DatabaseWrapper(config, alias=name)
        try:
            # What transaction.atomic() does on a connection: BEGIN in the configured mode.
            connection.ensure_connection()
            connection._start_transaction_under_autocommit()
            with connection.cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM receipt")
                time.sleep(0.3)  # both transactions are open here
                cursor.execute("INSERT INTO receipt (writer) VALUES (%s)", [name])
            connection.commit()
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("web", "worker")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    check = DatabaseWrapper(config, alias="check")
    with check.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM receipt")
        assert cursor.fetchone()[0] == 2
    check.close()
    django_db_blocker.restore()
