"""A Redis cache that degrades instead of failing the request.

The cache only holds what can be recomputed (a panel's figures), so with Redis down a
read is a miss and a write is skipped: the page computes its panel itself, slower, and
the request never fails on the cache. Short socket timeouts keep an unreachable server
from holding a worker (set in CACHES OPTIONS, dualsource/settings.py).
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
# After a failure, skip Redis for this long rather than pay a timeout on every call.
RETRY_AFTER_SECONDS = 10.0


class FailSafeRedisCache(RedisCache):
    _down_until = 0.0

    def _guarded(self, name, default, *args, **kwargs):
        if time.monotonic() < FailSafeRedisCache._down_until:
            return default
        try:
            return getattr(super(), name)(*args, **kwargs)
        except RedisError:
            FailSafeRedisCache._down_until = time.monotonic() + RETRY_AFTER_SECONDS
            logger.warning("Cache unavailable (%s); continuing without it", name, exc_info=True)
            return default

    def get(self, key, default=None, version=None):
        return self._guarded("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._guarded("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._guarded("has_key", False, key, version)

    def add(self, key, value, timeout=None, version=None):
        return self._guarded("add", False, key, value, timeout, version)

    def set(self, key, value, timeout=None, version=None):
        return self._guarded("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=None, version=None):
        return self._guarded("set_many", list(data), data, timeout, version)

    def touch(self, key, timeout=None, version=None):
        return self._guarded("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._guarded("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._guarded("delete_many", None, keys, version)

    def clear(self):
        return self._guarded("clear", False)
