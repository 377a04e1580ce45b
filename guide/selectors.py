"""The pages of `docs/` a user may read in the product ("How is this computed?").

The documentation lives in the repository, written for the people who use the product;
these pages render the same text. Supplier contacts read the pages about their own
figures; the rest (how the engine decides about shares, operations) is for internal roles.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from markdown_it import MarkdownIt

from accounts.roles import Role, user_role

DOCS = Path(settings.BASE_DIR) / "docs"
# The pages a supplier contact may read: how its own scorecard is made.
CONTACT_PAGES = frozenset({"kpis"})
_LINK = re.compile(r'href="([a-z0-9_-]+)\.md(#[^"]*)?"')


@dataclass(frozen=True)
class GuidePage:
    slug: str
    title: str
    html: str


def guide_slugs(*, user) -> list[str]:
    slugs = sorted(p.stem for p in DOCS.glob("*.md"))
    if user_role(user) == Role.SUPPLIER:
        return [s for s in slugs if s in CONTACT_PAGES]
    return slugs if user_role(user) is not None else []


def guide_page(*, user, slug: str) -> GuidePage | None:
    """The page, or None when it does not exist or is not for this user."""
    if slug not in guide_slugs(user=user):
        return None
    return _render(slug, (DOCS / f"{slug}.md").stat().st_mtime)


@lru_cache(maxsize=64)
def _render(slug: str, _mtime: float) -> GuidePage:
    text = (DOCS / f"{slug}.md").read_text(encoding="utf-8")
    title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), slug)
    html = MarkdownIt("commonmark").enable("table").render(text)
    # Links between pages of docs/ become links between pages of the guide.
    html = _LINK.sub(lambda m: f'href="../{m.group(1)}/{m.group(2) or ""}"', html)
    return GuidePage(slug=slug, title=title, html=html)
