"""Thread and message reads, scoped through the one permission selector."""

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.selectors import scope_for_user
from messaging.models import Message, Thread, ThreadReadMarker


def _last_read(user, thread_ref: str):
    marker = ThreadReadMarker.objects.filter(thread=OuterRef(thread_ref), user=user).values(
        "last_read_message_id"
    )[:1]
    return Coalesce(Subquery(marker, output_field=IntegerField()), Value(0))


def threads_for_user(*, user) -> QuerySet[Thread]:
    """The threads the user may read, newest activity first, each with its unread count."""
    unread = Q(messages__id__gt=F("last_read")) & ~Q(messages__author_id=user.pk)
    return (
        scope_for_user(Thread.objects.select_related("supplier", "purchase_order"), user)
        .annotate(last_read=_last_read(user, "pk"))
        .annotate(unread_count=Count("messages", filter=unread), message_count=Count("messages"))
        .order_by(F("last_message_at").desc(nulls_last=True), "-id")
    )


def thread_messages(*, user, thread: Thread) -> QuerySet[Message]:
    return scope_for_user(
        Message.objects.filter(thread=thread).select_related("author__supplier_contact"), user
    ).order_by("created_at", "id")


def messages_visible(*, user) -> QuerySet[Message]:
    return scope_for_user(
        Message.objects.select_related("thread__supplier", "author"), user
    ).order_by("-created_at", "-id")


def unread_message_count(*, user) -> int:
    """How many messages from the other side the user has not opened yet (one query)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return (
        scope_for_user(Message.objects.all(), user)
        .exclude(author_id=user.pk)
        .annotate(last_read=_last_read(user, "thread_id"))
        .filter(id__gt=F("last_read"))
        .count()
    )
