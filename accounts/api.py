"""API building blocks that need the permission selector: every queryset is scoped."""

from django.conf import settings
from django.db import transaction
from rest_framework import exceptions, serializers, viewsets

from accounts.selectors import scope_for_user
from core.api import (
    NATURAL_KEY_REGEX,
    ExportableListMixin,
    PayloadTooLarge,
    context_user,
)
from core.parsers import SafeJSONParser


class NaturalKeyField(serializers.SlugRelatedField):
    """A reference by natural key, looked up only among the objects the user may see."""

    default_error_messages = {
        "does_not_exist": "No {label} with {slug_name} '{value}'.",
        "invalid": "Use the {slug_name} as text.",
    }

    def __init__(self, *, label_noun: str, **kwargs):
        self.label_noun = label_noun
        super().__init__(**kwargs)

    def get_queryset(self):
        return scope_for_user(super().get_queryset(), context_user(self.context))

    def to_internal_value(self, data):
        if not isinstance(data, str | int) or isinstance(data, bool):
            self.fail("invalid", slug_name=self.slug_field)
        data = str(data)
        try:
            return self.get_queryset().get(**{self.slug_field: data})
        except (self.get_queryset().model.DoesNotExist, ValueError, TypeError):
            raise serializers.ValidationError(
                self.error_messages["does_not_exist"].format(
                    label=self.label_noun, slug_name=self.slug_field, value=data[:60]
                ),
                code="does_not_exist",
            ) from None


class ScopedViewSet(ExportableListMixin, viewsets.ModelViewSet):
    """A model viewset whose every queryset goes through `scope_for_user`.

    Subclasses set `queryset`, `serializer_class`, `filterset_class`, `lookup_field`.
    Writes run in a transaction; integrity errors become 400 and protected deletes 409.
    Lists export as CSV or Excel (`ExportableListMixin`).
    """

    parser_classes = [SafeJSONParser]
    lookup_value_regex = NATURAL_KEY_REGEX
    # Roles other than buyers and admins may only call these write actions (RolePermission).
    supplier_actions: tuple[str, ...] = ()

    def get_queryset(self):
        return scope_for_user(super().get_queryset(), self.request.user)

    def get_object(self):
        # PostgreSQL cannot compare text with NUL characters; no key contains one anyway.
        value = str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, ""))
        if "\x00" in value:
            raise exceptions.NotFound()
        return super().get_object()

    def initial(self, request, *args, **kwargs):
        # DRF reads the body from the stream, bypassing Django's size cap: enforce it here.
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise PayloadTooLarge(
                f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes; "
                "send smaller batches."
            )
        super().initial(request, *args, **kwargs)

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_destroy(self, instance):
        with transaction.atomic():
            self.service_delete(instance)

    def service_delete(self, instance) -> None:
        """Delete through the model's service where it has one (a refusal names what
        still refers to the object: 409)."""
        instance.delete()
