from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from suppliers.selectors import visible_suppliers


@login_required
def home(request):
    suppliers = (
        visible_suppliers(request.user).annotate(part_count=Count("sources")).order_by("code")[:100]
    )
    return render(request, "suppliers/home.html", {"suppliers": suppliers})
