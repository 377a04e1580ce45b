"""The API tests' world (two suppliers sharing a part) is reused for imports and exports."""

from tests.api.conftest import token_for, world  # noqa: F401
