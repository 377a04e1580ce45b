"""Admin edits through the services: validated, audited and followed up like API edits.

`ServiceAdmin` subclasses name the services; the admin form shows a service's
ValidationError as form errors, and saves and deletes call the services instead of
`Model.save()` / `delete()`.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError


def form_data(obj, form) -> dict:
    """The model fields the form changed, with the form's cleaned values."""
    names = {f.name for f in obj._meta.concrete_fields}
    return {
        name: form.cleaned_data[name]
        for name in form.changed_data
        if name in names and name in form.cleaned_data
    }


def form_values(obj, form) -> dict:
    """Every model field the form edits, as set on the unsaved instance."""
    names = {f.name for f in obj._meta.concrete_fields}
    return {name: getattr(obj, name) for name in form.fields if name in names}


class ServiceAdmin(admin.ModelAdmin):
    """Subclasses implement `service_create`, `service_update` and (optionally)
    `service_validate` and `service_delete`."""

    def service_validate(self, request, obj, form, change: bool) -> None:
        """Raise a ValidationError (field → message) to show it on the form."""

    def service_create(self, request, obj, form):
        raise NotImplementedError

    def service_update(self, request, stored, data: dict, form):
        raise NotImplementedError

    def service_delete(self, request, obj) -> None:
        obj.delete()

    def delete_refusal(self, obj) -> str | None:
        """Why `obj` may not be deleted (shown on the confirmation page), or None."""
        return None

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        refusals = [f"{obj}: {r}" for obj in objs if (r := self.delete_refusal(obj))]
        return deleted, counts, perms_needed, [*protected, *refusals]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class ServiceForm(form_class):
            def _post_clean(self):
                super()._post_clean()
                if self.errors:
                    return
                try:
                    model_admin.service_validate(request, self.instance, self, obj is not None)
                except ValidationError as exc:
                    self._update_errors(exc)

        ServiceForm.__name__ = form_class.__name__
        return ServiceForm

    def save_model(self, request, obj, form, change):
        if change:
            stored = type(obj)._default_manager.get(pk=obj.pk)
            saved = self.service_update(request, stored, form_data(obj, form), form)
        else:
            saved = self.service_create(request, obj, form)
        # The admin goes on with `obj` (inlines, messages, the log): make it the saved row.
        obj.pk = saved.pk
        obj._state.adding = False
        obj._state.db = saved._state.db
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        self.service_delete(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.service_delete(request, obj)
