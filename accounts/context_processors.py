from accounts.roles import EDITOR_ROLES, INTERNAL_ROLES, user_role


def role(request):
    current = user_role(getattr(request, "user", None))
    return {
        "user_role": current,
        "is_internal": current in INTERNAL_ROLES,
        "can_edit": current in EDITOR_ROLES,
    }
