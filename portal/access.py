"""Who may open the supplier portal's pages, and how its lists are paged."""

import functools

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404

from accounts.roles import Role, user_role

PAGE_SIZE = 50


def contact_required(view):
    """Only an active supplier contact; anyone else finds nothing here (404)."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        contact = getattr(request.user, "supplier_contact", None)
        if user_role(request.user) != Role.SUPPLIER or contact is None:
            raise Http404
        request.contact = contact
        return view(request, *args, **kwargs)

    return wrapper


def paginate(request, queryset):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()
