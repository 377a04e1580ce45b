"""The exact number of SQL queries of every page and every API list, pinned in one file.

`tests/query_counts.json` holds, for a buyer and for ACME's contact on the world of
tests/world.py, the queries each page (every GET route outside the API) and each API list
costs. A page that suddenly runs a query per row shows up here as a changed count.
After a deliberate change, re-record the file and review its diff:

    DUALSOURCE_RECORD_QUERY_COUNTS=1 make test     # or, for this file alone:
    DUALSOURCE_RECORD_QUERY_COUNTS=1 .venv/bin/pytest tests/dualsource/test_query_counts.py
"""

import json
import os
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.routes import all_routes, fillings, object_kwargs

pytestmark = pytest.mark.django_db

BASELINE = Path(__file__).resolve().parent.parent / "query_counts.json"
RECORD = os.environ.get("DUALSOURCE_RECORD_QUERY_COUNTS") == "1"
HOW_TO_RECORD = (
    "re-record with `DUALSOURCE_RECORD_QUERY_COUNTS=1 .venv/bin/pytest "
    "tests/dualsource/test_query_counts.py` and review the diff of tests/query_counts.json"
)
ROLES = ("buyer", "contact_a")
# Routes no signed-in buyer or contact opens with GET: forms' POST targets (405), logging
# out (POST), and the emailed invitation link (its token is not valid in the walk: 404).
NOT_PAGES = {
    "alerts:bulk-action",
    "alerts:note",
    "contracts:child-delete",
    "contracts:child-restore",
    "rules:decide",
    "invoicing:decide",
    "rules:bulk_decide",
    "planning:release",
    "logout",
    "portal:colleague_deactivate",
    "portal:invitation_withdraw",
    "portal:invitation_accept",
}


def measured_routes():
    """Pages (GET routes outside the API) and API lists."""
    for route in all_routes():
        if route.is_api:
            if route.api_actions.get("get") == "list":
                yield route
        elif route.serves_get is not False and not route.name.startswith("admin:"):
            yield route


def key(role: str, route, kwargs: dict) -> str:
    # Object kwargs are "ACME's object"; their values (ids) differ between databases.
    named = object_kwargs(route)
    extras = " ".join(f"{k}={v}" for k, v in kwargs.items() if k not in named)
    return " ".join(part for part in (role, route.name, extras) if part)


def count_queries(world) -> dict[str, int]:
    counts = {}
    for role in ROLES:
        client = Client()
        client.force_login(world.users[role])
        client.get("/")  # the session is read once before measuring, as for a returning user
        for route in measured_routes():
            for kwargs in fillings(route, world, "A"):
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(route.url(kwargs))
                if response.status_code == 200:
                    counts[key(role, route, kwargs)] = len(queries)
    return counts


def test_query_counts_match_the_baseline(full_world):
    counts = count_queries(full_world)
    if RECORD:
        BASELINE.write_text(json.dumps(counts, indent=1, sort_keys=True) + "\n")
        return
    assert BASELINE.exists(), f"No {BASELINE.name}: {HOW_TO_RECORD}."
    baseline = json.loads(BASELINE.read_text())
    missing = sorted(set(counts) - set(baseline))
    assert not missing, f"Not in the query-count baseline: {missing}; {HOW_TO_RECORD}."
    gone = sorted(set(baseline) - set(counts))
    assert not gone, f"In the baseline but no longer answered 200: {gone}; {HOW_TO_RECORD}."
    changed = {k: f"{baseline[k]} → {counts[k]}" for k in counts if counts[k] != baseline[k]}
    assert not changed, f"Query counts changed: {changed}; if that is intended, {HOW_TO_RECORD}."


def test_every_page_and_list_is_pinned_for_someone():
    baseline = json.loads(BASELINE.read_text())
    pinned = {name.split(" ")[1] for name in baseline}
    routes = {route.name for route in measured_routes()}
    assert sorted(routes - pinned - NOT_PAGES) == [], (
        f"Pages nobody opens in the walk; {HOW_TO_RECORD}"
    )
    assert sorted(NOT_PAGES - routes) == [], "NOT_PAGES names a route that is gone"
