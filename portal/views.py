"""The supplier contact's pages (the supplier portal, docs/roles.md). Every queryset is scoped."""

import json

from django.conf import settings
from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import contact_required
from accounts.services import user_profile_get, user_profile_update
from core.forms import form_add_service_errors, form_status
from core.pagination import filtered_list_page
from messaging.selectors import threads_for_user, unread_message_count
from portal import slots
from portal.forms import (
    CertificateForm,
    InvitationAcceptForm,
    InviteForm,
    ProfileForm,
)

# The order pages live in `portal.order_views`; their names stay importable from here.
from portal.order_views import (  # noqa: F401
    acknowledge,
    line_detail,
    line_list,
    ship_notice_detail,
    ship_notice_list,
    ship_notice_new,
)
from portal.selectors import (
    inspections_visible,
    invitations_open,
    order_lines_past_due,
    order_lines_waiting,
    receipts_visible,
    ship_notices_in_transit,
)
from portal.services import (
    invitation_accept,
    invitation_create,
    invitation_from_token,
    invitation_revoke,
)
from purchasing.filters import InspectionFilter, ReceiptFilter
from scorecards import kpis
from scorecards.selectors import supplier_scorecard_current, supplier_scorecard_trend
from suppliers.selectors import (
    certificates_expiring,
    certificates_visible,
    esg_scores,
    supplier_contacts_visible,
)
from suppliers.services import (
    certificate_upload,
    supplier_contact_deactivate,
    supplier_contact_profile_update,
)


@contact_required
def home(request):
    user, today = request.user, timezone.localdate()
    waiting = order_lines_waiting(user=user)
    past_due = order_lines_past_due(user=user, today=today)
    in_transit = ship_notices_in_transit(user=user)
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
            "expiring": certificates_expiring(user=user, today=today),
            "today": today,
            "rolling_days": kpis.ROLLING_WINDOW_DAYS,
        },
    )


@contact_required
def receipt_list(request):
    rows = receipts_visible(user=request.user)
    return filtered_list_page(
        request, "portal/receipt_list.html", filter_class=ReceiptFilter, rows=rows
    )


@contact_required
def inspection_list(request):
    rows = inspections_visible(user=request.user)
    return filtered_list_page(
        request, "portal/inspection_list.html", filter_class=InspectionFilter, rows=rows
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
    rows = []
    certificates = list(certificates_visible(user=request.user))
    newest = {}  # a newer certificate of the same kind renews the older one
    for certificate in certificates:
        key = (certificate.supplier_id, certificate.kind)
        if key not in newest or certificate.valid_until >= newest[key].valid_until:
            newest[key] = certificate
    for certificate in certificates:
        state = certificate.expiry_state(today)
        if newest[(certificate.supplier_id, certificate.kind)] is not certificate:
            state = "renewed"
        days = certificate.days_to_expiry(today)
        rows.append({"certificate": certificate, "days": days, "state": state})
    return render(
        request,
        "portal/certificate_list.html",
        {
            "rows": rows,
            "form": form,
            "warning_days": settings.CERTIFICATE_EXPIRY_WARNING_DAYS,
            "max_mb": settings.CERTIFICATE_MAX_BYTES / (1024 * 1024),
        },
        status=form_status(form),
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
        status=form_status(form),
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
        status=form_status(form),
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
        status=form_status(form),
    )


def _password_errors_to(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        form_add_service_errors(form, exc)
    else:  # validate_password raises a plain list
        form.add_error("password1", exc.messages)
