"""Production defaults, the Content-Security-Policy, passwords and throttles."""

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.roles import Role
from accounts.services import user_create
from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[2]
REAL_KEY = "k8Jq2vN-" * 8  # 64 characters, not a placeholder


@pytest.fixture(autouse=True)
def fresh_counts():
    cache.clear()
    yield
    cache.clear()


def _manage(*args, **env):
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DUALSOURCE_"))
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_only_the_production_flag_a_key_and_hosts():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DUALSOURCE_PRODUCTION="true",
        DJANGO_SECRET_KEY=REAL_KEY,
        DJANGO_ALLOWED_HOSTS="portal.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "key", ["change-me-to-a-long-random-string", "dev-only-insecure-secret-key-change-me", "short"]
)
def test_production_refuses_a_placeholder_or_short_key(key):
    result = _manage("check", DUALSOURCE_PRODUCTION="true", DJANGO_SECRET_KEY=key)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_the_env_example_key_is_refused_in_production():
    line = next(
        ln
        for ln in (ROOT / ".env.example").read_text().splitlines()
        if ln.startswith("DJANGO_SECRET_KEY=")
    )
    result = _manage("check", DUALSOURCE_PRODUCTION="true", DJANGO_SECRET_KEY=line.split("=", 1)[1])
    assert result.returncode != 0


def test_production_settings_are_secure_by_default():
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER, 'script-src' in"
        " s.CONTENT_SECURITY_POLICY['DIRECTIVES'])"
    )
    result = _manage("shell", "-c", code, DUALSOURCE_PRODUCTION="true", DJANGO_SECRET_KEY=REAL_KEY)
    assert result.stdout.strip().splitlines()[-1] == (
        "True True True True ('HTTP_X_FORWARDED_PROTO', 'https') True"
    ), result.stderr


def test_pages_carry_a_csp_that_allows_no_inline_script(client_for, buyer):
    response = client_for(buyer).get(reverse("home"))
    policy = response.get("Content-Security-Policy") or response.get(
        "Content-Security-Policy-Report-Only"
    )
    assert policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for path in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in path.parts:
            continue
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", text) or re.search(
            r"\son[a-z]+\s*=\s*[\"']", text
        ):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_api_docs_and_schema_need_a_login_in_production(client, settings, buyer):
    settings.PRODUCTION = True
    assert client.get("/api/schema/").status_code in (401, 403)
    assert client.get("/api/docs/").status_code in (302, 401, 403)
    client.force_login(buyer)
    assert client.get("/api/schema/").status_code == 200
    settings.PRODUCTION = False
    client.logout()
    assert client.get("/api/schema/").status_code == 200


@pytest.mark.parametrize("password", ["123", "password", "buyer2"])
def test_every_path_that_sets_a_password_validates_it(db, password):
    with pytest.raises(ValidationError) as caught:
        user_create(username="buyer2", password=password, role=Role.BUYER)
    assert "password" in caught.value.message_dict
    result = _manage("create_user", "weak", "--role", "buyer", "--password", "123")
    assert result.returncode != 0


# --- throttles --------------------------------------------------------------------------


def test_api_requests_per_user_are_throttled_with_retry_after(api_for, buyer, settings):
    settings.DUALSOURCE_THROTTLE_RATES = {**settings.DUALSOURCE_THROTTLE_RATES, "user": "3/min"}
    api = api_for(buyer)
    assert [api.get("/api/v1/suppliers/").status_code for _ in range(3)] == [200] * 3
    refused = api.get("/api/v1/suppliers/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60


def test_bad_tokens_are_throttled_per_client_address(client, settings, buyer):
    settings.DUALSOURCE_THROTTLE_RATES = {
        **settings.DUALSOURCE_THROTTLE_RATES,
        "bad_credentials": "3/hour",
    }
    bad = {"HTTP_AUTHORIZATION": "Token " + "0" * 40}
    # Refused (403: session authentication comes first, so no WWW-Authenticate challenge).
    assert [client.get("/api/v1/suppliers/", **bad).status_code for _ in range(3)] == [403] * 3
    refused = client.get("/api/v1/suppliers/", **bad)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    # Another client address is not affected.
    assert client.get("/api/v1/suppliers/", REMOTE_ADDR="10.0.0.9", **bad).status_code == 403


def test_the_client_address_comes_from_the_proxy_header_only_when_configured(client, settings, db):
    settings.DUALSOURCE_THROTTLE_RATES = {
        **settings.DUALSOURCE_THROTTLE_RATES,
        "bad_credentials": "2/hour",
    }
    bad = {"HTTP_AUTHORIZATION": "Token " + "0" * 40}
    # Not configured: a client's own X-Forwarded-For is ignored (it cannot dodge the count).
    for spoof in ("1.1.1.1", "2.2.2.2"):
        client.get("/api/v1/suppliers/", HTTP_X_FORWARDED_FOR=spoof, **bad)
    assert (
        client.get("/api/v1/suppliers/", HTTP_X_FORWARDED_FOR="3.3.3.3", **bad).status_code == 429
    )
    # Configured: the address the proxy appended counts, each client on its own.
    settings.DUALSOURCE_CLIENT_IP_HEADER = "X-Forwarded-For"
    assert (
        client.get("/api/v1/suppliers/", HTTP_X_FORWARDED_FOR="9.9.9.9, 4.4.4.4", **bad).status_code
        == 403
    )


def test_password_resets_are_limited_per_address_and_per_client(client, settings, db):
    settings.DUALSOURCE_THROTTLE_RATES = {
        **settings.DUALSOURCE_THROTTLE_RATES,
        "password_reset_address": "2/hour",
        "password_reset_client": "4/hour",
    }
    url = reverse("password_reset")
    codes = [client.post(url, {"email": "a@example.com"}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert client.post(url, {"email": "b@example.com"}).status_code == 302
    assert client.post(url, {"email": "c@example.com"}).status_code == 302
    refused = client.post(url, {"email": "d@example.com"})  # the client's 4 are used up
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0


def test_a_lockout_is_not_restarted_by_attempts_during_it(client, settings, db, time_machine):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
    UserFactory(username="ann", role="buyer")
    time_machine.move_to(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False)
    url = reverse("login")
    for _ in range(3):
        client.post(url, {"username": "ann", "password": "wrong"})
    time_machine.move_to(dt.datetime(2026, 3, 2, 9, 10, tzinfo=dt.UTC), tick=False)
    assert client.post(url, {"username": "ann", "password": "wrong"}).status_code == 429
    # 15 minutes after the lockout began (not after the last attempt) it is over.
    time_machine.move_to(dt.datetime(2026, 3, 2, 9, 15, 30, tzinfo=dt.UTC), tick=False)
    response = client.post(url, {"username": "ann", "password": PASSWORD})
    assert response.status_code == 302
