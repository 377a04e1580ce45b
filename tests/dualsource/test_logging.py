"""A refused request is one line in the log, never a traceback."""

import logging

import pytest

pytestmark = pytest.mark.django_db


def test_a_403_is_logged_as_one_line_without_traceback(client_for, viewer, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client_for(viewer).get("/imports/")
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert [r.getMessage() for r in records] == ["Forbidden (Permission denied): /imports/"]
    assert records[0].exc_info is None
    assert "Traceback" not in caplog.text
