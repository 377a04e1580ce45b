from tests.alerts.conftest import buyer2, clock, eager, outbox, owned  # noqa: F401
