"""The alerts inbox (buyers: everything, filtered; a contact: its own), one alert's page,
and each person's email setting. Querysets come from `alerts.selectors` only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.roles import EDITOR_ROLES, INTERNAL_ROLES, Role, user_role
from accounts.services import user_profile_get, user_profile_update
from alerts.filters import AlertFilter
from alerts.forms import AlertBulkActionForm, NotificationSettingsForm
from alerts.models import Alert
from alerts.selectors import alerts_for_user
from alerts.services import alerts_acknowledge, alerts_resolve

PAGE_SIZE = 50


def _may(user, action: str) -> bool:
    role = user_role(user)
    if role in EDITOR_ROLES:
        return True
    return action == "acknowledge" and role == Role.SUPPLIER


@login_required
def inbox(request):
    data = request.GET.copy()
    if "state" not in data:
        data["state"] = Alert.State.OPEN  # the inbox opens on what needs attention
    visible = alerts_for_user(user=request.user)
    filterset = AlertFilter(data, queryset=visible, request=request)
    alerts = filterset.qs.order_by("-last_seen", "-id") if filterset.is_valid() else visible.none()
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    query = data.copy()
    query.pop("page", None)
    return render(
        request,
        "alerts/inbox.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "is_internal": user_role(request.user) in INTERNAL_ROLES,
            "may_acknowledge": _may(request.user, "acknowledge"),
            "may_resolve": _may(request.user, "resolve"),
        },
    )


@login_required
@require_POST
def bulk_action(request):
    """Acknowledge or resolve the selected alerts at once; back to the same filtered list."""
    ids = request.POST.getlist("ids")
    visible = alerts_for_user(user=request.user)
    visible_ids = list(
        visible.filter(pk__in=[i for i in ids if str(i).isdigit()][:1000]).values_list(
            "pk", flat=True
        )
    )
    form = AlertBulkActionForm(request.POST, visible_ids=visible_ids)
    # Back to the same filtered list: `next` is only ever used as a query string.
    back = request.POST.get("next", "")[:500]
    target = reverse("alerts:inbox") + (f"?{back}" if back else "")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(target)
    action = form.cleaned_data["action"]
    if not _may(request.user, action):
        messages.error(request, "Your role may not do that.")
        return redirect(target)
    chosen = visible.filter(pk__in=form.cleaned_data["ids"])
    if action == "acknowledge":
        count = alerts_acknowledge(alerts=chosen, user=request.user)
        messages.success(request, f"{count} alert{'s' if count != 1 else ''} acknowledged.")
    else:
        count = alerts_resolve(alerts=chosen, user=request.user)
        messages.success(request, f"{count} alert{'s' if count != 1 else ''} resolved.")
    return redirect(target)


@login_required
def detail(request, pk: int):
    alert = get_object_or_404(alerts_for_user(user=request.user), pk=pk)
    return render(
        request,
        "alerts/detail.html",
        {
            "alert": alert,
            "is_internal": user_role(request.user) in INTERNAL_ROLES,
            "may_acknowledge": _may(request.user, "acknowledge"),
            "may_resolve": _may(request.user, "resolve"),
        },
    )


@login_required
def notifications(request):
    """The email setting the List-Unsubscribe header of every alert email points to."""
    profile = user_profile_get(user=request.user)
    if request.method == "POST":
        form = NotificationSettingsForm(request.POST)
        if form.is_valid():
            user_profile_update(
                user=request.user, email_frequency=form.cleaned_data["email_frequency"]
            )
            messages.success(request, "Your email setting is saved.")
            return redirect("alerts:notifications")
    else:
        form = NotificationSettingsForm(initial={"email_frequency": profile.email_frequency})
    return render(request, "alerts/notifications.html", {"form": form})
