"""Part pages: the part's sources side by side. Querysets come from scoped selectors."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from parts.models import Part
from scorecards import kpis
from scorecards.selectors import part_sources_compared
from suppliers.selectors import scope_for_user


@login_required
def part_detail(request, number: str):
    part = get_object_or_404(scope_for_user(Part.objects.all(), request.user), number=number)
    sources = part_sources_compared(user=request.user, part_id=part.pk)
    return render(
        request,
        "parts/part_detail.html",
        {
            "part": part,
            "sources": sources,
            "single_sourced": len(sources) < 2,
            "checklist": part.checklist.all(),
            "rolling_days": kpis.ROLLING_WINDOW_DAYS,
        },
    )
