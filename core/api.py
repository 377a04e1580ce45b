"""Building blocks every /api/v1/ viewset shares.

- `ScopedViewSet`: every queryset through `scope_for_user`, JSON only, bounded bodies,
  database errors answered as 400/409 instead of 500, CSV/Excel export of lists.
- `NaturalKeyField`: references by natural key (supplier code, part number), resolved
  inside what the caller may see, so an unknown and a hidden object answer the same.
- `BatchListSerializer`: validates a list of items, then resolves the references of the
  whole batch with one query per referenced model (`child.validate_batch`), and saves it
  with one bulk service call (`child.create_batch`).
"""

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from core.fastpath import FAIL, FastItemValidator, FastRepresenter
from core.parsers import PayloadTooLarge  # noqa: F401  (re-exported)

# Natural keys may contain dots and dashes, never slashes (a slash would split the URL).
NATURAL_KEY_REGEX = r"[^/]+"
# A bulk request larger than this is refused before any validation work.
MAX_BULK_ITEMS = 10_000
EXPORT_FORMATS = ("csv", "xlsx")


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Other records still refer to this one; it cannot be deleted."
    default_code = "conflict"


def api_exception_handler(exc, context):
    """DRF's handler, plus the database and Django errors that would otherwise be a 500."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(serializers.as_serializer_error(exc))
    elif isinstance(exc, ProtectedError | RestrictedError):
        exc = Conflict()
    elif isinstance(exc, DataError):
        # A value the database cannot hold (out of range, malformed): bad input.
        exc = exceptions.ValidationError(
            {api_settings.NON_FIELD_ERRORS_KEY: ["A value is out of range; nothing was saved."]}
        )
    elif isinstance(exc, IntegrityError):
        # A concurrent write won the race for a unique key, or a check constraint caught
        # a value the serializer let through: the input conflicts, the server is fine.
        exc = exceptions.ValidationError(
            {
                api_settings.NON_FIELD_ERRORS_KEY: [
                    "This conflicts with existing data (a duplicate key or an invalid "
                    "combination of values). Nothing was saved."
                ]
            }
        )
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    return exception_handler(exc, context)


def context_user(context: dict):
    """The acting user of a serializer: the request's user, or `user` for imports."""
    if "user" in context:
        return context["user"]
    request = context.get("request")
    return getattr(request, "user", None)


def add_error(errors: dict, index: int, field: str, message: str) -> None:
    """Record one batch-level error for item `index` (DRF's dict-of-lists shape)."""
    item = errors.setdefault(index, {})
    item.setdefault(field, []).append(message)


class BatchListSerializer(serializers.ListSerializer):
    """Validate every item, then the whole batch at once; errors keep each item's index.

    The child serializer may define:
    - `validate_batch(items, errors)`: items are validated dicts (None for items that
      failed field validation); resolve references with one query per model and record
      problems with `add_error(errors, index, field, message)`;
    - `create_batch(items)`: save all items through one bulk service call.
    """

    def to_internal_value(self, data):
        if not isinstance(data, list):
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: ["Send a list of objects."]}, code="not_a_list"
            )
        if len(data) > MAX_BULK_ITEMS:
            raise serializers.ValidationError(
                {
                    api_settings.NON_FIELD_ERRORS_KEY: [
                        f"Send at most {MAX_BULK_ITEMS} items per request, not {len(data)}."
                    ]
                },
                code="max_length",
            )
        items: list[dict | None] = []
        errors: dict[int, dict] = {}
        fast = FastItemValidator(self.child)
        for index, item in enumerate(data):
            validated = fast(item)
            if validated is not FAIL:
                items.append(validated)
                continue
            try:
                items.append(self.child.run_validation(item))
            except serializers.ValidationError as exc:
                items.append(None)
                errors[index] = (
                    dict(exc.detail)
                    if isinstance(exc.detail, dict)
                    else {api_settings.NON_FIELD_ERRORS_KEY: exc.detail}
                )
        validate_batch = getattr(self.child, "validate_batch", None)
        if validate_batch is not None:
            validate_batch(items, errors)
        if errors:
            raise serializers.ValidationError(dict(sorted(errors.items())))
        return items

    def create(self, validated_data):
        create_batch = getattr(self.child, "create_batch", None)
        if create_batch is None:
            return super().create(validated_data)
        return create_batch(validated_data)


class BatchItemSerializer(serializers.Serializer):
    """One item of a bulk endpoint. A single create or update runs the same batch checks.

    Subclasses define `validate_batch(items, errors)` and `create_batch(items)` (see
    BatchListSerializer), `flatten(validated)` to turn dotted sources into flat keys, and
    `instance_values(instance)` (flat keys) so a partial update is checked as a whole.
    """

    class Meta:
        list_serializer_class = BatchListSerializer

    def flatten(self, validated: dict) -> dict:
        return validated

    def instance_values(self, instance) -> dict:
        raise NotImplementedError

    def to_internal_value(self, data):
        return self.flatten(super().to_internal_value(data))

    def validate(self, attrs):
        if isinstance(self.parent, BatchListSerializer):
            return attrs  # the list runs validate_batch once for the whole batch
        if self.instance is not None:
            attrs = {**self.instance_values(self.instance), **attrs}
        items, errors = [attrs], {}
        self.validate_batch(items, errors)
        if errors:
            raise serializers.ValidationError(errors[0])
        return items[0]

    def validate_batch(self, items: list, errors: dict) -> None:
        """Check references and uniqueness of all items at once; see BatchListSerializer."""

    def create(self, validated_data):
        return self.create_batch([validated_data])[0]

    def to_representation(self, instance):
        fast = self.__dict__.get("_fast_representer")
        if fast is None:
            fast = self.__dict__["_fast_representer"] = FastRepresenter(self)
        data = fast(instance)
        return super().to_representation(instance) if data is FAIL else data


