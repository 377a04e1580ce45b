"""Request throttles (Django REST framework's cache-based throttling, docs/security.md).

API requests are counted per user (token or session) and per client address; anonymous
requests and bad credentials have far smaller allowances. Password resets are counted per
address asked for and per client. Every refusal is a 429 with `Retry-After`. The counts
live in the cache (Redis in production, so every web process shares them).
"""

from django.conf import settings
from rest_framework import throttling
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed, Throttled

from core.clientip import client_ip


class _ClientIdentMixin:
    """The client address from core.clientip; rates read at request time from
    DUALSOURCE_THROTTLE_RATES (a scope without a rate is not throttled)."""

    def get_ident(self, request):
        return client_ip(request)

    def get_rate(self):
        return settings.DUALSOURCE_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class UserRateThrottle(_ClientIdentMixin, throttling.UserRateThrottle):
    """Per signed-in user (a token is one user); anonymous requests fall to `anon`."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonRateThrottle(_ClientIdentMixin, throttling.AnonRateThrottle):
    """Anonymous requests, per client address: a small allowance."""


class ClientRateThrottle(_ClientIdentMixin, throttling.SimpleRateThrottle):
    """Every request from one client address, whoever signs in from it."""

    scope = "client"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class _CountedThrottle(_ClientIdentMixin, throttling.SimpleRateThrottle):
    """A throttle that counts only what `record` is told (failures, resets asked for):
    `wait_for` says how long a key is blocked, without counting the request."""

    def __init__(self, ident: str):
        self.ident = ident
        super().__init__()

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.ident}

    def wait_for(self) -> float | None:
        self.rate = self.get_rate()
        if self.rate is None:
            return None
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.history = self.cache.get(self._cache_key(), [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            return self.wait()
        return None

    def record(self) -> None:
        if self.get_rate() is None:
            return
        self.wait_for()
        self.history.insert(0, self.now)
        self.cache.set(self._cache_key(), self.history, self.duration)

    def _cache_key(self) -> str:
        return self.get_cache_key(None, None)


class BadCredentialsThrottle(_CountedThrottle):
    scope = "bad_credentials"


class PasswordResetAddressThrottle(_CountedThrottle):
    scope = "password_reset_address"


class PasswordResetClientThrottle(_CountedThrottle):
    scope = "password_reset_client"


class ThrottledTokenAuthentication(TokenAuthentication):
    """Token authentication that counts bad tokens per client address and, past the
    `bad_credentials` rate, refuses to check any token from that address (429)."""

    def authenticate(self, request):
        if not request.META.get("HTTP_AUTHORIZATION"):
            return None
        throttle = BadCredentialsThrottle(client_ip(request))
        wait = throttle.wait_for()
        if wait is not None:
            raise Throttled(wait=wait, detail="Too many bad credentials from this address.")
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            throttle.record()
            raise
