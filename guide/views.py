from django.http import Http404
from django.shortcuts import render

from accounts.access import signed_in
from guide.selectors import guide_page, guide_slugs


@signed_in
def guide_index(request):
    pages = [guide_page(user=request.user, slug=slug) for slug in guide_slugs(user=request.user)]
    return render(request, "guide/index.html", {"pages": pages})


@signed_in
def guide_detail(request, slug: str):
    page = guide_page(user=request.user, slug=slug)
    if page is None:
        raise Http404
    return render(request, "guide/page.html", {"page": page})