def flat_errors(detail, *, index: int | None = None) -> list[dict]:
    """DRF's nested error detail as a flat list of {index, field, message}.

    Field paths of nested data are dotted: `lines.2.quantity`, `defect_codes.1`.
    """
    out: list[dict] = []

    def walk(node, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(node, list) and node and all(isinstance(x, str) for x in node):
            for message in node:
                out.append({"index": index, "field": path or None, "message": str(message)})
        elif isinstance(node, list):
            for position, value in enumerate(node):
                if value:
                    walk(value, f"{path}.{position}" if path else str(position))
        else:
            out.append({"index": index, "field": path or None, "message": str(node)})

    walk(detail, "")
    return out


def batch_flat_errors(detail) -> list[dict]:
    """Errors of a BatchListSerializer (dict index → item errors), flattened."""
    if isinstance(detail, dict) and all(isinstance(k, int) for k in detail):
        rows = []
        for index, item_errors in detail.items():
            rows.extend(flat_errors(item_errors, index=index))
        return rows
    return flat_errors(detail)


class ExportableListMixin:
    """`?format=csv` or `?format=xlsx` on a list downloads the whole filtered list."""

    def get_renderers(self):
        renderers = super().get_renderers()
        if getattr(self, "action", None) == "list":
            from core.exports import CsvRenderer, XlsxRenderer

            renderers += [CsvRenderer(), XlsxRenderer()]
        return renderers

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", *EXPORT_FORMATS],
                description="csv or xlsx downloads the whole filtered list as a file.",
            )
        ]
    )
    def list(self, request, *args, **kwargs):
        if getattr(request.accepted_renderer, "format", None) in EXPORT_FORMATS:
            from core.exports import export_response

            return export_response(view=self, fmt=request.accepted_renderer.format)
        return super().list(request, *args, **kwargs)


class BatchErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the item in the list (from 0).")
    field = serializers.CharField(
        allow_null=True, help_text="Field name; nested paths are dotted (defect_codes.1)."
    )
    message = serializers.CharField()


class BatchErrorsSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Nothing was created: N of M items are invalid.")
    errors = BatchErrorSerializer(many=True)


BULK_DESCRIPTION = (
    "POST one object to create it (answer: the object; errors: the usual field errors), "
    f"or a JSON list of up to {MAX_BULK_ITEMS} objects to create them all at once, all or nothing "
    "(answer: the list, in order). If any item is invalid nothing is written and the "
    'answer is 400 `{"detail": "...", "errors": [{"index": 3, "field": "quantity", '
    '"message": "..."}]}`, one entry per problem.'
)


def bulk_create_schema(serializer_class, *, noun: str, more: str = ""):
    """OpenAPI for a create that takes one object or a list (see BulkCreateMixin)."""
    from drf_spectacular.utils import PolymorphicProxySerializer

    name = serializer_class.__name__.removesuffix("Serializer")
    one_or_many = PolymorphicProxySerializer(
        component_name=f"{name}OneOrMany",
        serializers=[serializer_class, serializer_class(many=True)],
        resource_type_field_name=None,
        many=False,
    )
    return extend_schema(
        summary=f"Create one {noun} or many at once",
        description=f"{BULK_DESCRIPTION} {more}".strip(),
        request=one_or_many,
        responses={201: one_or_many, 400: BatchErrorsSerializer},
    )


class BulkCreateMixin:
    """POST an object to create one; POST a list to create many, all or nothing.

    A bad batch answers 400 with `{"detail": ..., "errors": [{"index", "field",
    "message"}, ...]}`, one entry per problem, and writes nothing.
    """

    def create(self, request, *args, **kwargs):
        data = request.data
        if isinstance(data, list):
            serializer = self.get_serializer(data=data, many=True)
            if not serializer.is_valid():
                errors = batch_flat_errors(serializer.errors)
                bad_items = len({e["index"] for e in errors})
                return Response(
                    {
                        "detail": f"Nothing was created: {bad_items} of {len(data)} items "
                        "are invalid.",
                        "errors": errors,
                    },
                    status=status.HTTP_400_BAD_REQUEST,
                )
            with transaction.atomic():
                serializer.save()
            return Response(serializer.data, status=status.HTTP_201_CREATED)
        if not isinstance(data, dict):
            raise exceptions.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: ["Send an object or a list of objects."]}
            )
        # One object goes through the same batch path, so the rules are the same.
        serializer = self.get_serializer(data=[data], many=True)
        if not serializer.is_valid():
            raise exceptions.ValidationError(serializer.errors.get(0, serializer.errors))
        with transaction.atomic():
            serializer.save()
        return Response(serializer.data[0], status=status.HTTP_201_CREATED)
