"""Form helpers shared by the page apps."""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def form_add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field where the form has one,
    else above the form. The form is re-rendered with the errors, never a 500."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            messages = [m for e in errors for m in e.messages]
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


def form_status(form) -> int:
    """A page re-shown with a form's errors answers 400 (a client can tell), else 200."""
    return 400 if form.is_bound and form.errors else 200


def redirect_back(request, *fallback, **fallback_kwargs):
    """Back to the page a form was posted from (`next`, on this site only), else to the
    fallback (a URL name and its arguments)."""
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect(*fallback, **fallback_kwargs)
