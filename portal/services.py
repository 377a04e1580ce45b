"""Writes a supplier contact makes in the portal. Each calls the owning app's service."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from core.emails import make_message
from portal.models import ContactInvitation
from purchasing.models import PurchaseOrderLine, ShipNotice, ShipNoticeLine
from purchasing.services import purchase_order_line_acknowledge, ship_notice_create
from suppliers.models import SupplierContact
from suppliers.services import supplier_contact_user_create

INVITATION_SALT = "portal.invitation"


@transaction.atomic
def order_lines_acknowledge(
    *,
    user,
    entries: list[tuple[PurchaseOrderLine, dt.date]],
    reason: str = "",
    comment: str = "",
) -> dict[str, int]:
    """Acknowledge many lines at once, all or nothing: a first confirmation fixes the
    promised date; a changed date on a confirmed line is a revision and needs a reason.
    A confirmed line sent again with its current date is left as it is."""
    if not entries:
        raise ValidationError({"lines": "Select at least one line."})
    errors: list[str] = []
    counts = {"confirmed": 0, "revised": 0, "unchanged": 0}
    for line, promised_date in entries:
        label = f"{line.purchase_order.number}/{line.line_number}"
        if promised_date is None:
            errors.append(f"{label}: give a date.")
            continue
        if line.acknowledged_at is not None and promised_date == line.expected_date:
            counts["unchanged"] += 1
            continue
        if promised_date < timezone.localdate():
            errors.append(f"{label}: {promised_date} is in the past; confirm today or later.")
            continue
        if line.acknowledged_at is not None and not reason:
            errors.append(
                f"{label} was confirmed for {line.expected_date}; a new date needs a reason."
            )
            continue
        try:
            with transaction.atomic():
                purchase_order_line_acknowledge(
                    line=line,
                    promised_date=promised_date,
                    reason=reason,
                    comment=comment,
                    user=user,
                )
        except ValidationError as exc:
            errors.extend(f"{label}: {m}" for m in exc.messages)
            continue
        counts["revised" if line.acknowledged_at else "confirmed"] += 1
    if errors:
        raise ValidationError({"lines": errors})
    return counts


@transaction.atomic
def ship_notice_post(
    *,
    supplier,
    number: str,
    ship_date: dt.date,
    eta: dt.date,
    lines: list[tuple[PurchaseOrderLine, Decimal]],
    carrier: str = "",
    tracking_number: str = "",
) -> ShipNotice:
    """An ASN from the portal: only the supplier's open lines, never more than is left."""
    if not lines:
        raise ValidationError({"lines": "Enter a quantity for at least one line."})
    if eta < ship_date:
        raise ValidationError({"eta": "The ETA cannot be before the ship date."})
    number = (number or "").strip()
    if ShipNotice.objects.filter(supplier=supplier, number=number).exists():
        raise ValidationError({"number": f"You already sent a ship notice {number}."})
    line_ids = [line.pk for line, _ in lines]
    locked = {
        line.pk: line
        for line in PurchaseOrderLine.objects.select_for_update()
        .filter(pk__in=line_ids)
        .select_related("purchase_order")
    }
    shipped = dict(
        ShipNoticeLine.objects.filter(line_id__in=line_ids)
        .values("line_id")
        .annotate(total=Sum("quantity"))
        .values_list("line_id", "total")
    )
    errors = []
    for line, quantity in lines:
        line = locked[line.pk]
        label = f"{line.purchase_order.number}/{line.line_number}"
        if line.purchase_order.supplier_id != supplier.pk:
            errors.append(f"{label}: not your order line.")
        elif line.status != PurchaseOrderLine.Status.OPEN:
            errors.append(f"{label} is {line.get_status_display().lower()}.")
        elif quantity <= 0:
            errors.append(f"{label}: the quantity must be above zero.")
        else:
            left = line.quantity - (shipped.get(line.pk) or Decimal("0"))
            if quantity > left:
                errors.append(f"{label}: only {left.normalize():f} left to ship.")
    if errors:
        raise ValidationError({"lines": errors})
    return ship_notice_create(
        supplier=supplier,
        number=number,
        ship_date=ship_date,
        eta=eta,
        lines=[(locked[line.pk], quantity) for line, quantity in lines],
        carrier=carrier,
        tracking_number=tracking_number,
    )


