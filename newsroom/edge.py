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
import http.client
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


class Lane:
    """The purges still to send to one address, sent one after another by a thread of its own: an
    edge cache that is down or slow holds up its own purges, not the others'."""

    def __init__(self, address: str):
        self.address = address
        self.condition = threading.Condition()
        self.waiting = []  # heap of (when due, order, keys, attempts so far)
        self.order = itertools.count()
        self.sending = 0
        self.thread = None
        self.failing = None  # what went wrong last, until a purge succeeds

    def add(self, chunks: list[list[str]]) -> None:
        with self.condition:
            for chunk in chunks:
                heapq.heappush(self.waiting, (time.monotonic(), next(self.order), chunk, 0))
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self.run, name=f"edge-purges {self.address}", daemon=True
                )
                self.thread.start()
            self.condition.notify_all()

    def run(self) -> None:
        while True:
            with self.condition:
                while not self.waiting or self.waiting[0][0] > time.monotonic():
                    self.condition.wait(self.waiting[0][0] - time.monotonic() if self.waiting else None)
                _due, _order, chunk, attempts = heapq.heappop(self.waiting)
                self.sending += 1
            try:
                self.send(chunk, attempts)
            finally:
                with self.condition:
                    self.sending -= 1
                    self.condition.notify_all()

    def send(self, chunk: list[str], attempts: int) -> None:
        # The address is http(s): settings refuses any other.
        purge = urllib.request.Request(self.address, method="PURGE", headers={"xkey-purge": " ".join(chunk)})  # noqa: S310
        try:
            with urllib.request.urlopen(purge, timeout=TIMEOUT):  # noqa: S310
                pass
        except urllib.error.HTTPError as error:
            if error.code < 500:
                self.failing = f"refused ({error.code})"
                log.error(
                    "The edge cache at %s refused a purge (%s): check its ACL.", self.address, error.code
                )
                return
            self.retry(chunk, attempts, f"answered {error.code}")
        except http.client.HTTPException as error:
            self.retry(chunk, attempts, f"no HTTP answer ({type(error).__name__})")
        except OSError as error:
            self.retry(chunk, attempts, str(getattr(error, "reason", error)))
        else:
            self.failing = None

    def retry(self, chunk: list[str], attempts: int, problem: str) -> None:
        self.failing = problem
        if attempts >= len(RETRY_AFTER):
            log.error(
                "Gave up purging %d keys at %s (%s): those pages expire within PAGE_CACHE_SECONDS.",
                len(chunk),
                self.address,
                problem,
            )
            return
        delay = RETRY_AFTER[attempts]
        log.warning("A purge at %s failed (%s); trying again in %d s.", self.address, problem, delay)
        with self.condition:
            heapq.heappush(self.waiting, (time.monotonic() + delay, next(self.order), chunk, attempts + 1))
            self.condition.notify_all()

    def settle(self, deadline: float) -> int:
        """Wait until every purge has been sent or given up, or `deadline` (time.monotonic()) comes:
        how many are left."""
        with self.condition:
            while (self.waiting or self.sending) and time.monotonic() < deadline:
                self.condition.wait(deadline - time.monotonic())
            return len(self.waiting) + self.sending


class Purger:
    """This process's purges, one Lane an address."""

    def __init__(self):
        self.lanes: dict[str, Lane] = {}
        self.lock = threading.Lock()

    def purge(self, keys) -> None:
        addresses = settings.VARNISH_PURGE_URLS
        if not addresses or not keys:
            return
        ordered = sorted(keys)
        chunks = [ordered[start : start + CHUNK] for start in range(0, len(ordered), CHUNK)]
        for address in addresses:
            self.lane(address).add(chunks)

    def lane(self, address: str) -> Lane:
        with self.lock:
            if not self.lanes:
                atexit.register(self.at_exit)
            if address not in self.lanes:
                self.lanes[address] = Lane(address)
            return self.lanes[address]

    def settle(self, seconds: float = 10) -> bool:
        """Wait until every purge has been sent or given up (tests, commands that exit): done?"""
        deadline = time.monotonic() + seconds
        return not sum(lane.settle(deadline) for lane in list(self.lanes.values()))

    def at_exit(self) -> None:
        deadline = time.monotonic() + EXIT_WAIT
        for lane in list(self.lanes.values()):
            left = lane.settle(deadline)
            if left:
                log.error(
                    "%d purges for %s were not sent before this process ended (%s): those pages expire"
                    " within PAGE_CACHE_SECONDS.",
                    left,
                    lane.address,
                    lane.failing or "still waiting",
                )

    def state(self) -> str:
        """For /healthz: "not configured", "ok", or what is failing, as this process last saw it."""
        addresses = settings.VARNISH_PURGE_URLS
        if not addresses:
            return "not configured"
        failing = {a: self.lanes[a].failing for a in addresses if a in self.lanes and self.lanes[a].failing}
        if not failing:
            return "ok"
        return "; ".join(f"{address}: {problem}" for address, problem in failing.items())


purger = Purger()
