"""Purges sent to the edge caches (Varnish) in front of the site.

Each purge goes to every address of VARNISH_PURGE_URLS as a `PURGE` request
naming its keys in an `xkey-purge` header (deploy/varnish/newsroom.vcl), at
most CHUNK keys a request. It is sent from a thread of this process, so that
a publication never waits for an edge cache. A purge that fails (the cache
is down or slow) is logged and retried after 1, 2, 4, 8 and 16 seconds, then
given up, with an error in the log: the pages it was for still expire on
their own, within PAGE_CACHE_SECONDS. A refusal (the edge's ACL says no) is
not retried. With no address set, nothing is sent. A process that exits (a
command that published) waits up to EXIT_WAIT seconds for its purges first.
"""

import atexit
import heapq
import itertools
import logging
import threading
import time
import urllib.error
import urllib.request

from django.conf import settings

log = logging.getLogger(__name__)

CHUNK = 200  # keys a request: about 3 KB of header (Varnish accepts 8 KB by default)
RETRY_AFTER = (1, 2, 4, 8, 16)  # seconds
TIMEOUT = 2  # seconds an edge cache has to answer a purge
EXIT_WAIT = 10  # seconds


class Purger:
    """The purges of this process still to send, sent one after another by one thread."""

    def __init__(self):
        self.condition = threading.Condition()
        self.waiting = []  # heap of (when due, order, address, keys, attempts so far)
        self.order = itertools.count()
        self.sending = 0
        self.thread = None
        self.failing = {}  # address → what went wrong last, while it does

    def purge(self, keys) -> None:
        addresses = settings.VARNISH_PURGE_URLS
        if not addresses or not keys:
            return
        ordered = sorted(keys)
        chunks = [ordered[start : start + CHUNK] for start in range(0, len(ordered), CHUNK)]
        with self.condition:
            for address in addresses:
                for chunk in chunks:
                    heapq.heappush(self.waiting, (time.monotonic(), next(self.order), address, chunk, 0))
            if self.thread is None or not self.thread.is_alive():
                if self.thread is None:
                    atexit.register(self.settle, EXIT_WAIT)
                self.thread = threading.Thread(target=self.run, name="edge-purges", daemon=True)
                self.thread.start()
            self.condition.notify_all()

    def run(self) -> None:
        while True:
            with self.condition:
                while not self.waiting or self.waiting[0][0] > time.monotonic():
                    self.condition.wait(self.waiting[0][0] - time.monotonic() if self.waiting else None)
                _due, _order, address, chunk, attempts = heapq.heappop(self.waiting)
                self.sending += 1
            try:
                self.send(address, chunk, attempts)
            finally:
                with self.condition:
                    self.sending -= 1
                    self.condition.notify_all()

    def send(self, address: str, chunk: list[str], attempts: int) -> None:
        # A configured http(s) address (settings refuses any other).
        request = urllib.request.Request(address, method="PURGE", headers={"xkey-purge": " ".join(chunk)})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT):  # noqa: S310 - a configured http(s) address
                pass
        except urllib.error.HTTPError as error:
            if error.code < 500:
                self.failing[address] = f"refused ({error.code})"
                log.error("The edge cache at %s refused a purge (%s): check its ACL.", address, error.code)
                return
            self.retry(address, chunk, attempts, f"answered {error.code}")
        except OSError as error:
            self.retry(address, chunk, attempts, str(getattr(error, "reason", error)))
        else:
            self.failing.pop(address, None)

    def retry(self, address: str, chunk: list[str], attempts: int, problem: str) -> None:
        self.failing[address] = problem
        if attempts >= len(RETRY_AFTER):
            log.error(
                "Gave up purging %d keys at %s (%s): those pages expire within PAGE_CACHE_SECONDS.",
                len(chunk),
                address,
                problem,
            )
            return
        delay = RETRY_AFTER[attempts]
        log.warning("A purge at %s failed (%s); trying again in %d s.", address, problem, delay)
        with self.condition:
            heapq.heappush(
                self.waiting, (time.monotonic() + delay, next(self.order), address, chunk, attempts + 1)
            )
            self.condition.notify_all()

    def settle(self, seconds: float = 10) -> bool:
        """Wait until every purge has been sent or given up (tests, commands that exit): done?"""
        deadline = time.monotonic() + seconds
        with self.condition:
            while self.waiting or self.sending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.condition.wait(left)
        return True

    def state(self) -> str:
        """For /healthz: "not configured", "ok", or what is failing."""
        if not settings.VARNISH_PURGE_URLS:
            return "not configured"
        failing = {
            address: self.failing[address]
            for address in settings.VARNISH_PURGE_URLS
            if address in self.failing
        }
        if not failing:
            return "ok"
        return "; ".join(f"{address}: {problem}" for address, problem in failing.items())


purger = Purger()
