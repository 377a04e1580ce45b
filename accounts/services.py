from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from rest_framework.authtoken.models import Token

from accounts.roles import Role


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: Role,
    email: str = "",
    supplier=None,
    first_name: str = "",
    last_name: str = "",
):
    """Create a user with one role; a supplier contact is linked to its supplier."""
    from suppliers.services import supplier_contact_create

    if role == Role.SUPPLIER and supplier is None:
        raise ValueError("A supplier contact needs a supplier.")
    if role != Role.SUPPLIER and supplier is not None:
        raise ValueError("Only supplier contacts belong to a supplier.")
    user_model = get_user_model()
    user = user_model(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    if role != Role.ADMIN:
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    if supplier is not None:
        supplier_contact_create(user=user, supplier=supplier)
    return user


def api_token_get_or_create(*, user) -> str:
    token, _ = Token.objects.get_or_create(user=user)
    return token.key
