"""The import history: every file imported (or checked) and every export built in the
background, with who, when, what, how far it got and how it ended."""

from django.conf import settings
from django.db import models


class FileJob(models.Model):
    class Direction(models.TextChoices):
        IMPORT = "import", "Import"
        EXPORT = "export", "Export"

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Done"
        FAILED = "failed", "Failed"

    # Internal records: buyers and viewers read them, supplier contacts never do.
    supplier_field = None

    direction = models.CharField(max_length=6, choices=Direction.choices)
    kind = models.CharField(max_length=40, help_text="Import kind or exported list.")
    fmt = models.CharField(max_length=4, blank=True)
    filename = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    dry_run = models.BooleanField(default=False)
    query = models.CharField(max_length=2000, blank=True, help_text="An export's filters.")
    # The uploaded file (imports) or the finished file (exports); never served publicly.
    file = models.FileField(upload_to="files/%Y/%m/", blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    stage = models.CharField(max_length=40, blank=True)
    progress_pct = models.PositiveSmallIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    written = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["direction", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.kind} {self.filename}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)
