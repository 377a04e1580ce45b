"""Styles, scripts and plotly are served by the portal itself, fingerprinted and cached."""

import re

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client, override_settings

CACHED_FOR_A_YEAR = 365 * 24 * 3600


def _max_age(response) -> int:
    return int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))


@pytest.mark.django_db
def test_the_default_settings_serve_styles_charts_and_htmx_without_collectstatic(client):
    """`manage.py runserver` on a fresh checkout: no DEBUG, nothing collected yet."""
    for name in ("css/app.css", "vendor/plotly/plotly.min.js", "vendor/htmx/htmx.min.js"):
        response = Client().get(static(name))
        assert response.status_code == 200, name
        assert b"".join(response.streaming_content)


@pytest.mark.django_db
def test_collected_files_are_fingerprinted_and_cached_for_a_year(tmp_path, client_for, buyer):
    with override_settings(STATIC_ROOT=tmp_path / "static"):
        call_command(
            "collectstatic",
            interactive=False,
            verbosity=0,
            ignore_patterns=["admin/*", "rest_framework/*", "drf_spectacular_sidecar/*"],
        )
        plotly = static("vendor/plotly/plotly.min.js")
        assert re.fullmatch(r"/static/vendor/plotly/plotly\.min\.[0-9a-f]{12}\.js", plotly)
        response = Client().get(plotly)
        assert response.status_code == 200
        assert _max_age(response) >= CACHED_FOR_A_YEAR
        assert "immutable" in response["Cache-Control"]
        # Pages name the fingerprinted files, so a new release is fetched at once.
        page = client_for(buyer).get("/").content.decode()
        assert re.search(r'href="/static/css/app\.[0-9a-f]{12}\.css"', page)
        assert re.search(r'src="/static/vendor/htmx/htmx\.min\.[0-9a-f]{12}\.js"', page)
