from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework.authtoken.models import Token

from accounts.models import UserProfile
from accounts.roles import Role


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: Role,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
):
    """Create a user with one role.

    A supplier contact also needs its link to a supplier: create those with
    `suppliers.services.supplier_contact_user_create`, which calls this.
    """
    user_model = get_user_model()
    user = user_model(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    user.full_clean(exclude=["password"])
    # Every path that sets a password (commands, imports, invitations, the demo) comes
    # here: the configured validators apply to all of them.
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.save()
    if role != Role.ADMIN:
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    return user


def api_token_get_or_create(*, user) -> str:
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


def user_profile_get(*, user) -> UserProfile:
    """The user's settings, created with the defaults on first use."""
    profile, _ = UserProfile.objects.get_or_create(user=user)
    return profile


def user_profile_update(*, user, email_frequency: str) -> UserProfile:
    if email_frequency not in UserProfile.EmailFrequency.values:
        raise ValidationError(
            {"email_frequency": f"Choose one of {', '.join(UserProfile.EmailFrequency.values)}."}
        )
    profile = user_profile_get(user=user)
    profile.email_frequency = email_frequency
    profile.save(update_fields=["email_frequency"])
    return profile
