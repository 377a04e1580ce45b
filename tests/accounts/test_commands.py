import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from accounts.roles import Role, user_role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["admin", "buyer", "viewer"])
def test_create_user_gives_the_role(role, monkeypatch):
    monkeypatch.setenv("DUALSOURCE_PASSWORD", "s3cret-enough-pass")
    call_command("create_user", "alice", role=role)
    user = get_user_model().objects.get(username="alice")
    assert user_role(user) == Role(role)
    assert user.check_password("s3cret-enough-pass")
    assert user.is_staff == (role == "admin")


def test_create_supplier_contact_links_the_supplier_and_becomes_its_single_point_of_contact(
    supplier_a, monkeypatch
):
    monkeypatch.setenv("DUALSOURCE_PASSWORD", "s3cret-enough-pass")
    call_command("create_user", "sam", role="supplier", supplier="ACME")
    user = get_user_model().objects.get(username="sam")
    assert user_role(user) == Role.SUPPLIER
    assert user.supplier_contact.supplier == supplier_a
    supplier_a.refresh_from_db()
    assert supplier_a.primary_contact == user.supplier_contact


def test_create_user_refuses_a_supplier_role_without_a_known_supplier(monkeypatch):
    monkeypatch.setenv("DUALSOURCE_PASSWORD", "s3cret-enough-pass")
    with pytest.raises(CommandError, match="needs --supplier"):
        call_command("create_user", "sam", role="supplier")
    with pytest.raises(CommandError, match="No supplier"):
        call_command("create_user", "sam", role="supplier", supplier="NOPE")
    assert not get_user_model().objects.filter(username="sam").exists()


def test_create_api_token_prints_a_token_that_authenticates(buyer, capsys):
    call_command("create_api_token", "buyer")
    key = capsys.readouterr().out.strip()
    assert Token.objects.get(key=key).user == buyer
    call_command("create_api_token", "buyer")
    assert capsys.readouterr().out.strip() == key  # stable: the same token again

    from rest_framework.test import APIClient

    api = APIClient()
    assert api.get("/api/v1/").status_code in (401, 403)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/").status_code == 200


def test_create_api_token_for_an_unknown_user_fails_clearly():
    with pytest.raises(CommandError, match="No user"):
        call_command("create_api_token", "ghost")
