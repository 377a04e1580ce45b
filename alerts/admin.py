from django.contrib import admin

from alerts.models import Alert, AlertNote, AlertSeverity, EmailDelivery


@admin.register(AlertSeverity)
class AlertSeverityAdmin(admin.ModelAdmin):
    """An admin's severities over the defaults of docs/alerts.md; the next scan applies them."""

    list_display = ["kind", "variant", "severity"]
    list_editable = ["severity"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "severity", "state", "supplier", "message", "last_seen"]
    list_filter = ["kind", "severity", "state"]
    search_fields = ["dedupe_key", "message", "supplier__code", "part__number"]
    list_select_related = ["supplier"]
    readonly_fields = [f.name for f in Alert._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # raised by the scan only


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "alert", "digest_date", "recipient", "state", "attempts", "sent_at"]
    list_filter = ["state"]
    search_fields = ["message_id", "recipient__username"]
    readonly_fields = [f.name for f in EmailDelivery._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False


@admin.register(AlertNote)
class AlertNoteAdmin(admin.ModelAdmin):
    """Buyers' notes on alerts (written on the alert's page)."""

    list_display = ["alert", "author", "created_at", "body"]
    search_fields = ["body"]
    raw_id_fields = ["alert", "author"]
