"""Every main page fits a 1,400 px and an 800 px window without sideways page scrolling
(wide tables scroll inside their own box), every badge is readable (WCAG AA contrast), and
dates are written in the browser's own format."""

import pytest

from contracts.models import Contract
from tests.factories import PASSWORD
from tests.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1400, 800)

BUYER_PAGES = (
    "/",
    "/suppliers/",
    "/suppliers/ACME/",
    "/parts/",
    "/parts/P-SHARED/",
    "/orders/",
    "/orders/PO-ACME-1/",
    "/contracts/",
    "/contract/",
    "/exceptions/",
    "/allocations/split/",
    "/alerts/",
    "/messages/",
    "/messages/thread/",
    "/imports/",
)
PORTAL_PAGES = (
    "/portal/",
    "/portal/lines/",
    "/portal/ship-notices/",
    "/portal/receipts/",
    "/portal/inspections/",
    "/portal/scorecard/",
    "/portal/certificates/",
    "/alerts/",
    "/messages/",
    "/messages/thread/",
)

# The WCAG relative-luminance contrast of every badge's text against its own background.
BADGE_CONTRASTS = """() => {
  const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      if (c && !c.startsWith("rgba(0, 0, 0, 0)") && c !== "transparent") return c;
    }
    return "rgb(255, 255, 255)";
  };
  return [...document.querySelectorAll(".badge")].filter((b) => b.textContent.trim()).map((b) => {
    const [a, c] = [lum(rgb(getComputedStyle(b).color)), lum(rgb(background(b)))];
    return [b.textContent.trim(), (Math.max(a, c) + 0.05) / (Math.min(a, c) + 0.05)];
  });
}"""


def _login(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _walk(page, base_url, paths):
    """(path, width, page width) of every page wider than its window, and every badge
    whose text is below WCAG AA contrast."""
    too_wide, unreadable = [], []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            response = page.goto(f"{base_url}{path}")
            assert response.status == 200, path
            scroll = page.evaluate("document.documentElement.scrollWidth")
            inner = page.evaluate("window.innerWidth")
            if scroll > inner:
                too_wide.append((path, width, scroll))
            print(path, width, page.evaluate(BADGE_CONTRASTS))
            for text, ratio in page.evaluate(BADGE_CONTRASTS):
                if ratio < 4.5:
                    unreadable.append((path, text, round(ratio, 2)))
    return too_wide, unreadable


def _unread_messages(world):
    """A message each side has not read yet, so the unread count badges show."""
    from messaging.models import Message, Thread

    thread = Thread.objects.filter(supplier=world.sides["A"].supplier).first()
    Message.objects.create(thread=thread, author=world.users["contact_a"], body="New dates?")
    Message.objects.create(thread=thread, author=world.users["buyer"], body="Confirmed.")


def _pages(world, paths):
    """The walk's paths with the world's own contract and thread put in."""
    from messaging.models import Thread

    supplier = world.sides["A"].supplier
    known = {
        "/contract/": f"/contracts/{Contract.objects.filter(supplier=supplier).first().reference}/",
        "/messages/thread/": f"/messages/{Thread.objects.filter(supplier=supplier).first().pk}/",
    }
    return [known.get(path, path) for path in paths]


def test_buyer_pages_fit_both_windows_and_badges_are_readable(page, live_server):
    world = build_world()
    _unread_messages(world)
    _login(page, live_server.url, "buyer")
    too_wide, unreadable = _walk(page, live_server.url, _pages(world, BUYER_PAGES))
    assert (too_wide, unreadable) == ([], [])


def test_portal_pages_fit_both_windows_and_badges_are_readable(page, live_server):
    world = build_world()
    _unread_messages(world)
    _login(page, live_server.url, "contact_a")
    too_wide, unreadable = _walk(page, live_server.url, _pages(world, PORTAL_PAGES))
    assert (too_wide, unreadable) == ([], [])


def test_side_by_side_sections_stack_in_a_narrow_window(page, live_server):
    build_world()
    _login(page, live_server.url, "contact_a")
    lefts = "[...document.querySelectorAll('.side-by-side > section')].map((s) => s.offsetLeft)"
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/portal/")
    assert len(set(page.evaluate(lefts))) == 2  # side by side on a wide screen
    page.set_viewport_size({"width": 800, "height": 900})
    page.goto(f"{live_server.url}/portal/")
    assert len(set(page.evaluate(lefts))) == 1  # one under the other


def test_dates_are_written_in_the_browsers_own_format(browser, live_server):
    build_world()
    formats = {}
    for locale in ("en-US", "de-DE"):
        context = browser.new_context(locale=locale)
        page = context.new_page()
        _login(page, live_server.url, "buyer")
        page.goto(f"{live_server.url}/orders/PO-ACME-1/")
        stamp = page.locator("time[datetime]").first
        formats[locale] = (stamp.get_attribute("datetime"), stamp.inner_text())
        context.close()
    iso, us_text = formats["en-US"]
    _, german_text = formats["de-DE"]
    year, month, day = iso[:10].split("-")
    assert str(int(year)) in us_text and str(int(year)) in german_text
    assert us_text != german_text  # the same date, each in its reader's format
    assert german_text.startswith(f"{int(day)}.") or german_text.startswith(f"{day}.")
