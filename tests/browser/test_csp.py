"""Under the production Content-Security-Policy (enforced, not report-only) the charts
still draw, the API docs start, and the browser reports no violation."""

import pytest

from tests.browser.test_workspace import charts_drawn, portfolio  # noqa: F401
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def enforced(settings):
    settings.CONTENT_SECURITY_POLICY = settings.CONTENT_SECURITY_POLICY_REPORT_ONLY
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = None


def test_pages_work_under_the_enforced_policy(
    page,
    live_server,
    buyer,
    contact_a,
    portfolio,  # noqa: F811
    enforced,
):
    problems = []
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if msg.type in ("error", "warning") else None,
    )
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    first = page.goto(f"{live_server.url}/login/")
    assert "script-src 'self'" in first.headers["content-security-policy"]
    page.fill("#id_username", "buyer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#tiles")
    assert charts_drawn(page) == 2
    page.goto(f"{live_server.url}/suppliers/BOLT/")
    assert charts_drawn(page) == 6
    page.goto(f"{live_server.url}/parts/P-SHARED/")
    assert charts_drawn(page) == 4
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info")
    # The supplier's own trend chart (its script moved to a static file).
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "contact_a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/portal/scorecard/")
    page.locator("#trend .main-svg").first.wait_for()
    assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []
