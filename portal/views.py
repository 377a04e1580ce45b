"""The supplier contact's pages (the supplier portal, docs/roles.md). Every queryset is scoped."""

import datetime as dt
import functools
import json

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.roles import Role, user_role
from accounts.services import user_profile_get, user_profile_update
from core.forms import form_add_service_errors
from messaging.selectors import threads_for_user, unread_message_count
from portal import slots
from portal.filters import OrderLineFilter
from portal.forms import (
    AcknowledgeForm,
    CertificateForm,
    InvitationAcceptForm,
    InviteForm,
    ProfileForm,
    ShipNoticeForm,
    TransitEventForm,
)
from portal.selectors import (
    inspections_visible,
    invitations_open,
    line_revisions,
    order_lines_past_due,
    order_lines_shippable,
    order_lines_visible,
    order_lines_waiting,
    receipts_visible,
    ship_notices_in_transit,
    ship_notices_visible,
)
from portal.services import (
    invitation_accept,
    invitation_create,
    invitation_from_token,
    invitation_revoke,
    order_lines_acknowledge,
    ship_notice_post,
)
from purchasing.filters import InspectionFilter, ReceiptFilter
from purchasing.services import transit_event_record
from scorecards import kpis
from scorecards.selectors import supplier_scorecard_current, supplier_scorecard_trend
from suppliers.selectors import (
    certificates_visible,
    esg_scores,
    supplier_contacts_visible,
)
from suppliers.services import (
    certificate_upload,
    supplier_contact_deactivate,
    supplier_contact_profile_update,
)

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


def _page(request, queryset):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()


@contact_required
def home(request):
    user, today = request.user, timezone.localdate()
    waiting = order_lines_waiting(user=user)
    past_due = order_lines_past_due(user=user, today=today)
    in_transit = ship_notices_in_transit(user=user)
    warning_days = settings.CERTIFICATE_EXPIRY_WARNING_DAYS
    return render(
        request,
        "portal/home.html",
        {
            "supplier": request.contact.supplier,
            "waiting": waiting[:10],
            "waiting_count": waiting.count(),
            "past_due": past_due[:10],
            "past_due_count": past_due.count(),
            "in_transit": in_transit[:10],
            "in_transit_count": in_transit.count(),
            "current": supplier_scorecard_current(
                user=user, supplier_id=request.contact.supplier_id
            ),
            "alerts": slots.alerts_for_contact(user=user),
            "alerts_template": slots.ALERTS_TEMPLATE,
            "unread_count": unread_message_count(user=user),
            "threads": threads_for_user(user=user).filter(unread_count__gt=0)[:5],
            "expiring": certificates_visible(user=user).filter(
                valid_until__lte=today + dt.timedelta(days=warning_days)
            ),
            "today": today,
            "rolling_days": kpis.ROLLING_WINDOW_DAYS,
        },
    )


@contact_required
def line_list(request):
    lines = order_lines_visible(user=request.user)
    filterset = OrderLineFilter(request.GET, queryset=lines, request=request)
    page, query = _page(request, filterset.qs)
    return render(
        request,
        "portal/line_list.html",
        {"filter": filterset, "page": page, "query": query, "today": timezone.localdate()},
    )


@contact_required
def acknowledge(request):
    """Confirm or change the dates of many lines at once (acknowledging lines, docs/orders.md)."""
    open_lines = order_lines_visible(user=request.user).filter(status="open")
    form = AcknowledgeForm(request.POST or None, lines=open_lines)
    if request.method == "POST" and form.is_valid():
        try:
            counts = order_lines_acknowledge(
                user=request.user,
                entries=form.cleaned_data["entries"],
                reason=form.cleaned_data["reason"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            flash.success(
                request,
                f"{counts['confirmed']} line(s) confirmed, {counts['revised']} revised"
                + (f", {counts['unchanged']} unchanged." if counts["unchanged"] else "."),
            )
            return redirect("portal:acknowledge")
    show = request.GET.get("show", "waiting")
    rows = open_lines if show == "all" else open_lines.filter(acknowledged_at__isnull=True)
    page, query = _page(request, rows)
    selected = {str(v) for v in form["lines"].value() or []} if form.is_bound else set()
    return render(
        request,
        "portal/acknowledge.html",
        {"form": form, "page": page, "query": query, "show": show, "selected": selected},
        status=400 if form.is_bound and form.errors else 200,
    )


@contact_required
def line_detail(request, pk: int):
    line = get_object_or_404(order_lines_visible(user=request.user), pk=pk)
    form = AcknowledgeForm(
        request.POST or None,
        lines=order_lines_visible(user=request.user).filter(pk=line.pk, status="open"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            order_lines_acknowledge(
                user=request.user,
                entries=form.cleaned_data["entries"],
                reason=form.cleaned_data["reason"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            flash.success(request, f"Line {line} saved.")
            return redirect("portal:line_detail", pk=line.pk)
    return render(
        request,
        "portal/line_detail.html",
        {
            "line": line,
            "form": form,
            "revisions": line_revisions(user=request.user, line=line),
            "shipments": line.shipments.select_related("ship_notice"),
            "receipts": receipts_visible(user=request.user).filter(line=line),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@contact_required
def ship_notice_list(request):
    notices = ship_notices_visible(user=request.user)
    state = request.GET.get("state", "")
    if state == "transit":
        notices = ship_notices_in_transit(user=request.user)
    elif state == "delivered":
        notices = notices.filter(is_delivered=True)
    page, query = _page(request, notices)
    return render(
        request, "portal/ship_notice_list.html", {"page": page, "query": query, "state": state}
    )


@contact_required
def ship_notice_new(request):
    shippable = order_lines_shippable(user=request.user)
    form = ShipNoticeForm(request.POST or None, lines=shippable)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = ship_notice_post(
                supplier=request.contact.supplier,
                number=data["number"],
                ship_date=data["ship_date"],
                eta=data["eta"],
                carrier=data["carrier"],
                tracking_number=data["tracking_number"],
                lines=data["lines"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            flash.success(request, f"Ship notice {notice.number} sent.")
            return redirect("portal:ship_notice_detail", pk=notice.pk)
    preselected = {str(v) for v in request.GET.getlist("line")}
    entered = {k.removeprefix("qty_"): v for k, v in request.POST.items() if k.startswith("qty_")}
    rows = []
    for line in shippable:
        left = line.quantity - line.shipped_quantity
        value = entered.get(str(line.pk), "")
        if not form.is_bound and str(line.pk) in preselected:
            value = f"{left.normalize():f}"
        rows.append({"line": line, "left": left, "value": value})
    return render(
        request,
        "portal/ship_notice_new.html",
        {"form": form, "rows": rows},
        status=400 if form.is_bound and form.errors else 200,
    )


@contact_required
def ship_notice_detail(request, pk: int):
    notice = get_object_or_404(ship_notices_visible(user=request.user), pk=pk)
    form = TransitEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transit_event_record(ship_notice=notice, actor=request.user, **data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            flash.success(request, "Transit update saved.")
            return redirect("portal:ship_notice_detail", pk=notice.pk)
    return render(
        request,
        "portal/ship_notice_detail.html",
        {
            "notice": notice,
            "lines": notice.lines.select_related("line__purchase_order", "line__part"),
            "events": notice.events.order_by("-occurred_at"),
            "receipts": receipts_visible(user=request.user).filter(
                line__in=notice.lines.values("line")
            ),
            "form": form,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@contact_required
def receipt_list(request):
    filterset = ReceiptFilter(
        request.GET, queryset=receipts_visible(user=request.user), request=request
    )
    page, query = _page(request, filterset.qs)
    return render(
        request, "portal/receipt_list.html", {"filter": filterset, "page": page, "query": query}
    )


@contact_required
def inspection_list(request):
    filterset = InspectionFilter(
        request.GET, queryset=inspections_visible(user=request.user), request=request
    )
    page, query = _page(request, filterset.qs)
    return render(
        request, "portal/inspection_list.html", {"filter": filterset, "page": page, "query": query}
    )


@contact_required
def scorecard(request):
    """Its own figures and trend; never another source's figures, shares, prices or
    weights. The landed cost index compares with the other sources' prices, so it stays
    on the buyer's side."""
    supplier_id = request.contact.supplier_id
    current = supplier_scorecard_current(user=request.user, supplier_id=supplier_id)
    trend = supplier_scorecard_trend(user=request.user, supplier_id=supplier_id)
    series = {
        "periods": [row.period for row in trend],
        **{
            name: [None if getattr(r, name) is None else float(getattr(r, name)) for r in trend]
            for name in ("otd_pct", "otif_pct", "defect_ppm", "composite_score")
        },
    }
    return render(
        request,
        "portal/scorecard.html",
        {
            "current": current,
            "trend": trend,
            "trend_json": json.dumps(series),
            "rolling_days": kpis.ROLLING_WINDOW_DAYS,
            "esg": esg_scores(supplier_ids=[supplier_id]).get(supplier_id),
        },
    )


@contact_required
def certificate_list(request):
    today = timezone.localdate()
    form = CertificateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate_upload(
                supplier=request.contact.supplier,
                user=request.user,
                document=form.cleaned_data["document"],
                **{k: form.cleaned_data[k] for k in ("kind", "number", "issued_by", "valid_until")},
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            flash.success(request, "Certificate uploaded.")
            return redirect("portal:certificates")
    warning_days = settings.CERTIFICATE_EXPIRY_WARNING_DAYS
    rows = []
    certificates = list(certificates_visible(user=request.user))
    newest = {}  # a newer certificate of the same kind renews the older one
    for certificate in certificates:
        key = (certificate.supplier_id, certificate.kind)
        if key not in newest or certificate.valid_until >= newest[key].valid_until:
            newest[key] = certificate
    for certificate in certificates:
        days = certificate.days_to_expiry(today)
        state = "expired" if days < 0 else "expiring" if days <= warning_days else "valid"
        if newest[(certificate.supplier_id, certificate.kind)] is not certificate:
            state = "renewed"
        rows.append({"certificate": certificate, "days": days, "state": state})
    return render(
        request,
        "portal/certificate_list.html",
        {
            "rows": rows,
            "form": form,
            "warning_days": warning_days,
            "max_mb": settings.CERTIFICATE_MAX_BYTES / (1024 * 1024),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@contact_required
def account(request):
    contact = request.contact
    user = request.user
    profile = user_profile_get(user=user)
    form = ProfileForm(
        request.POST or None,
        initial={
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "job_title": contact.job_title,
            "phone": contact.phone,
            "email_frequency": profile.email_frequency,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            frequency = data.pop("email_frequency")
            supplier_contact_profile_update(contact=contact, **data)
            user_profile_update(user=user, email_frequency=frequency)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            flash.success(request, "Your details are saved.")
            return redirect("portal:account")
    return render(
        request,
        "portal/account.html",
        {"form": form, "contact": contact},
        status=400 if form.is_bound and form.errors else 200,
    )


@contact_required
def colleagues(request):
    contact = request.contact
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        if not contact.is_admin:
            raise Http404
        if form.is_valid():
            try:
                invitation = invitation_create(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                flash.success(request, f"Invitation sent to {invitation.email}.")
                return redirect("portal:colleagues")
    return render(
        request,
        "portal/colleagues.html",
        {
            "contact": contact,
            "colleagues": supplier_contacts_visible(
                user=request.user, supplier_id=contact.supplier_id
            ),
            "invitations": invitations_open(user=request.user, supplier_id=contact.supplier_id)
            if contact.is_admin
            else [],
            "form": form,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@contact_required
@require_POST
def colleague_deactivate(request, pk: int):
    if not request.contact.is_admin:
        raise Http404
    colleague = get_object_or_404(
        supplier_contacts_visible(user=request.user, supplier_id=request.contact.supplier_id),
        pk=pk,
    )
    try:
        supplier_contact_deactivate(contact=colleague, by=request.user)
    except ValidationError as exc:
        flash.error(request, " ".join(exc.messages))
    else:
        flash.success(request, f"{colleague.user.get_username()} can no longer log in.")
    return redirect("portal:colleagues")


@contact_required
@require_POST
def invitation_withdraw(request, pk: int):
    if not request.contact.is_admin:
        raise Http404
    invitation = get_object_or_404(
        invitations_open(user=request.user, supplier_id=request.contact.supplier_id), pk=pk
    )
    invitation_revoke(invitation=invitation, by=request.user)
    flash.success(request, f"Invitation to {invitation.email} withdrawn.")
    return redirect("portal:colleagues")


def invitation_accept_view(request, token: str):
    """Anyone holding a valid link chooses a username and password (no login needed)."""
    try:
        invitation = invitation_from_token(token)
    except ValidationError as exc:
        return render(
            request,
            "portal/invitation_invalid.html",
            {"reason": " ".join(exc.messages)},
            status=404,
        )
    form = InvitationAcceptForm(
        request.POST or None,
        initial={"first_name": invitation.first_name, "last_name": invitation.last_name},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation_accept(
                token=token,
                username=data["username"],
                password=data["password1"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except ValidationError as exc:
            _password_errors_to(form, exc)
        else:
            flash.success(request, "Your login is ready: log in with it now.")
            return redirect("login")
    return render(
        request,
        "portal/invitation_accept.html",
        {"form": form, "invitation": invitation},
        status=400 if form.is_bound and form.errors else 200,
    )


def _password_errors_to(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        form_add_service_errors(form, exc)
    else:  # validate_password raises a plain list
        form.add_error("password1", exc.messages)
