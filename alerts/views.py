"""The alerts inbox (buyers: everything, filtered; a contact: its own), one alert's page,
and each person's email setting. Querysets come from `alerts.selectors` only."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts.access import roles_only, signed_in
from accounts.roles import EDITOR_ROLES, Role, user_is_internal, user_role
from accounts.services import user_profile_get, user_profile_update
from alerts.filters import AlertFilter
from alerts.forms import (
    AlertBulkActionForm,
    AlertNoteForm,
    AlertOwnerForm,
    NotificationSettingsForm,
)
from alerts.models import Alert
from alerts.selectors import alerts_for_user
from alerts.services import (
    alert_note_add,
    alert_owner,
    alert_owner_set,
    alerts_acknowledge,
    alerts_resolve,
)
from core.pagination import page_context


def _may(user, action: str) -> bool:
    role = user_role(user)
    if role in EDITOR_ROLES:
        return True
    return action == "acknowledge" and role == Role.SUPPLIER


def _grouped(alerts):
    """One row per supplier and kind (its latest alert, with the group's count): one event
    that raised many alerts of one kind for one supplier reads as one line to drill into."""
    plain = alerts.order_by()
    latest = (
        plain.filter(supplier__isnull=False)
        .values("supplier_id", "kind")
        .annotate(last=Max("id"))
        .values("last")
    )
    count = (
        plain.filter(supplier_id=OuterRef("supplier_id"), kind=OuterRef("kind"))
        .values("supplier_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return alerts.filter(Q(supplier__isnull=True) | Q(pk__in=latest)).annotate(
        group_count=Subquery(count)
    )


@signed_in
def inbox(request):
    data = request.GET.copy()
    if "state" not in data:
        data["state"] = Alert.State.OPEN  # the inbox opens on what needs attention
    visible = alerts_for_user(user=request.user)
    filterset = AlertFilter(data, queryset=visible, request=request)
    alerts = filterset.qs.order_by("-last_seen", "-id") if filterset.is_valid() else visible.none()
    if data.get("grouped") != "0" and not (data.get("supplier") and data.get("kind")):
        alerts = _grouped(alerts)
    return render(
        request,
        "alerts/inbox.html",
        {
            "filter": filterset,
            **page_context(request, alerts, query=data),
            "is_internal": user_is_internal(request.user),
            "may_acknowledge": _may(request.user, "acknowledge"),
            "may_resolve": _may(request.user, "resolve"),
        },
    )


@signed_in(methods=["POST"])
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


def _buyers():
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name=Role.BUYER.value) | Q(is_superuser=True))
        .distinct()
        .order_by("username")
    )


@signed_in
def detail(request, pk: int):
    alert = get_object_or_404(alerts_for_user(user=request.user), pk=pk)
    is_internal = user_is_internal(request.user)
    owner = alert_owner(alert) if is_internal else None
    return render(
        request,
        "alerts/detail.html",
        {
            "alert": alert,
            "is_internal": is_internal,
            "may_acknowledge": _may(request.user, "acknowledge"),
            "may_resolve": _may(request.user, "resolve"),
            "owner": owner,
            "notes": alert.notes.select_related("author") if is_internal else [],
            "note_form": AlertNoteForm(),
            "owner_form": AlertOwnerForm(
                initial={"owner": alert.owner.username if alert.owner_id else ""},
                buyers=_buyers(),
            ),
        },
    )


@roles_only(EDITOR_ROLES, message="Only buyers and admins write notes on alerts.", methods=["POST"])
def note_add(request, pk: int):
    """A buyer adds a note to the alert, or reassigns it (then the note says so)."""
    alert = get_object_or_404(alerts_for_user(user=request.user), pk=pk)
    if "owner" in request.POST:
        form = AlertOwnerForm(request.POST, buyers=_buyers())
        if form.is_valid():
            alert_owner_set(alert=alert, owner=form.cleaned_data["owner"], actor=request.user)
            messages.success(request, "Owner changed.")
        else:
            messages.error(request, "Choose a buyer.")
        return redirect("alerts:detail", pk=alert.pk)
    form = AlertNoteForm(request.POST)
    if form.is_valid():
        alert_note_add(alert=alert, author=request.user, body=form.cleaned_data["body"])
        messages.success(request, "Note added.")
    else:
        messages.error(request, "Write a note of at most 2,000 characters.")
    return redirect("alerts:detail", pk=alert.pk)


@signed_in
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
