from outbox.models import PendingCell, PendingRefresh, PendingRescore


def outbox_waiting() -> bool:
    """Whether any change waits for the engine (three index look-ups)."""
    return any(m.objects.exists() for m in (PendingCell, PendingRefresh, PendingRescore))
