"""/api/v1/threads/ and /api/v1/messages/ (docs/messages.md; names in docs/api.md).

A thread: `supplier` (code), `purchase_order` (number or null), `subject`; a message:
`thread`, `body`, `author`, `created_at`. `GET/POST /api/v1/threads/{id}/messages/` reads
and posts a thread's messages. Supplier contacts see and write only their own threads.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api import NaturalKeyField, ScopedViewSet
from accounts.selectors import scope_for_user, user_supplier_id
from core.api import context_user
from messaging.models import Message, Thread
from messaging.selectors import messages_visible, threads_for_user
from messaging.services import message_post, thread_create, thread_mark_read
from purchasing.models import PurchaseOrder
from suppliers.models import Supplier


def _as_drf(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(
        exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
    )


class MessageSerializer(serializers.ModelSerializer):
    thread = serializers.PrimaryKeyRelatedField(queryset=Thread.objects.all())
    author = serializers.CharField(source="author.username", read_only=True, default=None)
    body = serializers.CharField(max_length=10_000)

    class Meta:
        model = Message
        fields = ["id", "thread", "body", "author", "created_at"]
        read_only_fields = ["id", "author", "created_at"]

    def get_fields(self):
        fields = super().get_fields()
        fields["thread"].queryset = scope_for_user(Thread.objects.all(), context_user(self.context))
        return fields

    def create(self, validated_data):
        try:
            return message_post(
                thread=validated_data["thread"],
                author=context_user(self.context),
                body=validated_data["body"],
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from None


class ThreadMessageSerializer(MessageSerializer):
    class Meta(MessageSerializer.Meta):
        read_only_fields = ["id", "thread", "author", "created_at"]

    thread = serializers.PrimaryKeyRelatedField(read_only=True)


class ThreadSerializer(serializers.ModelSerializer):
    supplier = NaturalKeyField(
        slug_field="code",
        queryset=Supplier.objects.all(),
        label_noun="supplier",
        required=False,
        help_text="Supplier code; a supplier contact's threads are always its own supplier's.",
    )
    purchase_order = NaturalKeyField(
        slug_field="number",
        queryset=PurchaseOrder.objects.all(),
        label_noun="purchase order",
        required=False,
        allow_null=True,
        help_text="Order number, or null for the supplier's general thread.",
    )
    body = serializers.CharField(
        write_only=True, required=False, max_length=10_000, help_text="A first message."
    )
    unread_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Thread
        fields = [
            "id",
            "supplier",
            "purchase_order",
            "subject",
            "body",
            "created_at",
            "last_message_at",
            "unread_count",
        ]
        read_only_fields = ["id", "created_at", "last_message_at"]
        validators = []  # one thread per supplier / order: checked by the service

    def validate(self, attrs):
        user = context_user(self.context)
        own = user_supplier_id(user)
        order = attrs.get("purchase_order")
        supplier = attrs.get("supplier")
        if own is not None:
            supplier = Supplier.objects.get(pk=own)
        supplier = supplier or (order.supplier if order is not None else None)
        if supplier is None:
            raise serializers.ValidationError({"supplier": "This field is required."})
        attrs["supplier"] = supplier
        return attrs

    def create(self, validated_data):
        try:
            return thread_create(
                supplier=validated_data["supplier"],
                purchase_order=validated_data.get("purchase_order"),
                subject=validated_data["subject"],
                body=validated_data.get("body", ""),
                user=context_user(self.context),
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from None


class ThreadViewSet(ScopedViewSet):
    """Message threads: one per supplier and one per purchase order."""

    queryset = Thread.objects.all()
    serializer_class = ThreadSerializer
    lookup_field = "pk"
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "head", "options"]
    supplier_actions = ("create", "messages")
    filterset_fields = ["supplier__code", "purchase_order__number"]

    def get_queryset(self):
        return threads_for_user(user=self.request.user)

    @extend_schema(request=ThreadMessageSerializer, responses=ThreadMessageSerializer(many=True))
    @action(detail=True, methods=["get", "post"], serializer_class=ThreadMessageSerializer)
    def messages(self, request, pk=None):
        thread = self.get_object()
        if request.method == "POST":
            serializer = ThreadMessageSerializer(data=request.data, context={"request": request})
            serializer.is_valid(raise_exception=True)
            try:
                message = message_post(
                    thread=thread, author=request.user, body=serializer.validated_data["body"]
                )
            except DjangoValidationError as exc:
                raise _as_drf(exc) from None
            return Response(ThreadMessageSerializer(message).data, status=status.HTTP_201_CREATED)
        rows = (
            messages_visible(user=request.user).filter(thread=thread).order_by("created_at", "id")
        )
        page = self.paginate_queryset(rows)
        if rows and page:
            thread_mark_read(thread=thread, user=request.user, message_id=max(m.pk for m in page))
        return self.get_paginated_response(ThreadMessageSerializer(page, many=True).data)


class MessageViewSet(ScopedViewSet):
    """Messages of the threads the user may read; POST one with `thread` and `body`."""

    queryset = Message.objects.all()
    serializer_class = MessageSerializer
    lookup_field = "pk"
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "head", "options"]
    supplier_actions = ("create",)
    filterset_fields = ["thread"]

    def get_queryset(self):
        return messages_visible(user=self.request.user)
