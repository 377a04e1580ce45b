from tests.api.conftest import world  # noqa: F401 - the two-supplier world of the API tests
