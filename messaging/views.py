"""Message pages, one set for both sides: buyers see every thread, a contact only its own."""

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render

from accounts.access import any_role, require_role
from accounts.roles import EDITOR_ROLES, Role, user_is_internal, user_role
from accounts.selectors import scope_for_user
from core.forms import form_add_service_errors
from core.pagination import page_context
from messaging.forms import MessageForm, ThreadForm
from messaging.selectors import thread_messages, threads_for_user
from messaging.services import message_post, thread_create, thread_existing, thread_mark_read
from purchasing.models import PurchaseOrder

# Viewers read every thread but post nothing: say so (403) rather than hide the page.
WRITER_ROLES = EDITOR_ROLES | {Role.SUPPLIER}
READ_ONLY_MESSAGE = "Viewers read only: ask a buyer or an admin to post messages."


def _may_write(user) -> bool:
    return user_role(user) in WRITER_ROLES


@any_role
def thread_list(request):
    threads = threads_for_user(user=request.user)
    query = (request.GET.get("q") or "").strip()[:100]
    if query:
        threads = threads.filter(
            Q(subject__icontains=query) | Q(purchase_order__number__icontains=query)
        )
    supplier = (request.GET.get("supplier") or "").strip()[:32]
    if supplier:
        threads = threads.filter(supplier__code=supplier)
    if request.GET.get("unread"):
        threads = threads.filter(unread_count__gt=0)
    return render(
        request,
        "messaging/thread_list.html",
        {
            **page_context(request, threads),
            "q": query,
            "supplier": supplier,
            "unread": bool(request.GET.get("unread")),
            "may_write": _may_write(request.user),
            "show_supplier": user_is_internal(request.user),
        },
    )


@any_role
def thread_detail(request, pk: int):
    thread = get_object_or_404(threads_for_user(user=request.user), pk=pk)
    form = MessageForm(request.POST or None)
    if request.method == "POST":
        require_role(request, WRITER_ROLES, READ_ONLY_MESSAGE)
        if form.is_valid():
            try:
                message_post(thread=thread, author=request.user, body=form.cleaned_data["body"])
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                flash.success(request, "Message sent.")
                return redirect("messaging:thread_detail", pk=thread.pk)
    posts = list(thread_messages(user=request.user, thread=thread))
    thread_mark_read(thread=thread, user=request.user, message_id=posts[-1].pk if posts else 0)
    return render(
        request,
        "messaging/thread_detail.html",
        {
            "thread": thread,
            "posts": posts,
            "form": form,
            "may_write": _may_write(request.user),
            "last_read": thread.last_read,
            "show_supplier": user_is_internal(request.user),
        },
    )


@any_role
def thread_new(request):
    require_role(request, WRITER_ROLES, READ_ONLY_MESSAGE)
    initial = {}
    number = (request.GET.get("purchase_order") or "").strip()[:40]
    if number:
        order = get_object_or_404(
            scope_for_user(PurchaseOrder.objects.all(), request.user), number=number
        )
        initial = {"purchase_order": order.number, "subject": f"Order {order.number}"}
        if (existing := thread_existing(supplier=order.supplier, purchase_order=order)) is not None:
            return redirect("messaging:thread_detail", pk=existing.pk)
    supplier_code = (request.GET.get("supplier") or "").strip()[:32]
    if supplier_code:
        initial["supplier"] = supplier_code
    form = ThreadForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        existing = thread_existing(
            supplier=data["supplier"],
            subject=data["subject"],
            purchase_order=data.get("purchase_order"),
        )
        try:
            if existing is not None:
                # Same subject (or the order's one thread): the message joins the open thread,
                # keeping its own subject when it differs.
                body = data["body"]
                if data["subject"].strip().lower() != existing.subject.lower():
                    body = f"{data['subject'].strip()}\n\n{body}"
                message_post(thread=existing, author=request.user, body=body)
                flash.info(request, "This conversation was open already; your message is in it.")
                return redirect("messaging:thread_detail", pk=existing.pk)
            thread = thread_create(
                supplier=data["supplier"],
                purchase_order=data.get("purchase_order"),
                subject=data["subject"],
                body=data["body"],
                user=request.user,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            flash.success(request, "Message sent.")
            return redirect("messaging:thread_detail", pk=thread.pk)
    return render(request, "messaging/thread_new.html", {"form": form})
