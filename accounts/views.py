"""Account pages that need more than Django's own views."""

import math

from django.contrib.auth import views as auth_views
from django.shortcuts import render

from core.clientip import client_ip
from core.throttling import PasswordResetAddressThrottle, PasswordResetClientThrottle


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, limited per address asked for and per client (429 with
    Retry-After past either allowance), so it cannot flood a mailbox or probe addresses."""

    def post(self, request, *args, **kwargs):
        address = request.POST.get("email", "").strip().lower()[:254]
        throttles = [
            PasswordResetAddressThrottle(address),
            PasswordResetClientThrottle(client_ip(request)),
        ]
        waits = [w for w in (t.wait_for() for t in throttles) if w is not None]
        if waits:
            wait = math.ceil(max(waits))
            response = render(
                request,
                "registration/password_reset_throttled.html",
                {"minutes": math.ceil(wait / 60)},
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response
        for throttle in throttles:
            throttle.record()
        return super().post(request, *args, **kwargs)
