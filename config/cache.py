"""Django's Redis cache, with Redis out of reach taken as a miss rather than an error.

The cache only ever saves work: pages (blog/pagecache.py), the comment limit
(comments/throttle.py) and the blocklists (moderation) all fall back to the database or to
rendering afresh. So while Redis is down or refusing, a read finds nothing, a write keeps
nothing, and each failure is logged as a warning; readers get pages, slower, never a 500.
/healthz still names the cache as failing, since it asks for a value back.
"""

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from redis.exceptions import RedisError  # refused, cut, timed out, out of memory...

logger = logging.getLogger(__name__)


class RedisCache(DjangoRedisCache):
    def get(self, key, default=None, version=None):
        return _or(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return _or({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return _or(False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return _or(False, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        _or(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return _or(list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return _or(False, super().touch, key, timeout, version)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except RedisError as error:
            _warn(error)
            raise ValueError(f"Key '{key}' not found") from error  # as for any missing key

    def delete(self, key, version=None):
        return _or(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        _or(None, super().delete_many, keys, version)

    def clear(self):
        return _or(False, super().clear)


def _or(default, call, *args):
    try:
        return call(*args)
    except RedisError as error:
        _warn(error)
        return default


def _warn(error):
    logger.warning(
        "The cache is out of reach, taken as a miss: %s: %s", type(error).__name__, error
    )
