"""Demo conversations: a few threads between the demo buyer and the demo supplier contacts,
one certificate with its document, and `supplier1` as its supplier's administrator.

Built through the messaging and supplier services, like real data, the same every run.
"""

import datetime as dt

from django.core.files.base import ContentFile

from messaging.services import message_post, thread_create
from purchasing.models import PurchaseOrder
from suppliers.models import Certificate, SupplierContact
from suppliers.services import certificate_upload

CONVERSATIONS = (
    (
        "supplier1",
        "Delivery schedule for next quarter",
        [
            (
                "buyer",
                "Hello Mark, could you confirm your capacity for the next quarter? "
                "We expect volumes about 10 % above plan.",
            ),
            (
                "supplier1",
                "Hello Jonas, yes: we can add a Saturday shift from next month. "
                "I will acknowledge the open lines this week.",
            ),
            ("buyer", "Thanks, that helps. Please flag any line you cannot make in time."),
        ],
    ),
    (
        "supplier2",
        "Packaging change",
        [
            (
                "supplier2",
                "We are moving to returnable crates from the first of next month. "
                "Is your receiving dock ready for them?",
            ),
            ("buyer", "Yes, crates are fine. Please put the PO number on every label."),
        ],
    ),
)


def _pdf(title: str) -> bytes:
    """A small valid one-page PDF, so the demo certificate opens in any viewer."""
    text = f"BT /F1 18 Tf 72 720 Td ({title}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def messages_seed(*, users: dict, today: dt.date) -> None:
    """`users`: username → user for the demo buyer and the demo supplier contacts."""
    contacts = {
        c.user.username: c
        for c in SupplierContact.objects.filter(
            user__username__in=["supplier1", "supplier2"]
        ).select_related("supplier", "user")
    }
    if "supplier1" not in contacts:
        return
    SupplierContact.objects.filter(pk=contacts["supplier1"].pk).update(is_admin=True)
    everyone = {**users, **{name: c.user for name, c in contacts.items()}}
    for contact_name, subject, posts in CONVERSATIONS:
        contact = contacts.get(contact_name)
        if contact is None:
            continue
        thread = thread_create(
            supplier=contact.supplier, subject=subject, user=everyone[posts[0][0]]
        )
        for author, body in posts:
            message_post(thread=thread, author=everyone[author], body=body)
    first = contacts["supplier1"]
    order = PurchaseOrder.objects.filter(supplier=first.supplier).order_by("-order_date").first()
    if order is not None:
        thread = thread_create(
            supplier=first.supplier,
            purchase_order=order,
            subject=f"Order {order.number}: partial delivery",
            user=first.user,
        )
        message_post(
            thread=thread,
            author=first.user,
            body="We can ship 80 % on the requested date and the rest one week later. "
            "Is a partial delivery acceptable?",
        )
    number = f"QMS-{first.supplier.code}-01"
    if not Certificate.objects.filter(supplier=first.supplier, number=number).exists():
        certificate_upload(
            supplier=first.supplier,
            kind=Certificate.Kind.ISO_9001,
            number=number,
            issued_by="TÜV Rheinland",
            valid_until=today + dt.timedelta(days=45),
            document=ContentFile(
                _pdf(f"ISO 9001 certificate {first.supplier.code}"), name="iso-9001.pdf"
            ),
            user=first.user,
        )
