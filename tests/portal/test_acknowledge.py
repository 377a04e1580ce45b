import datetime as dt

import pytest
import time_machine

from purchasing.models import PromiseRevision

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def before_the_dates():
    """The contact confirms in February, before the March dates these tests send."""
    with time_machine.travel(dt.datetime(2026, 2, 2, 9, tzinfo=dt.UTC), tick=False):
        yield


def _ack(client, lines, dates=None, **extra):
    data = {"lines": [str(line.pk) for line in lines], **extra}
    for line, value in zip(lines, dates or [], strict=False):
        data[f"date_{line.pk}"] = value
    return client.post("/portal/lines/acknowledge/", data)


def test_two_lines_confirmed_at_once_become_the_baseline(portal_a, lines_a):
    first, second, third = lines_a
    response = _ack(portal_a, [first, second], ["2026-03-01", "2026-03-20"])
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    third.refresh_from_db()
    assert first.promised_date == dt.date(2026, 3, 1) and first.acknowledged_at
    assert second.promised_date == dt.date(2026, 3, 20) == second.expected_date
    assert third.acknowledged_at is None
    page = portal_a.get("/portal/lines/acknowledge/")
    assert b"PO-A1/3" in page.content and b"PO-A1/1" not in page.content


def test_a_later_change_needs_a_reason_and_keeps_the_baseline(portal_a, lines_a):
    line = lines_a[0]
    _ack(portal_a, [line], ["2026-03-05"])
    response = _ack(portal_a, [line], ["2026-03-12"])
    assert response.status_code == 400
    assert b"needs a reason" in response.content
    line.refresh_from_db()
    assert line.expected_date == dt.date(2026, 3, 5)
    response = _ack(portal_a, [line], ["2026-03-12"], reason="capacity", comment="furnace down")
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.promised_date == dt.date(2026, 3, 5)
    assert line.expected_date == dt.date(2026, 3, 12)
    revision = PromiseRevision.objects.get(line=line)
    assert (revision.previous_date, revision.new_date, revision.reason) == (
        dt.date(2026, 3, 5),
        dt.date(2026, 3, 12),
        "capacity",
    )
    detail = portal_a.get(f"/portal/lines/{line.pk}/")
    assert b"Capacity" in detail.content and b"furnace down" in detail.content


def test_one_bad_line_saves_none_of_the_batch(portal_a, lines_a):
    first, second, _ = lines_a
    _ack(portal_a, [first], ["2026-03-05"])
    # second is new (fine), first changes without a reason: all or nothing.
    response = _ack(portal_a, [second, first], ["2026-03-09", "2026-04-01"])
    assert response.status_code == 400
    second.refresh_from_db()
    assert second.acknowledged_at is None


def test_a_bad_date_is_a_form_error(portal_a, lines_a):
    response = _ack(portal_a, [lines_a[0]], ["31/02/2026"])
    assert response.status_code == 400
    assert b"is not a date" in response.content


def test_another_suppliers_line_cannot_be_acknowledged(portal_a, lines_a, line_b):
    response = _ack(portal_a, [lines_a[0], line_b], ["2026-03-01", "2026-03-01"])
    assert response.status_code == 400
    assert b"No such order line" in response.content
    line_b.refresh_from_db()
    lines_a[0].refresh_from_db()
    assert line_b.acknowledged_at is None and lines_a[0].acknowledged_at is None
    assert portal_a.get(f"/portal/lines/{line_b.pk}/").status_code == 404
    response = portal_a.post(f"/portal/lines/{line_b.pk}/", {"lines": [line_b.pk]})
    assert response.status_code == 404
    assert b"No order lines match" in portal_a.get("/portal/lines/?purchase_order=PO-B1").content


def test_the_single_line_page_acknowledges(portal_a, lines_a):
    line = lines_a[1]
    response = portal_a.post(
        f"/portal/lines/{line.pk}/", {"lines": [line.pk], f"date_{line.pk}": "2026-03-04"}
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.promised_date == dt.date(2026, 3, 4)


def test_a_contact_cannot_confirm_a_date_in_the_past(portal_a, lines_a):
    line = lines_a[0]
    response = _ack(portal_a, [line], ["2026-02-01"])
    assert response.status_code == 400
    assert b"in the past" in response.content
    line.refresh_from_db()
    assert line.acknowledged_at is None
    assert _ack(portal_a, [line], ["2026-02-02"]).status_code == 302