def _admin_contact(user) -> SupplierContact:
    contact = SupplierContact.objects.filter(user=user, user__is_active=True).first()
    if contact is None or not contact.is_admin:
        raise ValidationError({"email": "Only your supplier's administrator may invite."})
    return contact


def invitation_token(invitation: ContactInvitation) -> str:
    return signing.dumps(invitation.pk, salt=INVITATION_SALT)


@transaction.atomic
def invitation_create(
    *, by, email: str, first_name: str = "", last_name: str = ""
) -> ContactInvitation:
    """Invite a colleague to the inviter's own supplier; the link goes out by email."""
    admin = _admin_contact(by)
    email = (email or "").strip().lower()
    invitation = ContactInvitation(
        supplier=admin.supplier,
        email=email,
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
        invited_by=by,
    )
    invitation.full_clean(exclude=["invited_by", "accepted_user"])
    if get_user_model().objects.filter(email__iexact=email, is_active=True).exists():
        raise ValidationError({"email": "Someone with this email address has a login already."})
    invitation.save()
    link = settings.SITE_URL + reverse(
        "portal:invitation_accept", args=[invitation_token(invitation)]
    )
    message = make_message(
        "contact-invitation",
        email,
        {
            "invitation": invitation,
            "supplier": admin.supplier,
            "inviter": by.get_full_name() or by.get_username(),
            "link": link,
            "valid_days": max(1, settings.INVITATION_MAX_AGE_SECONDS // 86400),
        },
    )
    # A mail server failure is logged, never a 500: the admin can withdraw and resend.
    transaction.on_commit(message.send, robust=True)
    return invitation


def invitation_from_token(token: str) -> ContactInvitation:
    """The open invitation a link names; expired, used, revoked or forged links refused."""
    try:
        pk = signing.loads(token, salt=INVITATION_SALT, max_age=settings.INVITATION_MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        raise ValidationError(
            {"token": "This invitation has expired; ask for a new one."}
        ) from None
    except signing.BadSignature:
        raise ValidationError({"token": "This invitation link is not valid."}) from None
    invitation = ContactInvitation.objects.select_related("supplier").filter(pk=pk).first()
    if invitation is None or invitation.revoked_at is not None:
        raise ValidationError({"token": "This invitation was withdrawn."})
    if invitation.accepted_at is not None:
        raise ValidationError({"token": "This invitation has been used already."})
    return invitation


@transaction.atomic
def invitation_accept(
    *, token: str, username: str, password: str, first_name: str = "", last_name: str = ""
):
    """Create the colleague's login at the inviting supplier; the link works once."""
    invitation = invitation_from_token(token)
    user_model = get_user_model()
    username = (username or "").strip()
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "This username is taken."})
    candidate = user_model(
        username=username,
        email=invitation.email,
        first_name=first_name or invitation.first_name,
        last_name=last_name or invitation.last_name,
    )
    validate_password(password, user=candidate)
    claimed = ContactInvitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(accepted_at=timezone.now())
    if claimed != 1:
        raise ValidationError({"token": "This invitation has been used already."})
    user = supplier_contact_user_create(
        supplier=invitation.supplier,
        username=username,
        password=password,
        email=invitation.email,
        first_name=candidate.first_name,
        last_name=candidate.last_name,
    )
    ContactInvitation.objects.filter(pk=invitation.pk).update(accepted_user=user)
    return user


def invitation_revoke(*, invitation: ContactInvitation, by) -> None:
    admin = _admin_contact(by)
    if invitation.supplier_id != admin.supplier_id:
        raise ValidationError({"invitation": "Not your supplier's invitation."})
    ContactInvitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        revoked_at=timezone.now()
    )
