"""Django's Redis cache, made so that a cache outage is not a site outage.

While Redis cannot be reached, every call answers as a cache that holds
nothing (a read finds nothing, a write keeps nothing): pages are made and
served without it, and the outage is logged once a minute, not once a
request. The client reconnects by itself: the first call that succeeds
again ends the outage, which is logged too. Sockets time out quickly, and
while Redis is away only one call in RETRY_EVERY seconds tries it: a Redis
that hangs costs one request up to a second (connecting, then reading) now
and then, not every call. Each worker thread has its own cache object (as
Django gives them), so these counts are a thread's: one for a sync worker.
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("newsroom.cache")

LOG_EVERY = 60  # seconds between two reports of the same outage
# While Redis is away, one call in this many seconds tries it; the others answer at once as an
# empty cache (a Redis that hangs would otherwise cost every call its timeout).
RETRY_EVERY = 5
TIMEOUTS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


class ResilientRedisCache(RedisCache):
    """RedisCache whose calls never raise for an unreachable server (see the module's text).

    `available` says whether the last call reached Redis; `recoveries` counts the
    outages this process has seen end (the page cache moves its mark after one: a
    change made meanwhile could not move it).
    """

    def __init__(self, server, params):
        params = {**params, "OPTIONS": {**TIMEOUTS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self.available = True
        self.recoveries = 0
        self._down_since = None
        self._reported_at = 0.0
        self._tried_at = 0.0
        self._refused_at = 0.0
        self._lock = threading.Lock()

    def _call(self, method, fallback, *args, **kwargs):
        if not self.available and time.monotonic() - self._tried_at < RETRY_EVERY:
            return fallback
        try:
            result = getattr(super(), method)(*args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError, OSError) as error:
            self._failed(error)
            return fallback
        except RedisError as error:  # it answers, and refuses (out of memory, a read-only replica)
            self._refused(error)
            return fallback
        if not self.available:
            self._recovered()
        return result

    def _failed(self, error) -> None:
        now = time.monotonic()
        with self._lock:
            self.available = False
            self._tried_at = now
            if self._down_since is None:
                self._down_since = now
            if now - self._reported_at < LOG_EVERY:
                return
            self._reported_at = now
            down_for = now - self._down_since
        logger.warning(
            "the cache (Redis) cannot be reached, for %.0f s now (%s): pages are served without it",
            down_for,
            error,
        )

    def _refused(self, error) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._refused_at < LOG_EVERY:
                return
            self._refused_at = now
        logger.warning("the cache (Redis) refuses commands (%s): pages are not kept meanwhile", error)

    def _recovered(self) -> None:
        with self._lock:
            if self.available:
                return
            down_for = time.monotonic() - (self._down_since or time.monotonic())
            self.available, self._down_since = True, None
            self.recoveries += 1
        logger.warning("the cache (Redis) answers again, after %.0f s", down_for)

    def add(self, *args, **kwargs):
        return self._call("add", False, *args, **kwargs)

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def set(self, *args, **kwargs):
        return self._call("set", None, *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", False, *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", False, *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", {}, *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", False, *args, **kwargs)

    def set_many(self, data, *args, **kwargs):
        return self._call("set_many", list(data), data, *args, **kwargs)  # the keys not kept

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", None, *args, **kwargs)

    def clear(self):
        return self._call("clear", False)

    def ping(self) -> bool:
        """Does Redis answer now? (For /healthz: a read of a key nobody writes, tried even while
        other calls skip Redis.)"""
        self._tried_at = 0.0
        self.get("healthz-probe")
        return self.available
